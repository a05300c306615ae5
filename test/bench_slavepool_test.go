package test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"minka/controllers/slavepool"
	simos "minka/sim/openstack"
	"minka/sim/reqcount"
)

// pollIntervals are the controller's default Jenkins periods, as the
// server under test runs them.
func pollIntervals() string {
	p := slavepool.DefaultPoll
	return fmt.Sprintf("queue every %v at rest, queue and nodes every %v while builds wait or agents change, nodes every %v at rest", p, p/2, 4*p)
}

// perMinute sums a simulator's counts by "METHOD path" into requests per
// minute over d, agent paths (/computer/NAME/...) folded into one.
func perMinute(c *reqcount.Counter, d time.Duration) (total float64, byPath string) {
	sums := map[string]int64{}
	for k, n := range c.Counts() {
		sums[foldPath(k)] += n
	}
	var keys []string
	var all int64
	for k, n := range sums {
		keys = append(keys, k)
		all += n
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.1f", k, float64(sums[k])/d.Minutes()))
	}
	return float64(all) / d.Minutes(), strings.Join(parts, ", ")
}

// foldPath folds the names in a path: Jenkins agents and jobs, Nova
// servers, Marathon apps.
func foldPath(k string) string {
	method, path, _ := strings.Cut(k, " ")
	seg := strings.Split(path, "/")
	for i := 1; i < len(seg); i++ {
		switch seg[i-1] {
		case "computer", "job", "servers":
			if seg[i] != "api" && seg[i] != "detail" && seg[i] != "doCreateItem" && seg[i] != "" {
				seg[i] = "*"
			}
		}
	}
	if strings.HasPrefix(path, "/v2/apps/") && !strings.HasSuffix(path, "/v2/apps/") {
		seg = []string{"", "v2", "apps", "*"}
	}
	return method + " " + strings.Join(seg, "/")
}

// BenchmarkSlavePoolStuckToCreate: from a build queued on a label no
// agent has to the Nova create call for a new agent (mita polls every
// 30 s), the Jenkins requests per minute meanwhile, at rest after, and
// how many agents 12 stuck builds get on 1-executor agents (mita: 9, then
// 9 more = 18; minka's goal: exactly 12).
func BenchmarkSlavePoolStuckToCreate(b *testing.B) {
	for iter := 0; iter < b.N; iter++ {
		e := startPoolWorld(b, simos.Options{Quota: simos.Quota{Instances: 100, Cores: 1000, RAM: 1 << 24, Volumes: 100, Gigabytes: 10000}})
		s, _ := poolServer(b, e)
		apply(b, s, poolManifest("trusty-amd64", "trusty, amd64", "  executors: 1\n  minReplicas: 0\n  maxReplicas: 40\n  autoscale: {enabled: true}\n"))
		time.Sleep(2 * time.Second) // the pool's first passes
		const n = 20
		var lat []time.Duration
		e.jenkins.Requests.Reset()
		loadStart := time.Now()
		for i := 0; i < n; i++ {
			before := e.creates.Load()
			start := time.Now()
			e.queueBuilds(b, fmt.Sprintf("job%d", i), 1, time.Hour) // holds its agent
			for e.creates.Load() == before {
				if time.Since(start) > 30*time.Second {
					b.Fatalf("no create within 30 s of build %d", i)
				}
				time.Sleep(time.Millisecond)
			}
			e.mu.Lock()
			lat = append(lat, e.createdAt[len(e.createdAt)-1].Sub(start))
			e.mu.Unlock()
			// Let the agent take its build before the next one queues.
			for e.jenkins.Running() < i+1 && time.Since(start) < 30*time.Second {
				time.Sleep(10 * time.Millisecond)
			}
		}
		loadWindow := time.Since(loadStart)
		loadRate, loadPaths := perMinute(&e.jenkins.Requests, loadWindow)
		p50, p99 := percentiles(lat)
		b.ReportMetric(float64(p50.Milliseconds()), "stuck-to-create-p50-ms")
		b.ReportMetric(float64(p99.Milliseconds()), "stuck-to-create-p99-ms")
		b.ReportMetric(loadRate, "jenkins-req/min-load")
		b.Logf("build queued → Nova create, %d builds one after another (%s): p50 %v, p99 %v; mita polls every 30 s",
			n, pollIntervals(), p50.Round(time.Millisecond), p99.Round(time.Millisecond))
		b.Logf("Jenkins requests meanwhile (%v, queueing requests of the test included): %.0f/min: %s", loadWindow.Round(time.Second), loadRate, loadPaths)

		// At rest: 20 busy agents, an empty queue, nothing changing.
		time.Sleep(2 * time.Second)
		e.jenkins.Requests.Reset()
		const rest = 20 * time.Second
		time.Sleep(rest)
		restRate, restPaths := perMinute(&e.jenkins.Requests, rest)
		b.ReportMetric(restRate, "jenkins-req/min-rest")
		b.Logf("Jenkins requests at rest over %v (20 busy agents, an empty queue): %.0f/min: %s", rest, restRate, restPaths)

		e2 := startPoolWorld(b, simos.Options{Quota: simos.Quota{Instances: 100, Cores: 1000, RAM: 1 << 24, Volumes: 100, Gigabytes: 10000}})
		s2, _ := poolServer(b, e2)
		apply(b, s2, poolManifest("trusty-amd64", "trusty, amd64", "  executors: 1\n  minReplicas: 0\n  maxReplicas: 40\n  autoscale: {enabled: true}\n"))
		e2.jenkins.Requests.Reset()
		e2.queueBuilds(b, "ceph-build", 12, time.Hour)
		time.Sleep(15 * time.Second) // boots take 0.3 s; 15 s is many polls
		created := e2.creates.Load()
		burstRate, burstPaths := perMinute(&e2.jenkins.Requests, 15*time.Second)
		b.ReportMetric(float64(created), "agents-for-12-stuck")
		b.Logf("12 stuck builds, 1-executor agents: %d agents created in 15 s (mita: 18); Jenkins requests %.0f/min: %s", created, burstRate, burstPaths)
	}
}
