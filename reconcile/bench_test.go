package reconcile

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/sync/errgroup"

	"minka/store/storetest"
)

// BenchmarkColdStart: 10,000 Deployments in etcd; an informer and a no-op
// controller start cold. It reports objects reconciled per second from
// Start to the last reconcile, and the informer's heap per cached object.
func BenchmarkColdStart(b *testing.B) {
	const n = 10000
	st, _ := storetest.Store(b)
	var g errgroup.Group
	g.SetLimit(32)
	for i := 0; i < n; i++ {
		g.Go(func() error {
			_, err := st.Create(context.Background(), deploy(fmt.Sprintf("ns%d", i%10), fmt.Sprintf("d%d", i), map[string]string{"app": "bench"}))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		var done atomic.Int64
		all := make(chan struct{})
		var once sync.Once
		c := NewController("noop", Func(func(ctx context.Context, req Request) (Result, error) {
			if done.Add(1) == n {
				once.Do(func() { close(all) })
			}
			return Result{}, nil
		}), Options{Workers: 2, Log: logr.Discard()})
		inf := NewInformer(st, deployKind, InformerOptions{Log: logr.Discard()})
		inf.AddEventHandler(EnqueueObject(c))
		before := heap()
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		go func() { _ = inf.Start(ctx) }()
		go func() { _ = c.Start(ctx) }()
		inf.WaitForSync(ctx)
		synced := time.Since(start)
		perObject := float64(heap()-before) / float64(inf.Len())
		select {
		case <-all:
		case <-time.After(2 * time.Minute):
			b.Fatalf("%d of %d reconciled after 2 minutes", done.Load(), n)
		}
		elapsed := time.Since(start)
		cancel()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "objects/s")
		b.ReportMetric(perObject, "informer-bytes/object")
		b.Logf("%d objects: cache synced in %v, all reconciled in %v (%.0f objects/s); informer heap %.0f bytes/object",
			n, synced.Round(time.Millisecond), elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), perObject)
	}
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
