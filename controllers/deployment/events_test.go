package deployment

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
)

// TestEventStreamFailsOverAndReconnects: the first URL answers 503, so
// the stream attaches to the second; events name the apps; a dropped
// stream is reconnected, and each connection calls onConnect (the
// controller then looks at every Deployment, events may have been missed).
func TestEventStreamFailsOverAndReconnects(t *testing.T) {
	c := simmarathon.New(simmarathon.Options{})
	good := httptest.NewServer(c.Marathon())
	broken := fault.New(1)
	_ = broken.Set(fault.Fault{Failure: fault.Unavailable})
	bad := httptest.NewServer(broken.Wrap(c.Marathon()))
	defer func() { c.Close(); broken.Close(); good.Close(); bad.Close() }()

	var mu sync.Mutex
	connects, apps, failed := 0, map[string]int{}, map[string]bool{}
	s := &eventStream{urls: []string{bad.URL, good.URL}, client: &http.Client{}, log: logr.Discard(),
		onConnect: func() { mu.Lock(); connects++; mu.Unlock() },
		onEvent: func(ev *marathonEvent) {
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ev.apps() {
				apps[id]++
			}
			if ev.EventType == "deployment_failed" {
				failed[ev.ID] = true
			}
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.run(ctx) }()
	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			done := ok()
			mu.Unlock()
			if done {
				return
			}
		}
		t.Fatalf("no %s within 10s (connects %d, apps %v)", what, connects, apps)
	}
	wait("connection", func() bool { return connects == 1 })
	put := func(body string) string {
		req, _ := http.NewRequest(http.MethodPut, good.URL+"/v2/apps/ci/web", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.Header.Get("Marathon-Deployment-Id")
	}
	put(`{"cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32}`)
	wait("an event naming /ci/web", func() bool { return apps["/ci/web"] > 0 })
	c.DropEventStreams()
	wait("a reconnection", func() bool { return connects == 2 })
	dep := put(`{"cmd":"sleep 2000"}`)
	req, _ := http.NewRequest(http.MethodDelete, good.URL+"/v2/deployments/"+dep, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("DELETE deployment: %v %v", err, resp)
	}
	wait("deployment_failed", func() bool { return failed[dep] })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

func TestSplitAppID(t *testing.T) {
	cases := []struct {
		id, ns, name string
		ok           bool
	}{
		{"/ci/web", "ci", "web", true},
		{"/ci", "", "", false},
		{"/a/b/c", "", "", false},
		{"ci/web", "", "", false},
		{"//web", "", "", false},
	}
	for _, tc := range cases {
		ns, name, ok := splitAppID(tc.id)
		if ok != tc.ok || (ok && (ns != tc.ns || name != tc.name)) {
			t.Errorf("splitAppID(%q) = %q %q %v", tc.id, ns, name, ok)
		}
	}
}
