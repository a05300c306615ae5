package readcache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestCache(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		reason string
		steps  func(c *Cache[int], clk *clock)
		reads  int32
	}{
		{"a second Get within maxAge is served from the cache", func(c *Cache[int], clk *clock) {
			c.Get(ctx, time.Second)
			clk.add(500 * time.Millisecond)
			c.Get(ctx, time.Second)
		}, 1},
		{"past maxAge the backend is read again", func(c *Cache[int], clk *clock) {
			c.Get(ctx, time.Second)
			clk.add(1500 * time.Millisecond)
			c.Get(ctx, time.Second)
		}, 2},
		{"maxAge 0 always reads", func(c *Cache[int], clk *clock) {
			c.Get(ctx, time.Second)
			c.Get(ctx, 0)
		}, 2},
		{"Forget after a write attempt makes the next Get read", func(c *Cache[int], clk *clock) {
			c.Get(ctx, time.Minute)
			c.Forget()
			c.Get(ctx, time.Minute)
		}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			clk := &clock{t: time.Unix(1000, 0)}
			var reads atomic.Int32
			c := New(func(context.Context) (int, error) { return int(reads.Add(1)), nil }, clk.now)
			tc.steps(c, clk)
			if got := reads.Load(); got != tc.reads {
				t.Errorf("backend reads: want %d, got %d", tc.reads, got)
			}
		})
	}
}

// A read in flight when Forget is called predates the write: its value is
// handed to the callers that joined it but never cached, and a caller
// after Forget does not join it.
func TestForgetDetachesReadsInFlight(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	var reads atomic.Int32
	c := New(func(context.Context) (int, error) {
		n := reads.Add(1)
		if n == 1 {
			<-release
		}
		return int(n), nil
	}, nil)
	first := make(chan int)
	go func() { v, _, _ := c.Get(ctx, time.Minute); first <- v }()
	for reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Forget() // a write attempt while the first read hangs
	if v, _, _ := c.Get(ctx, time.Minute); v != 2 {
		t.Fatalf("a Get after Forget joined the older read: got %d, want 2", v)
	}
	close(release)
	if v := <-first; v != 1 {
		t.Fatalf("the first caller got %d, want 1", v)
	}
	if v, _, _ := c.Get(ctx, time.Minute); v != 2 {
		t.Fatalf("the read begun before Forget replaced the fresher value: got %d, want 2", v)
	}
}

func TestConcurrentCallersShareOneRead(t *testing.T) {
	var reads atomic.Int32
	gate := make(chan struct{})
	c := New(func(context.Context) (int, error) { reads.Add(1); <-gate; return 7, nil }, nil)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); c.Get(context.Background(), time.Second) }()
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("20 concurrent callers made %d reads, want 1", n)
	}
}

// A hung read holds no lock: a caller whose context ends returns, and
// Forget does not wait for it.
func TestHungReadBlocksNobody(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	c := New(func(context.Context) (int, error) { <-hang; return 0, nil }, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.Get(ctx, time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get on a hung read: %v, want the caller's deadline", err)
	}
	done := make(chan struct{})
	go func() { c.Forget(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Forget waited for a hung read")
	}
}

func TestErrorsAreNotCached(t *testing.T) {
	var reads atomic.Int32
	c := New(func(context.Context) (int, error) {
		if reads.Add(1) == 1 {
			return 0, errors.New("503")
		}
		return 1, nil
	}, nil)
	if _, _, err := c.Get(context.Background(), time.Minute); err == nil {
		t.Fatal("want the first read's error")
	}
	if v, _, err := c.Get(context.Background(), time.Minute); err != nil || v != 1 {
		t.Fatalf("after an error: %v %v, want 1 from a fresh read", v, err)
	}
}
