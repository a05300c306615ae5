package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/client-go/util/workqueue"
)

func run(t *testing.T, c *Controller) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = c.Start(ctx); close(done) }()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("controller did not stop within 10s")
		}
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestQueueDeduplicatesWaitingKeys(t *testing.T) {
	var calls atomic.Int32
	gate := make(chan struct{})
	c := NewController("dedup", Func(func(ctx context.Context, req Request) (Result, error) {
		if req.Name == "block" {
			<-gate
		}
		calls.Add(1)
		return Result{}, nil
	}), Options{Log: logr.Discard()})
	c.Enqueue(Request{Name: "block"}) // occupies the only worker
	stop := run(t, c)
	defer stop()
	eventually(t, "the blocking key to be taken", func() bool { return c.Len() == 0 })
	for i := 0; i < 100; i++ {
		c.Enqueue(Request{Namespace: "ci", Name: "web"})
	}
	if n := c.Len(); n != 1 {
		t.Errorf("100 adds of one key: queue length %d, want 1", n)
	}
	close(gate)
	eventually(t, "both keys reconciled", func() bool { return calls.Load() == 2 })
	time.Sleep(50 * time.Millisecond)
	if n := calls.Load(); n != 2 {
		t.Errorf("%d reconciles, want 2 (block once, web once)", n)
	}
}

// TestOneWorkerPerKey: 8 workers, 4 keys re-added while being reconciled;
// a key is never reconciled by two workers at once, and every add made
// during a reconcile leads to one more reconcile.
func TestOneWorkerPerKey(t *testing.T) {
	var (
		mu       sync.Mutex
		inFlight = map[string]bool{}
		overlaps atomic.Int32
		total    atomic.Int32
		c        *Controller
	)
	c = NewController("serial", Func(func(ctx context.Context, req Request) (Result, error) {
		mu.Lock()
		if inFlight[req.Name] {
			overlaps.Add(1)
		}
		inFlight[req.Name] = true
		mu.Unlock()
		if total.Add(1) < 400 {
			c.Enqueue(req) // re-added while in flight: must wait for this one
		}
		time.Sleep(time.Millisecond)
		mu.Lock()
		inFlight[req.Name] = false
		mu.Unlock()
		return Result{}, nil
	}), Options{Workers: 8, Log: logr.Discard()})
	for i := 0; i < 4; i++ {
		c.Enqueue(Request{Name: fmt.Sprint("k", i)})
	}
	stop := run(t, c)
	eventually(t, "400 reconciles", func() bool { return total.Load() >= 400 })
	stop()
	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d times a key was reconciled by two workers at once", n)
	}
}

func TestBackoffGrowsAndResets(t *testing.T) {
	const base = 20 * time.Millisecond
	var (
		mu       sync.Mutex
		attempts []time.Time
		fail     atomic.Int32
	)
	fail.Store(4)
	limiter := workqueue.NewTypedItemExponentialFailureRateLimiter[Request](base, time.Second)
	var c *Controller
	req := Request{Name: "flaky"}
	c = NewController("backoff", Func(func(ctx context.Context, r Request) (Result, error) {
		mu.Lock()
		attempts = append(attempts, time.Now())
		mu.Unlock()
		if fail.Add(-1) >= 0 {
			return Result{}, errors.New("backend down")
		}
		return Result{}, nil
	}), Options{RateLimiter: limiter, Log: logr.Discard()})
	c.Enqueue(req)
	stop := run(t, c)
	defer stop()
	eventually(t, "5 attempts", func() bool { mu.Lock(); defer mu.Unlock(); return len(attempts) == 5 })
	mu.Lock()
	for i := 1; i < len(attempts); i++ {
		want := base << (i - 1) // 20, 40, 80, 160 ms
		if gap := attempts[i].Sub(attempts[i-1]); gap < want {
			t.Errorf("retry %d came after %v, want >= %v (exponential backoff)", i, gap, want)
		}
	}
	mu.Unlock()
	eventually(t, "the success to reset the backoff", func() bool { return limiter.NumRequeues(req) == 0 })
	fail.Store(1)
	c.Enqueue(req)
	eventually(t, "one failure after the reset", func() bool { return limiter.NumRequeues(req) >= 1 })
	if d := limiter.When(req); d != base<<1 {
		t.Errorf("after a reset and one failure the next delay is %v, want %v: the backoff did not restart", d, base<<1)
	}
}

func TestPanicIsAnErrorAndOthersProceed(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	var good atomic.Int32
	c := NewController("panicky", Func(func(ctx context.Context, req Request) (Result, error) {
		if req.Name == "broken" {
			panic("nil map somewhere")
		}
		good.Add(1)
		return Result{}, nil
	}), Options{Workers: 1, Log: logr.Discard(), Metrics: m,
		RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[Request](time.Millisecond, 10*time.Millisecond)})
	c.Enqueue(Request{Name: "broken"})
	for i := 0; i < 20; i++ {
		c.Enqueue(Request{Name: fmt.Sprint("ok", i)})
	}
	stop := run(t, c)
	eventually(t, "the healthy keys", func() bool { return good.Load() == 20 })
	eventually(t, "panics counted", func() bool { return testutil.ToFloat64(m.panics.WithLabelValues("panicky")) >= 2 })
	stop()
	if v := testutil.ToFloat64(m.reconcileTotal.WithLabelValues("panicky", "success")); v != 20 {
		t.Errorf("controller_runtime_reconcile_total{result=success} = %v, want 20", v)
	}
	if v := testutil.ToFloat64(m.retries.WithLabelValues("panicky", "panicky")); v < 2 {
		t.Errorf("workqueue_retries_total = %v, want >= 2", v)
	}
}

func TestRequeueAfterAndTerminal(t *testing.T) {
	var calls atomic.Int32
	c := NewController("waits", Func(func(ctx context.Context, req Request) (Result, error) {
		n := calls.Add(1)
		if req.Name == "hopeless" {
			return Result{}, TerminalError(errors.New("image name can never resolve"))
		}
		if n < 3 {
			return Result{RequeueAfter: 10 * time.Millisecond}, nil
		}
		return Result{}, nil
	}), Options{Log: logr.Discard()})
	c.Enqueue(Request{Name: "waiting"})
	stop := run(t, c)
	eventually(t, "3 reconciles via RequeueAfter", func() bool { return calls.Load() == 3 })
	c.Enqueue(Request{Name: "hopeless"})
	eventually(t, "the terminal one", func() bool { return calls.Load() == 4 })
	time.Sleep(100 * time.Millisecond)
	stop()
	if n := calls.Load(); n != 4 {
		t.Errorf("%d reconciles, want 4: a terminal error must not be retried", n)
	}
}

// TestBackendRateLimiter: backoff grows, but never past a minute.
func TestBackendRateLimiter(t *testing.T) {
	rl := BackendRateLimiter()
	req := Request{Namespace: "ci", Name: "web"}
	var last time.Duration
	for i := 0; i < 30; i++ {
		last = rl.When(req)
	}
	if first := BackendRateLimiter().When(req); first != 50*time.Millisecond || last != time.Minute {
		t.Errorf("backoff: first %v, after 30 failures %v; want 50ms and 1m", first, last)
	}
}

// A reconcile that waits on its context (a hung backend call) ends at the
// controller's Timeout and frees the worker for the next key.
func TestReconcileTimeoutFreesTheWorker(t *testing.T) {
	var done atomic.Int32
	var hungErr atomic.Value
	c := NewController("timeout", Func(func(ctx context.Context, req Request) (Result, error) {
		if req.Name == "hung" {
			<-ctx.Done()
			hungErr.Store(ctx.Err())
			return Result{}, TerminalError(ctx.Err())
		}
		done.Add(1)
		return Result{}, nil
	}), Options{Log: logr.Discard(), Timeout: 100 * time.Millisecond})
	c.Enqueue(Request{Name: "hung"})
	c.Enqueue(Request{Name: "next"})
	stop := run(t, c)
	defer stop()
	eventually(t, "the key behind the hung one", func() bool { return done.Load() == 1 })
	if err, _ := hungErr.Load().(error); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the hung reconcile's context ended with %v, want its deadline", err)
	}
}
