package test

import (
	"fmt"
	"testing"
	"time"

	simos "minka/sim/openstack"
)

// BenchmarkSlavePoolStuckToCreate: from a build queued on a label no
// agent has to the Nova create call for a new agent (mita polls every
// 30 s), and how many agents 12 stuck builds get on 1-executor agents
// (mita: 9, then 9 more = 18; minka's goal: exactly 12).
func BenchmarkSlavePoolStuckToCreate(b *testing.B) {
	for iter := 0; iter < b.N; iter++ {
		e := startPoolWorld(b, simos.Options{Quota: simos.Quota{Instances: 100, Cores: 1000, RAM: 1 << 24, Volumes: 100, Gigabytes: 10000}})
		s, _ := poolServer(b, e)
		apply(b, s, poolManifest("trusty-amd64", "trusty, amd64", "  executors: 1\n  minReplicas: 0\n  maxReplicas: 40\n  autoscale: {enabled: true}\n"))
		const n = 20
		var lat []time.Duration
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
		p50, p99 := percentiles(lat)
		b.ReportMetric(float64(p50.Milliseconds()), "stuck-to-create-p50-ms")
		b.ReportMetric(float64(p99.Milliseconds()), "stuck-to-create-p99-ms")
		b.Logf("build queued → Nova create, %d builds one after another (poll 2 s): p50 %v, p99 %v; mita polls every 30 s", n, p50.Round(time.Millisecond), p99.Round(time.Millisecond))

		e2 := startPoolWorld(b, simos.Options{Quota: simos.Quota{Instances: 100, Cores: 1000, RAM: 1 << 24, Volumes: 100, Gigabytes: 10000}})
		s2, _ := poolServer(b, e2)
		apply(b, s2, poolManifest("trusty-amd64", "trusty, amd64", "  executors: 1\n  minReplicas: 0\n  maxReplicas: 40\n  autoscale: {enabled: true}\n"))
		e2.queueBuilds(b, "ceph-build", 12, time.Hour)
		time.Sleep(15 * time.Second) // boots take 0.3 s; 15 s is many polls
		created := e2.creates.Load()
		b.ReportMetric(float64(created), "agents-for-12-stuck")
		b.Logf("12 stuck builds, 1-executor agents: %d agents created in 15 s (mita: 18)", created)
	}
}
