package test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minka/store/storetest"
)

// BenchmarkWebhookPushes sends signed GitHub pushes (each a new delivery
// to a followed branch, so each stores a Build and records the delivery)
// to one Pipeline through `minka server` with 32 concurrent clients, and
// puts as many values of the stored Build's bytes straight into the same
// etcd with 32 goroutines, in the same run: pushes accepted per second
// next to raw etcd puts per second.
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
		pushes := parallel(b, n, func(i int) error {
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
		raw := parallel(b, n, func(i int) error {
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
