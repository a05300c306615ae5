package slavepool_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minka/store/storetest"
)

// TestSpecErrorsAndTwins: a user-data template that cannot render
// stalls the pool with a condition naming the field, makes nothing at
// Jenkins or Nova, and is not retried; the backends are not blamed. A
// second server of an agent's name (made behind minka's back) is deleted,
// the one the agent had kept.
func TestSpecErrorsAndTwins(t *testing.T) {
	st, e := storetest.Store(t)
	sw := startWorld(t, 3, 1)
	defer sw.stop()
	stop := runController(t, st, e, sw.backends)
	defer stop()
	ctx := context.Background()
	bad := newPool("ci", "bad", "default", 2)
	bad.Spec.Template.UserData = "#!/bin/sh\nJENKINS_SECRET={{.Secrett}}\n"
	if _, err := st.Create(ctx, bad); err != nil {
		t.Fatal(err)
	}
	var stalled, backend string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && stalled == "" {
		if p := getPool(st, "ci", "bad"); p != nil {
			for _, c := range p.Status.Conditions {
				switch c.Type {
				case "Stalled":
					stalled = string(c.Status) + " " + c.Reason + ": " + c.Message
				case "BackendAvailable":
					backend = string(c.Status) + " " + c.Reason
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.HasPrefix(stalled, "True InvalidSpec: spec.template.userData: ") || !strings.Contains(stalled, "Secrett") {
		t.Errorf("Stalled = %q, want True InvalidSpec naming spec.template.userData and the bad key", stalled)
	}
	if backend != "True BackendsAnswer" {
		t.Errorf("BackendAvailable = %q, want True BackendsAnswer: the backends did nothing wrong", backend)
	}
	time.Sleep(time.Second) // a terminal error is not retried
	if n := sw.novaCreates.total() + sw.nodeCreates.total(); n != 0 {
		t.Errorf("%d create calls for a pool whose user data cannot render, want 0", n)
	}
	t.Logf("bad template: Stalled=%s; BackendAvailable=%s; 0 creates", stalled, backend)

	if _, err := st.Create(ctx, newPool("ci", "twin", "default", 1)); err != nil {
		t.Fatal(err)
	}
	var first simServer
	for time.Now().Before(deadline.Add(10*time.Second)) && first.ID == "" {
		for _, s := range sw.clouds[0].Servers() {
			if strings.HasPrefix(s.Name, "twin-") {
				first = simServer{ID: s.ID, Name: s.Name, Metadata: s.Metadata}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if first.ID == "" {
		t.Fatal("the pool made no server")
	}
	twinID := createServer(t, sw, first)
	deadline = time.Now().Add(20 * time.Second)
	var left []string
	for time.Now().Before(deadline) {
		left = nil
		for _, s := range sw.clouds[0].Servers() {
			if s.Name == first.Name {
				left = append(left, s.ID)
			}
		}
		if len(left) == 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) != 1 || left[0] != first.ID {
		t.Fatalf("servers named %s: %v, want only the first, %s (twin %s)", first.Name, left, first.ID, twinID)
	}
	if ev := eventsOf(st, "ci"); !strings.Contains(ev, "DuplicateServer") || !strings.Contains(ev, "deleting "+twinID) {
		t.Errorf("no DuplicateServer event deleting %s:\n%s", twinID, ev)
	}
	t.Logf("twin %s of %s deleted, %s kept", twinID, first.Name, first.ID)
}
