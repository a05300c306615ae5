package slavepool_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minka/sim/fault"
	"minka/store/storetest"
)

// TestGarbageAnswersAreReported: Jenkins' queue and Nova's server list
// answering 200 with a truncated body, invalid JSON or an HTML page set
// BackendAvailable=False naming the backend, and the pool recovers by
// itself once the answers are sane again.
func TestGarbageAnswersAreReported(t *testing.T) {
	st, e := storetest.Store(t)
	sw := startWorld(t, 11, 1)
	defer sw.stop()
	stop := runController(t, st, e, sw.backends)
	defer stop()
	if _, err := st.Create(context.Background(), newPool("ci", "trusty", "default", 1)); err != nil {
		t.Fatal(err)
	}
	ready := func() bool { p := getPool(st, "ci", "trusty"); return p != nil && p.Status.Ready == 1 }
	wait := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("not %s within 20s; status %+v", what, getPool(st, "ci", "trusty").Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait("1 agent online", ready)
	backend := func() string {
		for _, c := range getPool(st, "ci", "trusty").Status.Conditions {
			if c.Type == "BackendAvailable" {
				return string(c.Status) + " " + c.Reason + ": " + c.Message
			}
		}
		return ""
	}
	for _, failure := range []string{fault.Truncated, fault.InvalidJSON, fault.HTMLPage} {
		for _, b := range []struct {
			reason string
			set    func(fault.Fault) error
			clear  func()
			match  string
		}{
			{"JenkinsUnavailable", sw.jenkins.Faults.Set, sw.jenkins.Faults.Clear, "GET /queue/api/json"},
			{"OpenStackUnavailable", sw.clouds[0].SetFault, sw.clouds[0].ClearFaults, "GET /compute/v2.1/servers"},
		} {
			if err := b.set(fault.Fault{Match: b.match, Failure: failure}); err != nil {
				t.Fatal(err)
			}
			wait(b.reason+" after "+failure, func() bool { return strings.HasPrefix(backend(), "False "+b.reason) })
			t.Logf("%s on %s: BackendAvailable=%.200s", failure, b.match, backend())
			b.clear()
			wait("recovered from "+failure, func() bool { return strings.HasPrefix(backend(), "True") && ready() })
		}
	}
}
