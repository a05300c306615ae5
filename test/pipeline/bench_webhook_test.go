package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"minka/sim/jenkins"
	"minka/store/storetest"
	"minka/test/e2e"
)

// BenchmarkWebhookPushes sends signed GitHub pushes (each a new delivery
// to a followed branch, so each stores a Build and records the delivery)
// to one Pipeline through `minka server` with 32 concurrent clients, and
// puts as many values of the stored Build's bytes straight into the same
// etcd with 32 goroutines, in the same run: pushes accepted per second
// next to raw etcd puts per second.
// benchClients is the concurrency of the throughput benchmarks, as in
// test/.
const benchClients = 32

func BenchmarkWebhookPushes(b *testing.B) {
	e := storetest.Etcd(b)
	dir := b.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "hook"), []byte("bench-secret\n"), 0o600)
	cfg := filepath.Join(dir, "server.yaml")
	_ = os.WriteFile(cfg, []byte("secrets:\n- {name: hook, file: "+filepath.Join(dir, "hook")+"}\n"), 0o600)
	srv := StartServer(b, "--etcd-endpoints", e.Endpoints[0], "--config", cfg, "--controllers", "none")
	apply(b, srv, `apiVersion: minka.dev/v1alpha1
kind: Pipeline
metadata: {name: webapp, namespace: ci}
spec:
  job: webapp-build
  source: {git: "https://git.example.com/webapp.git", branches: [main]}
  trigger: {webhook: {secretRef: hook}}
`)
	const n = 1000
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}, Timeout: 30 * time.Second}
	for iter := 0; iter < b.N; iter++ {
		pushes := e2e.Parallel(b, n, benchClients, func(i int) error {
			body := githubPush("refs/heads/main", fmt.Sprintf("%040x", iter*n+i+1), "bench", false)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/git/ci/webapp", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", "push")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("bench-%d-%d", iter, i))
			req.Header.Set("X-Hub-Signature-256", sign("bench-secret", body))
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("push %d: %s", i, resp.Status)
			}
			return nil
		})
		stored, err := e.Client.Get(context.Background(), "/minka/builds/ci/webapp-1")
		if err != nil || len(stored.Kvs) == 0 {
			b.Fatalf("reading a stored Build: %v", err)
		}
		value := string(stored.Kvs[0].Value)
		raw := e2e.Parallel(b, n, benchClients, func(i int) error {
			_, err := e.Client.Put(context.Background(), fmt.Sprintf("/bench/raw/%d/b%d", iter, i), value)
			return err
		})
		pushRate, rawRate := float64(n)/pushes.Seconds(), float64(n)/raw.Seconds()
		b.ReportMetric(pushRate, "pushes/s")
		b.ReportMetric(rawRate, "etcd-puts/s")
		b.ReportMetric(pushRate/rawRate, "ratio")
		b.Logf("%d signed pushes, %d clients: %.0f accepted/s (each a Build and a delivery record); raw etcd %.0f puts/s of the %d-byte Build; ratio %.3f",
			n, benchClients, pushRate, rawRate, len(value), pushRate/rawRate)
	}
}

// BenchmarkWebhookToJenkins: signed pushes (each a new commit's head) to
// a Pipeline through `minka server` with the pipeline controller; for
// each, the time from sending the delivery to Jenkins receiving the
// build request that carries its Build's MINKA_BUILD (the simulator
// records each request's arrival): 20 pushes one at a time, then a burst
// of 200 from 4 clients. The baseline, in the same run, is a
// buildWithParameters sent straight to the same Jenkins: what one Jenkins
// round trip costs.
func BenchmarkWebhookToJenkins(b *testing.B) {
	e := startBuildWorld(b, jenkins.Options{BuiltInExecutors: 16, BuildDuration: 50 * time.Millisecond}, "")
	s, _ := buildServer(b, e, "--controllers", "pipeline")
	apply(b, s, e.pipelineManifest("webapp", "  historyLimit: 1000\n"))
	const single, burst, clients = 20, 200, 4
	shas := make([]string, (single+burst)*b.N)
	for i := range shas {
		var err error
		if shas[i], err = e.git.Commit("master", fmt.Sprintf("bench %d", i), map[string]string{"n.txt": fmt.Sprint(i)}); err != nil {
			b.Fatal(err)
		}
	}
	next := 0
	// pushes sends n pushes from clients goroutines, each after gap, and
	// returns each one's delivery → Jenkins request latency.
	pushes := func(n, clients int, gap time.Duration) []time.Duration {
		sent, names := make([]time.Time, n), make([]string, n)
		first := next
		next += n
		e2e.Parallel(b, n, clients, func(i int) error {
			time.Sleep(gap)
			sent[i] = time.Now()
			code, body := pushGitHub(b, s, "webapp", fmt.Sprintf("bench-%d", first+i), "master", shas[first+i])
			if code != http.StatusCreated {
				return fmt.Errorf("push %d: %d %s", i, code, body)
			}
			var a struct{ Build string }
			if err := json.Unmarshal([]byte(body), &a); err != nil {
				return err
			}
			names[i] = a.Build
			return nil
		})
		deadline := time.Now().Add(2 * time.Minute)
		for {
			at := map[string]time.Time{}
			for _, r := range e.jenkins.BuildRequests("webapp-build") {
				at[r.Params["MINKA_BUILD"]] = r.Time
			}
			var lat []time.Duration
			for i, name := range names {
				if t, ok := at["ci/"+name]; ok {
					lat = append(lat, t.Sub(sent[i]))
				}
			}
			if len(lat) == n {
				return lat
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d pushes reached Jenkins within 2 minutes", len(lat), n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	p := func(d []time.Duration, q float64) time.Duration {
		sorted := append([]time.Duration(nil), d...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		return sorted[int(q*float64(len(sorted)-1))]
	}
	for iter := 0; iter < b.N; iter++ {
		one := pushes(single, 1, 250*time.Millisecond)
		many := pushes(burst, clients, 0)
		base := make([]time.Duration, 0, burst)
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for i := 0; i < burst; i++ {
			t0 := time.Now()
			req, _ := http.NewRequest(http.MethodPost, e.jkURL+"/job/webapp-build/buildWithParameters?MINKA_BUILD=raw-"+fmt.Sprint(iter, i), nil)
			req.SetBasicAuth("admin", "token")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			base = append(base, time.Since(t0))
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(p(one, 0.5)), "p50-ms")
		b.ReportMetric(ms(p(one, 0.99)), "p99-ms")
		b.ReportMetric(ms(p(many, 0.5)), "burst-p50-ms")
		b.ReportMetric(ms(p(many, 0.99)), "burst-p99-ms")
		b.ReportMetric(ms(p(base, 0.5)), "raw-p50-ms")
		b.Logf("delivery sent → Jenkins build requested: %d pushes one at a time p50 %v p99 %v; a burst of %d from %d clients p50 %v p99 %v; "+
			"a direct buildWithParameters p50 %v p99 %v", single, p(one, 0.5).Round(100*time.Microsecond), p(one, 0.99).Round(100*time.Microsecond),
			burst, clients, p(many, 0.5).Round(100*time.Microsecond), p(many, 0.99).Round(100*time.Microsecond),
			p(base, 0.5).Round(10*time.Microsecond), p(base, 0.99).Round(10*time.Microsecond))
	}
}
