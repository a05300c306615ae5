package deployment

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
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

// recordedWait is a wait run asked for, and what the test counted (the
// connections or the attempts) when it asked.
type recordedWait struct {
	d time.Duration
	n int
}

// TestEventStreamBackoffGrowsAndResets runs the stream against the
// simulated Marathon with a recorded clock and wait. Seven connections
// are accepted and dropped at once (event_stream_attached, then the end):
// the waits after them grow from the floor, doubling, to the cap (each at
// least its nominal value, at most half more), and each connection
// re-examines once. The eighth connection is healthy and delivers events;
// once it has been open streamHealthy, a drop is reconnected after the
// floor, not the cap; a connection dropped at once after that grows the
// backoff again.
func TestEventStreamBackoffGrowsAndResets(t *testing.T) {
	const flap = "attach-and-close"
	c := simmarathon.New(simmarathon.Options{})
	c.Faults.Define(flap, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("event: event_stream_attached\ndata: {\"eventType\":\"event_stream_attached\"}\n\n"))
	})
	if err := c.Faults.Set(fault.Fault{Match: "GET /v2/events", Failure: flap, Count: 7}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); hs.Close() }()

	var mu sync.Mutex
	clock, connects, apps := time.Unix(1e9, 0), 0, map[string]int{}
	waits := make(chan recordedWait)
	s := &eventStream{urls: []string{hs.URL}, client: &http.Client{}, log: logr.Discard(),
		now:       func() time.Time { mu.Lock(); defer mu.Unlock(); return clock },
		onConnect: func() { mu.Lock(); connects++; mu.Unlock() },
		onEvent: func(ev *marathonEvent) {
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ev.apps() {
				apps[id]++
			}
		},
		sleep: func(ctx context.Context, d time.Duration) bool {
			mu.Lock()
			w := recordedWait{d, connects}
			mu.Unlock()
			select {
			case waits <- w:
				return true
			case <-ctx.Done():
				return false
			}
		}}
	defer startStream(s)()
	state := func() (int, int) { mu.Lock(); defer mu.Unlock(); return connects, apps["/ci/web"] }
	// wait takes the next wait, which must be nominal, jittered upwards
	// by less than half; the connections so far must be n.
	wait := func(nominal time.Duration, n int) {
		t.Helper()
		select {
		case w := <-waits:
			if w.d < nominal || w.d >= nominal*3/2 {
				t.Errorf("wait %s after connection %d, want %s to %s", w.d, n, nominal, nominal*3/2)
			}
			if w.n != n {
				t.Errorf("%d connections (re-examinations) before wait %d, want %d", w.n, n, n)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no wait after connection %d within 10s", n)
		}
	}
	until := func(what string, ok func(connects, events int) bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if ok(state()) {
				return
			}
		}
		n, ev := state()
		t.Fatalf("no %s within 10s (connections %d, events naming /ci/web %d)", what, n, ev)
	}

	for i, nominal := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second} {
		wait(nominal, i+1)
	}
	until("healthy eighth connection", func(n, _ int) bool { return n == 8 })
	req, _ := http.NewRequest(http.MethodPut, hs.URL+"/v2/apps/ci/web", strings.NewReader(`{"cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	until("event naming /ci/web", func(_, ev int) bool { return ev > 0 })
	mu.Lock()
	clock = clock.Add(streamHealthy)
	mu.Unlock()
	c.DropEventStreams()
	wait(streamBackoffFloor, 8)
	until("ninth connection", func(n, _ int) bool { return n == 9 })
	c.DropEventStreams() // open for no time by the clock
	wait(2*streamBackoffFloor, 9)
}

// TestEventStreamFailsOverWithoutWaiting: a URL that refuses the stream
// (503) is followed by the next at once, without a wait; only a stream
// that ended, or a whole round of refusals, is followed by one, and the
// waits keep growing while every URL refuses.
func TestEventStreamFailsOverWithoutWaiting(t *testing.T) {
	c := simmarathon.New(simmarathon.Options{})
	var attempts atomic.Int32
	counted := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { attempts.Add(1); h.ServeHTTP(w, r) })
	}
	good := httptest.NewServer(counted(c.Marathon()))
	broken := fault.New(1)
	_ = broken.Set(fault.Fault{Failure: fault.Unavailable})
	bad := httptest.NewServer(counted(broken.Wrap(c.Marathon())))
	defer func() { c.Close(); broken.Close(); good.Close(); bad.Close() }()

	var connects atomic.Int32
	waits := make(chan recordedWait)
	s := &eventStream{urls: []string{bad.URL, good.URL}, client: &http.Client{}, log: logr.Discard(),
		onConnect: func() { connects.Add(1) }, onEvent: func(*marathonEvent) {},
		sleep: func(ctx context.Context, d time.Duration) bool {
			select {
			case waits <- recordedWait{d, int(attempts.Load())}:
				return true
			case <-ctx.Done():
				return false
			}
		}}
	defer startStream(s)()
	// Nobody takes a wait until told to: a connection reached first was
	// reached without one.
	connected := func(n int32) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); connects.Load() < n; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d connections within 10s, want %d without a wait", connects.Load(), n)
			}
		}
	}
	wait := func(nominal time.Duration, wantAttempts int) {
		t.Helper()
		select {
		case w := <-waits:
			if w.d < nominal || w.d >= nominal*3/2 {
				t.Errorf("wait %s, want %s to %s", w.d, nominal, nominal*3/2)
			}
			if w.n != wantAttempts {
				t.Errorf("%d attempts before this wait, want %d", w.n, wantAttempts)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no wait within 10s")
		}
	}
	connected(1) // 503 from the first URL, then the second: no wait
	c.DropEventStreams()
	wait(streamBackoffFloor, 2)
	connected(2) // the same again
	if err := c.Faults.Set(fault.Fault{Match: "GET /v2/events", Failure: fault.Unavailable}); err != nil {
		t.Fatal(err)
	}
	c.DropEventStreams()
	wait(2*streamBackoffFloor, 4)
	wait(4*streamBackoffFloor, 6) // both URLs refused: one wait per round
	wait(8*streamBackoffFloor, 8)
}

// TestEventStreamStopsWhileWaiting: a context that ends during the wait
// between connections ends run at once.
func TestEventStreamStopsWhileWaiting(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "leader election in progress", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	waiting := make(chan struct{})
	var once sync.Once
	s := &eventStream{urls: []string{down.URL}, client: &http.Client{}, log: logr.Discard(),
		onConnect: func() { t.Error("connected to a Marathon that answers 503") }, onEvent: func(*marathonEvent) {},
		sleep: func(ctx context.Context, _ time.Duration) bool {
			once.Do(func() { close(waiting) })
			return sleepCtx(ctx, time.Hour)
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.run(ctx) }()
	<-waiting
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return within 5s of its context ending during a wait")
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

// startStream runs s until the returned stop, which waits for it.
func startStream(s *eventStream) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.run(ctx) }()
	return func() { cancel(); <-done }
}
