package test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	"minka/client"
	simmarathon "minka/sim/marathon"
	simos "minka/sim/openstack"
	"minka/sim/reqcount"
)

// BenchmarkBackendsAtRest: what N Deployments and M SlavePools at rest
// cost their backends, counted by the simulators over a fixed window,
// with the informers' resync short enough to fall inside it. The targets:
// Marathon nothing beyond the event stream and one app list per resync
// (not one GET per Deployment), Jenkins one queue read per poll and one
// nodes read per nodes poll, Nova one server list per pool resync.
func BenchmarkBackendsAtRest(b *testing.B) {
	const deployments, pools, resync, window = 200, 10, 15 * time.Second, 30 * time.Second
	for iter := 0; iter < b.N; iter++ {
		e := startPoolWorld(b, simos.Options{Quota: simos.Quota{Instances: 100, Cores: 1000, RAM: 1 << 24, Volumes: 100, Gigabytes: 10000}})
		mc := simmarathon.New(simmarathon.Options{StageDelay: time.Nanosecond, HealthDelay: time.Nanosecond,
			Agents: []simmarathon.Agent{{ID: "big-S1", Hostname: "10.0.9.1", Cpus: 1000, Mem: 1 << 20, Disk: 1 << 20, PortsLo: 31000, PortsHi: 31999}}})
		m, ms := httptest.NewServer(mc.Marathon()), httptest.NewServer(mc.Mesos())
		b.Cleanup(func() { mc.Close(); m.Close(); ms.Close() })
		cfg, err := os.ReadFile(e.config)
		if err != nil {
			b.Fatal(err)
		}
		cfg = append(cfg, fmt.Sprintf("  marathon:\n  - {name: default, urls: [%s], mesosURL: %s}\n", m.URL, ms.URL)...)
		if err := os.WriteFile(e.config, cfg, 0o600); err != nil {
			b.Fatal(err)
		}
		s := StartServer(b, "--config", e.config, "--controllers", "deployment,slavepool", "--resync", resync.String())
		cli, err := client.New(client.Config{Server: s.URL, Timeout: 30 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		hc := &http.Client{Timeout: 30 * time.Second}
		for i := 0; i < deployments; i++ {
			resp, err := hc.Post(s.URL+"/apis/minka.dev/v1alpha1/namespaces/rest/deployments", "application/json", bytes.NewReader(smallDeployment("rest", fmt.Sprintf("d%d", i))))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		for i := 0; i < pools; i++ {
			extra := "  replicas: 1\n  maxReplicas: 2\n" // one agent online
			if i%2 == 1 {
				extra = "  executors: 1\n  minReplicas: 0\n  maxReplicas: 4\n  autoscale: {enabled: true}\n" // none
			}
			apply(b, s, poolManifest(fmt.Sprintf("pool%d", i), fmt.Sprintf("pool%d", i), extra))
		}
		settled := func() bool {
			ds, err := cli.List(context.Background(), deploymentKind, "rest", client.ListOptions{})
			if err != nil {
				b.Fatal(err)
			}
			ok := 0
			for _, o := range ds.GetItems() {
				if c := meta.FindStatusCondition(o.(*v1alpha1.Deployment).Status.Conditions, "Available"); c != nil && c.Status == "True" {
					ok++
				}
			}
			ps, err := cli.List(context.Background(), slavePoolKind, "ci", client.ListOptions{})
			if err != nil {
				b.Fatal(err)
			}
			ready := 0
			for _, o := range ps.GetItems() {
				if c := meta.FindStatusCondition(o.(*v1alpha1.SlavePool).Status.Conditions, "Ready"); c != nil && c.Status == "True" {
					ready++
				}
			}
			return ok == deployments && ready == pools
		}
		for deadline := time.Now().Add(2 * time.Minute); !settled(); time.Sleep(500 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("%d Deployments and %d SlavePools not settled within 2 minutes", deployments, pools)
			}
		}
		time.Sleep(3 * time.Second) // the last status writes and wake-ups
		counters := []struct {
			name string
			c    *reqcount.Counter
		}{{"marathon", &mc.Requests}, {"mesos", &mc.MesosRequests}, {"jenkins", &e.jenkins.Requests}, {"openstack", &e.cloud.Requests}}
		for _, c := range counters {
			c.c.Reset()
		}
		time.Sleep(window)
		b.Logf("%d Deployments (1 Marathon) and %d SlavePools (1 Jenkins, 1 cloud, %d agents online) at rest for %v, --resync %v:",
			deployments, pools, pools/2, window, resync)
		for _, c := range counters {
			rate, paths := perSecond(c.c, window)
			b.ReportMetric(rate, c.name+"-req/s")
			b.Logf("  %s: %.2f requests/s: %s", c.name, rate, paths)
		}
		appGets := 0.0
		for k, n := range mc.Requests.Counts() {
			if strings.HasPrefix(k, "GET /v2/apps/") && k != "GET /v2/apps/" {
				appGets += float64(n)
			}
		}
		b.ReportMetric(appGets, "marathon-app-GETs")
		b.Logf("  Marathon per-app GETs in the window: %.0f (before the shared list: %d per resync, one per Deployment)", appGets, deployments)
	}
}

// perSecond is perMinute's per-second form, paths folded the same way.
func perSecond(c *reqcount.Counter, d time.Duration) (float64, string) {
	sums := map[string]int64{}
	var all int64
	for k, n := range c.Counts() {
		sums[foldPath(k)] += n
		all += n
	}
	var keys []string
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d (%.3f/s)", k, sums[k], float64(sums[k])/d.Seconds()))
	}
	if len(parts) == 0 {
		return 0, "none"
	}
	return float64(all) / d.Seconds(), strings.Join(parts, ", ")
}
