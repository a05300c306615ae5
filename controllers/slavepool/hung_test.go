package slavepool_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minka/sim/fault"
	"minka/store/storetest"
)

// TestHungCloudStallsNoOtherPool: every request to one cloud hangs. Two
// pools on it occupy the controller's two workers in turn, yet a pool on
// the other cloud scales to 2 online agents, and the hung pools report
// BackendAvailable=False naming the timeout.
func TestHungCloudStallsNoOtherPool(t *testing.T) {
	st, e := storetest.Store(t)
	sw := startWorld(t, 7, 2)
	defer sw.stop()
	if err := sw.clouds[0].SetFault(fault.Fault{Failure: fault.Hang}); err != nil {
		t.Fatal(err)
	}
	stop := runController(t, st, e, sw.backends)
	defer stop()
	ctx := context.Background()
	for _, p := range []struct{ name, cloud string }{{"hung-a", "default"}, {"hung-b", "default"}, {"fine", "cloud-1"}} {
		if _, err := st.Create(ctx, newPool("ci", p.name, p.cloud, 2)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if p := getPool(st, "ci", "fine"); p != nil && p.Status.Ready == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	fine := getPool(st, "ci", "fine")
	if fine.Status.Ready != 2 {
		t.Fatalf("the pool on the healthy cloud: %d of 2 online after %v while the other cloud hangs; status %+v",
			fine.Status.Ready, time.Since(start).Round(time.Millisecond), fine.Status)
	}
	t.Logf("the pool on the healthy cloud: 2 online after %v", time.Since(start).Round(time.Millisecond))
	for _, name := range []string{"hung-a", "hung-b"} {
		var msg string
		for time.Now().Before(deadline) {
			p := getPool(st, "ci", name)
			for _, c := range p.Status.Conditions {
				if c.Type == "BackendAvailable" && c.Status == "False" {
					msg = c.Reason + ": " + c.Message
				}
			}
			if msg != "" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(msg, "OpenStackUnavailable") || !strings.Contains(msg, "timeout") {
			t.Errorf("pool %s on the hung cloud: BackendAvailable %q, want False OpenStackUnavailable naming the timeout", name, msg)
		}
		t.Logf("%s: BackendAvailable=False %s", name, msg)
	}
}
