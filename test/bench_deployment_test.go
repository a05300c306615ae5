package test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	"minka/client"
	simmarathon "minka/sim/marathon"
	"minka/store/storetest"
)

// putRecorder notes when each app PUT reached the simulated Marathon.
type putRecorder struct {
	mu   sync.Mutex
	at   map[string]time.Time
	next http.Handler
}

func (p *putRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v2/apps/") {
		p.mu.Lock()
		if _, seen := p.at[r.URL.Path]; !seen {
			p.at[r.URL.Path] = time.Now()
		}
		p.mu.Unlock()
	}
	p.next.ServeHTTP(w, r)
}

func (p *putRecorder) get(path string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.at[path]
	return t, ok
}

// benchMarathon is a zero-latency simulated Marathon (tasks stage and
// pass checks at once) and a server config for it.
func benchMarathon(b *testing.B) (*putRecorder, *simmarathon.Cluster, string) {
	c := simmarathon.New(simmarathon.Options{StageDelay: time.Nanosecond, HealthDelay: time.Nanosecond,
		Agents: []simmarathon.Agent{{ID: "big-S1", Hostname: "10.0.9.1", Cpus: 1000, Mem: 1 << 20, Disk: 1 << 20, PortsLo: 31000, PortsHi: 31999}}})
	rec := &putRecorder{at: map[string]time.Time{}, next: c.Marathon()}
	m := httptest.NewServer(rec)
	ms := httptest.NewServer(c.Mesos())
	b.Cleanup(func() { c.Close(); m.Close(); ms.Close() })
	cfg := filepath.Join(b.TempDir(), "server.yaml")
	body := fmt.Sprintf("backends:\n  marathon:\n  - {name: default, urls: [%s], mesosURL: %s}\n", m.URL, ms.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	return rec, c, cfg
}

func smallDeployment(ns, name string) []byte {
	return []byte(fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":%q,"namespace":%q},`+
		`"spec":{"image":"registry.example.com/webapp:1","replicas":1,"cpus":0.01,"mem":8}}`, name, ns))
}

// BenchmarkDeploymentApplyToPut: from an API create to the app's PUT
// arriving at Marathon, one Deployment at a time.
func BenchmarkDeploymentApplyToPut(b *testing.B) {
	rec, _, cfg := benchMarathon(b)
	srv := StartServer(b, "--config", cfg, "--controllers", "deployment")
	hc := &http.Client{Timeout: 30 * time.Second}
	const n = 200
	for iter := 0; iter < b.N; iter++ {
		var lat []time.Duration
		for i := 0; i < n; i++ {
			ns, name := fmt.Sprintf("lat%d", iter), fmt.Sprintf("d%d", i)
			start := time.Now()
			resp, err := hc.Post(srv.URL+"/apis/minka.dev/v1alpha1/namespaces/"+ns+"/deployments", "application/json", bytes.NewReader(smallDeployment(ns, name)))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			path := "/v2/apps/" + ns + "/" + name
			deadline := start.Add(30 * time.Second)
			for {
				if at, ok := rec.get(path); ok {
					lat = append(lat, at.Sub(start))
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("no PUT of %s within 30s", path)
				}
				time.Sleep(200 * time.Microsecond)
			}
		}
		p50, p99 := percentiles(lat)
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		b.Logf("API create → Marathon PUT, %d Deployments one at a time: p50 %v, p99 %v", n, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond))
	}
}

// BenchmarkDeploymentConverge1000: 1,000 Deployments created at once
// (32 clients) until every one is Available against a zero-latency
// Marathon, next to 1,000 raw etcd puts of the stored bytes in the same
// etcd and run.
func BenchmarkDeploymentConverge1000(b *testing.B) {
	e := storetest.Etcd(b)
	_, _, cfg := benchMarathon(b)
	srv := StartServer(b, "--etcd-endpoints", e.Endpoints[0], "--config", cfg, "--controllers", "deployment", "--workers", "8", "--profiling")
	if f := os.Getenv("MINKA_BENCH_CPUPROFILE"); f != "" {
		go saveProfile(b, srv, f)
	}
	cli, err := client.New(client.Config{Server: srv.URL, Timeout: 30 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}, Timeout: 30 * time.Second}
	const n = 1000
	for iter := 0; iter < b.N; iter++ {
		ns := fmt.Sprintf("conv%d", iter)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		events, err := cli.Watch(ctx, deploymentKind, ns, client.WatchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		created := parallel(b, n, func(i int) error {
			resp, err := hc.Post(srv.URL+"/apis/minka.dev/v1alpha1/namespaces/"+ns+"/deployments", "application/json", bytes.NewReader(smallDeployment(ns, fmt.Sprintf("d%d", i))))
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("create d%d: %s", i, resp.Status)
			}
			return nil
		})
		ready := map[string]bool{}
		for len(ready) < n {
			ev, ok := <-events
			if !ok {
				b.Fatalf("%d of %d Available when the watch ended", len(ready), n)
			}
			if d, isDeploy := ev.Object.(*v1alpha1.Deployment); isDeploy {
				if c := meta.FindStatusCondition(d.Status.Conditions, "Available"); c != nil && c.Status == "True" {
					ready[d.Name] = true
				}
			}
		}
		cancel()
		converged := time.Since(start)
		stored, err := e.Client.Get(context.Background(), "/minka/deployments/"+ns+"/d0")
		if err != nil || len(stored.Kvs) == 0 {
			b.Fatalf("reading a stored object: %v", err)
		}
		value := string(stored.Kvs[0].Value)
		raw := parallel(b, n, func(i int) error {
			_, err := e.Client.Put(context.Background(), fmt.Sprintf("/bench/raw/%s/d%d", ns, i), value)
			return err
		})
		for _, m := range []string{`controller_runtime_reconcile_total{controller="deployment",result="success"}`,
			`controller_runtime_reconcile_total{controller="deployment",result="requeue_after"}`,
			`controller_runtime_reconcile_total{controller="deployment",result="error"}`} {
			b.Logf("%s %s", m, metric(b, srv, m))
		}
		b.ReportMetric(converged.Seconds(), "converge-s")
		b.ReportMetric(raw.Seconds()*1000, "raw-etcd-ms")
		b.Logf("%d Deployments: created in %v, all Available after %v (%.0f/s); %d raw etcd puts of the %d-byte stored object: %v",
			n, created.Round(time.Millisecond), converged.Round(time.Millisecond), float64(n)/converged.Seconds(), n, len(value), raw.Round(time.Millisecond))
	}
}
