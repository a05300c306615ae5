package reconcile

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"minka/store"
	"minka/store/storetest"
)

type term struct {
	who        string
	fence      store.Fence
	start, end time.Time
}

type terms struct {
	mu  sync.Mutex
	all []*term
}

func (ts *terms) lead(who string) func(ctx context.Context, f store.Fence) error {
	return func(ctx context.Context, f store.Fence) error {
		t := &term{who: who, fence: f, start: time.Now()}
		ts.mu.Lock()
		ts.all = append(ts.all, t)
		ts.mu.Unlock()
		<-ctx.Done()
		ts.mu.Lock()
		t.end = time.Now()
		ts.mu.Unlock()
		return nil
	}
}

func (ts *terms) leaders() []*term {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]*term(nil), ts.all...)
}

func TestElectionFailoverAndFencing(t *testing.T) {
	e := storetest.Etcd(t)
	const lease = 2 * time.Second
	newClient := func() *clientv3.Client {
		c, err := clientv3.New(clientv3.Config{Endpoints: e.Endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ts := &terms{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	start := func(who string, cli *clientv3.Client) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = NewElector(cli, ElectorOptions{Identity: who, LeaseDuration: lease, Log: logr.Discard()}).Run(ctx, ts.lead(who))
		}()
	}
	cliA := newClient()
	start("a", cliA)
	eventually(t, "a to lead", func() bool { return len(ts.leaders()) == 1 })
	cliB := newClient()
	defer cliB.Close()
	start("b", cliB)
	time.Sleep(lease) // b campaigns and must not win while a lives
	if n := len(ts.leaders()); n != 1 {
		t.Fatalf("%d leaders while the first is alive, want 1", n)
	}
	crash := time.Now()
	cliA.Close() // a dies without resigning: only the lease's expiry frees the key
	eventually(t, "b to lead", func() bool { return len(ts.leaders()) == 2 })
	all := ts.leaders()
	a, b := all[0], all[1]
	if b.who != "b" {
		t.Fatalf("second leader is %s", b.who)
	}
	if took := b.start.Sub(crash); took > lease+2*time.Second {
		t.Errorf("failover took %v, want within the lease (%v) plus slack", took, lease)
	}
	ts.mu.Lock()
	if a.end.IsZero() || a.end.After(b.start) {
		t.Errorf("terms overlap: a ended %v, b started %v", a.end, b.start)
	}
	ts.mu.Unlock()
	t.Logf("failover %v after the crash; a stepped down %v before b started", b.start.Sub(crash), b.start.Sub(a.end))

	st := store.New(e.Client, store.Options{})
	_, err := st.WithFence(a.fence).Create(context.Background(), deploy("ci", "late", nil))
	if !errors.Is(err, store.ErrFenced) {
		t.Errorf("a write under the deposed leader's fence: err = %v, want ErrFenced", err)
	}
	if _, err := st.WithFence(b.fence).Create(context.Background(), deploy("ci", "ok", nil)); err != nil {
		t.Errorf("a write under the current leader's fence: %v", err)
	}
	cancel()
	wg.Wait()
}

func TestGracefulHandoverIsImmediate(t *testing.T) {
	e := storetest.Etcd(t)
	ts := &terms{}
	actx, acancel := context.WithCancel(context.Background())
	bctx, bcancel := context.WithCancel(context.Background())
	defer bcancel()
	var wg sync.WaitGroup
	run := func(ctx context.Context, who string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = NewElector(e.Client, ElectorOptions{Identity: who, LeaseDuration: 15 * time.Second, Log: logr.Discard()}).Run(ctx, ts.lead(who))
		}()
	}
	run(actx, "a")
	eventually(t, "a to lead", func() bool { return len(ts.leaders()) == 1 })
	run(bctx, "b")
	stop := time.Now()
	acancel() // a shuts down cleanly: it resigns and revokes its lease
	eventually(t, "b to lead", func() bool { return len(ts.leaders()) == 2 })
	if took := ts.leaders()[1].start.Sub(stop); took > 5*time.Second {
		t.Errorf("handover after a clean stop took %v; a resigned leader must not make b wait for the 15s lease", took)
	}
	bcancel()
	wg.Wait()
}

// TestFailedTermCampaignsAgain: a term whose work fails at once (a
// controller that cannot be set up) must end, resign, and campaign again,
// not hang.
func TestFailedTermCampaignsAgain(t *testing.T) {
	e := storetest.Etcd(t)
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = NewElector(e.Client, ElectorOptions{Identity: "a", LeaseDuration: 5 * time.Second, Log: logr.Discard()}).Run(ctx,
			func(ctx context.Context, _ store.Fence) error {
				if calls.Add(1) == 1 {
					return errors.New("setting up: broken")
				}
				<-ctx.Done()
				return nil
			})
		close(done)
	}()
	eventually(t, "a second term", func() bool { return calls.Load() == 2 })
	cancel()
	<-done
}
