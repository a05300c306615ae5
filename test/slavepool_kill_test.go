package test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"minka/api/v1alpha1"
	simos "minka/sim/openstack"
)

// TestSlavePoolSurvivesKills: kill -9 the server 20 times at random
// moments while the pool scales up and down; after it settles, servers
// == Jenkins nodes == desired, every agent online, no volume leaked, no
// build aborted.
func TestSlavePoolSurvivesKills(t *testing.T) {
	e := startPoolWorld(t, simos.Options{BootDelay: 200 * time.Millisecond})
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(7))
	sizes := []int{5, 1, 4, 0, 3, 5, 2}
	start := time.Now()
	for i := 0; i < 20; i++ {
		s, _ := poolServer(t, e, "--data-dir", dir)
		size := sizes[i%len(sizes)]
		if i == 0 {
			apply(t, s, poolManifest("trusty-amd64", "trusty, amd64", "  replicas: 5\n  maxReplicas: 5\n"))
		} else if out, errOut, code := Minka(t, s, "", "scale", "sp", "trusty-amd64", "-n", "ci", "--replicas", strconv.Itoa(size)); code != 0 {
			t.Fatalf("scale: %s%s", out, errOut)
		}
		time.Sleep(time.Duration(rng.Intn(1500)) * time.Millisecond)
		_ = s.Kill()
	}
	s, cli := poolServer(t, e, "--data-dir", dir)
	if out, errOut, code := Minka(t, s, "", "scale", "sp", "trusty-amd64", "-n", "ci", "--replicas", "3"); code != 0 {
		t.Fatalf("scale: %s%s", out, errOut)
	}
	p := waitPool(t, cli, "trusty-amd64", 90*time.Second, "settled at 3", func(p *v1alpha1.SlavePool) bool {
		return online(p) == 3 && p.Status.Replicas == 3 && len(e.cloud.Servers()) == 3 && e.cloud.Volumes() == 3 && len(poolNodes(e)) == 3
	})
	servers := map[string]bool{}
	for _, sv := range e.cloud.Servers() {
		servers[sv.Name] = true
	}
	for _, n := range poolNodes(e) {
		if !servers[n] {
			t.Errorf("Jenkins node %s has no server", n)
		}
	}
	if ab := e.jenkins.Aborted(); len(ab) > 0 {
		t.Errorf("aborted builds: %v", ab)
	}
	t.Logf("20 kill -9s in %v; settled: %d servers, %d Jenkins nodes, %d volumes, %d agents online; %d Nova create calls in all",
		time.Since(start).Round(100*time.Millisecond), len(e.cloud.Servers()), len(poolNodes(e)), e.cloud.Volumes(), online(p), e.creates.Load())
}

// poolNodes lists the Jenkins nodes of pool agents.
func poolNodes(e *poolEnv) []string {
	var out []string
	for _, n := range e.jenkins.NodeNames() {
		if strings.HasPrefix(n, "trusty-amd64-") {
			out = append(out, n)
		}
	}
	return out
}
