package test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/store/storetest"
	"minka/test/e2e"
)

// seed creates n objects through the API: Pipelines, and Builds owned by
// them, so that the garbage collector has owners to check on every resync.
func seed(t testing.TB, s *Server, n int) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := 0; i < n/2; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p := fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Pipeline","metadata":{"name":"p%d","namespace":"rest"},`+
				`"spec":{"job":"build","source":{"git":"https://git.example.com/x.git"}}}`, i)
			r := post(s, "pipelines", p)
			uid := r["metadata"].(map[string]any)["uid"].(string)
			b := fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Build","metadata":{"name":"p%d-1","namespace":"rest",`+
				`"ownerReferences":[{"apiVersion":"minka.dev/v1alpha1","kind":"Pipeline","name":"p%d","uid":%q}]},"spec":{"pipeline":"p%d","branch":"master"}}`, i, i, uid, i)
			post(s, "builds", b)
		}()
	}
	wg.Wait()
}

func post(s *Server, plural, body string) map[string]any {
	resp, err := http.Post(s.URL+"/apis/minka.dev/v1alpha1/namespaces/rest/"+plural, "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return m
}

// cpuSeconds is a process's user+system CPU time, in seconds.
func cpuSeconds(pid int) float64 {
	d, err := e2e.ProcessCPU(pid)
	if err != nil {
		return -1
	}
	return d.Seconds()
}

// atRest seeds n objects, lets the controllers settle, then watches the
// etcd revision and the server's CPU for window.
func atRest(t testing.TB, n int, settle, window time.Duration, extra ...string) (revDelta int64, cpu float64) {
	e := storetest.Etcd(t)
	args := append([]string{"--etcd-endpoints", e.Endpoints[0]}, extra...)
	s := StartServer(t, args...)
	seed(t, s, n)
	time.Sleep(settle)
	ctx := context.Background()
	// Settled is a revision that held for a second (within a minute): on
	// a busy machine the seeds' reconciles may still be landing after
	// settle, and those writes are not the system at rest.
	rev := func() int64 {
		r, _ := e.Client.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		return r.Header.Revision
	}
	for last, deadline := rev(), time.Now().Add(time.Minute); time.Now().Before(deadline); {
		time.Sleep(time.Second)
		cur := rev()
		if cur == last {
			break
		}
		last = cur
	}
	r0, _ := e.Client.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	c0 := cpuSeconds(s.Pid())
	time.Sleep(window)
	r1, _ := e.Client.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	c1 := cpuSeconds(s.Pid())
	return r1.Header.Revision - r0.Header.Revision, c1 - c0
}

// TestAtRestWritesNothing: with controllers running and resyncing every
// second, a settled system makes no etcd write at all.
func TestAtRestWritesNothing(t *testing.T) {
	delta, cpu := atRest(t, 200, 2*time.Second, 5*time.Second, "--resync", "1s")
	if delta != 0 {
		t.Errorf("the etcd revision moved by %d at rest", delta)
	}
	t.Logf("200 objects, resync 1s, 5s at rest: revision +%d, server CPU %.2fs", delta, cpu)
}

// BenchmarkAtRest is the figure: 1,000 objects, 30 s with the
// controllers running (default resync), etcd revision and server CPU.
func BenchmarkAtRest(b *testing.B) {
	for i := 0; i < b.N; i++ {
		delta, cpu := atRest(b, 1000, 5*time.Second, 30*time.Second)
		if delta != 0 {
			b.Errorf("the etcd revision moved by %d at rest", delta)
		}
		b.ReportMetric(float64(delta), "revisions")
		b.ReportMetric(cpu*1000/30, "server-cpu-ms/s")
		b.Logf("1000 objects, 30s at rest: revision +%d, server CPU %.3fs (%.1f ms per second)", delta, cpu, cpu*1000/30)
	}
}
