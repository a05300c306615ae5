package test

import (
	"strings"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/sim/fault"
	simos "minka/sim/openstack"
)

func online(p *v1alpha1.SlavePool) int {
	n := 0
	for _, a := range p.Status.Nodes {
		if a.Phase == "Online" {
			n++
		}
	}
	return n
}

// TestSlavePoolManualScale: replicas 2 → 2 agents online; scale to 5 →
// 5; back to 1 with two agents busy → only idle agents go, the busy ones
// stay until their builds end; nothing busy is ever deleted.
func TestSlavePoolManualScale(t *testing.T) {
	e := startPoolWorld(t, simos.Options{})
	s, cli := poolServer(t, e)
	apply(t, s, poolManifest("trusty-amd64", "trusty, amd64", "  replicas: 2\n  maxReplicas: 5\n"))
	p := waitPool(t, cli, "trusty-amd64", 30*time.Second, "2 online", func(p *v1alpha1.SlavePool) bool {
		return online(p) == 2 && p.Status.Replicas == 2 && len(e.cloud.Servers()) == 2
	})
	t.Logf("replicas 2: %d online, nodes %v", online(p), names(p))
	if out, errOut, code := Minka(t, s, "", "scale", "sp", "trusty-amd64", "-n", "ci", "--replicas", "5"); code != 0 {
		t.Fatalf("scale: %s%s", out, errOut)
	}
	p = waitPool(t, cli, "trusty-amd64", 30*time.Second, "5 online", func(p *v1alpha1.SlavePool) bool {
		return online(p) == 5 && len(e.cloud.Servers()) == 5
	})
	if v := e.cloud.Volumes(); v != 5 {
		t.Errorf("%d volumes for 5 agents", v)
	}
	checkScaleHistory(t, p, 2, 5)
	// Two long builds (12 s, long enough on a loaded machine) occupy two agents.
	e.queueBuilds(t, "long", 2, 12*time.Second)
	waitPool(t, cli, "trusty-amd64", 20*time.Second, "2 busy", func(p *v1alpha1.SlavePool) bool { return p.Status.Busy == 2 })
	if out, errOut, code := Minka(t, s, "", "scale", "sp", "trusty-amd64", "-n", "ci", "--replicas", "1"); code != 0 {
		t.Fatalf("scale: %s%s", out, errOut)
	}
	p = waitPool(t, cli, "trusty-amd64", 30*time.Second, "down to the 2 busy agents", func(p *v1alpha1.SlavePool) bool {
		return p.Status.Replicas == 2 && len(e.cloud.Servers()) == 2
	})
	t.Logf("scaled to 1 with 2 busy: %d agents left (busy %d)", p.Status.Replicas, p.Status.Busy)
	p = waitPool(t, cli, "trusty-amd64", 30*time.Second, "1 agent once the builds ended", func(p *v1alpha1.SlavePool) bool {
		return p.Status.Replicas == 1 && online(p) == 1 && len(e.cloud.Servers()) == 1
	})
	if ab := e.jenkins.Aborted(); len(ab) > 0 {
		t.Errorf("builds aborted by removing busy agents: %v", ab)
	}
	if v := e.cloud.Volumes(); v != 1 {
		t.Errorf("%d volumes left for 1 agent", v)
	}
	t.Logf("after the builds: %d agent, %d volume, aborted builds %d", p.Status.Replicas, e.cloud.Volumes(), len(e.jenkins.Aborted()))
}

// checkScaleHistory: status.scaleHistory ends with the status' own
// numbers and its desired values went through every size in sizes.
func checkScaleHistory(t *testing.T, p *v1alpha1.SlavePool, sizes ...int32) {
	t.Helper()
	h, st := p.Status.ScaleHistory, p.Status
	if len(h) == 0 {
		t.Fatalf("no status.scaleHistory: %+v", st)
	}
	if last := h[len(h)-1]; last.Queued != st.Queued || last.Desired != st.DesiredReplicas || last.Ready != st.Ready {
		t.Errorf("last sample %+v, status queued %d desired %d ready %d", last, st.Queued, st.DesiredReplicas, st.Ready)
	}
	seen := map[int32]bool{}
	for _, s := range h {
		seen[s.Desired] = true
	}
	for _, n := range sizes {
		if !seen[n] {
			t.Errorf("no sample of desired %d in %+v", n, h)
		}
	}
}

func names(p *v1alpha1.SlavePool) string {
	var out []string
	for _, n := range p.Status.Nodes {
		out = append(out, n.Name+"="+n.Phase)
	}
	return strings.Join(out, " ")
}

// TestSlavePoolAutoscale: 12 builds of a job labelled `trusty && amd64`
// queued against a pool of 2-executor agents (min 0, max 5) → exactly 5
// agents are created, every build runs, and after idleTimeout the pool
// shrinks to 0 without removing a busy agent. A second pool whose labels
// do not satisfy the expression never grows.
func TestSlavePoolAutoscale(t *testing.T) {
	e := startPoolWorld(t, simos.Options{})
	s, cli := poolServer(t, e)
	auto := "  executors: 2\n  minReplicas: 0\n  maxReplicas: 5\n  autoscale: {enabled: true, cooldown: 3s}\n"
	apply(t, s, poolManifest("trusty-amd64", "trusty, amd64", auto))
	apply(t, s, poolManifest("centos-amd64", "centos7, amd64", auto))
	e.queueBuilds(t, "ceph-build", 12, 2*time.Second)
	start := time.Now()
	p := waitPool(t, cli, "trusty-amd64", 30*time.Second, "5 agents online", func(p *v1alpha1.SlavePool) bool { return online(p) == 5 })
	t.Logf("12 queued → 5 agents online after %v; status queued %d desired %d", time.Since(start).Round(100*time.Millisecond), p.Status.Queued, p.Status.DesiredReplicas)
	deadline := time.Now().Add(40 * time.Second)
	for e.jenkins.Finished("ceph-build") < 12 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := e.jenkins.Finished("ceph-build"); n != 12 {
		t.Fatalf("%d of 12 builds finished", n)
	}
	p = waitPool(t, cli, "trusty-amd64", 40*time.Second, "shrunk to 0", func(p *v1alpha1.SlavePool) bool {
		return p.Status.Replicas == 0 && len(e.cloud.Servers()) == 0
	})
	if m := metric(t, s, `minka_slavepool_server_creates_total{cloud="default"}`); m != "5" {
		t.Errorf("Nova creates %s, want exactly 5", m)
	}
	if ab := e.jenkins.Aborted(); len(ab) > 0 {
		t.Errorf("busy agents were removed: %v", ab)
	}
	other := waitPool(t, cli, "centos-amd64", 5*time.Second, "observed", func(p *v1alpha1.SlavePool) bool { return p.Status.ObservedGeneration == 1 })
	if other.Status.Replicas != 0 || other.Status.DesiredReplicas != 0 {
		t.Errorf("the centos7 pool grew: %+v", other.Status)
	}
	t.Logf("12 builds done; pool back to %d agents; Nova creates 5; aborted builds %d; centos pool desired %d", p.Status.Replicas, len(e.jenkins.Aborted()), other.Status.DesiredReplicas)
}

// TestSlavePoolQuota: with room for 3 instances a pool of 5 gets 3, says
// which quota binds, and makes no further create call until the quota
// is raised; then it reaches 5.
func TestSlavePoolQuota(t *testing.T) {
	e := startPoolWorld(t, simos.Options{Quota: simos.Quota{Instances: 3, Cores: 40, RAM: 81920, Volumes: 10, Gigabytes: 1000}})
	s, cli := poolServer(t, e)
	apply(t, s, poolManifest("trusty-amd64", "trusty, amd64", "  replicas: 5\n  maxReplicas: 5\n"))
	p := waitPool(t, cli, "trusty-amd64", 30*time.Second, "3 online and QuotaExceeded", func(p *v1alpha1.SlavePool) bool {
		return online(p) == 3 && conditionIs(p, "QuotaExceeded", "True")
	})
	msg := poolCondition(p, "QuotaExceeded")
	if !strings.Contains(msg, "instances (3 of 3 used)") {
		t.Errorf("QuotaExceeded message %q: want the instances quota named", msg)
	}
	creates := e.creates.Load()
	time.Sleep(5 * time.Second)
	if n := e.creates.Load(); n != creates || n != 3 {
		t.Errorf("create calls: %d at 3 agents, %d 5 s later; want 3 and no more while the quota is full", creates, n)
	}
	t.Logf("quota 3: %d online, %q; create calls %d", online(p), msg, e.creates.Load())
	e.cloud.SetQuota(simos.Quota{Instances: 10, Cores: 40, RAM: 81920, Volumes: 10, Gigabytes: 1000})
	p = waitPool(t, cli, "trusty-amd64", 30*time.Second, "5 online after the quota was raised", func(p *v1alpha1.SlavePool) bool {
		return online(p) == 5 && conditionIs(p, "QuotaExceeded", "False")
	})
	t.Logf("quota raised to 10: %d online; create calls %d", online(p), e.creates.Load())
}

func poolCondition(p *v1alpha1.SlavePool, typ string) string {
	for _, c := range p.Status.Conditions {
		if c.Type == typ {
			return c.Message
		}
	}
	return ""
}

func conditionIs(p *v1alpha1.SlavePool, typ, status string) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == typ {
			return string(c.Status) == status
		}
	}
	return false
}

// TestSlavePoolFailuresAndDelete: servers that boot into ERROR are
// replaced; Jenkins answering 503 shows as a condition and the pool
// recovers by itself; deleting the pool drains it: idle agents go at
// once, a busy one when its build ends, then the object.
func TestSlavePoolFailuresAndDelete(t *testing.T) {
	e := startPoolWorld(t, simos.Options{})
	s, cli := poolServer(t, e)
	e.cloud.FailNextBoots(2)
	apply(t, s, poolManifest("trusty-amd64", "trusty, amd64", "  replicas: 3\n  maxReplicas: 5\n"))
	p := waitPool(t, cli, "trusty-amd64", 40*time.Second, "3 online after 2 ERROR boots", func(p *v1alpha1.SlavePool) bool {
		return online(p) == 3 && len(e.cloud.Servers()) == 3
	})
	if ev := events(t, s); strings.Count(ev, "ServerError") == 0 {
		t.Errorf("no ServerError event:\n%s", ev)
	}
	t.Logf("2 boots failed: replaced; %d online, %d create calls", online(p), e.creates.Load())

	if err := e.jenkins.Faults.Set(fault.Fault{Failure: fault.Unavailable}); err != nil {
		t.Fatal(err)
	}
	p = waitPool(t, cli, "trusty-amd64", 20*time.Second, "JenkinsUnavailable", func(p *v1alpha1.SlavePool) bool {
		return conditionIs(p, "BackendAvailable", "False") && strings.Contains(poolCondition(p, "BackendAvailable"), "503")
	})
	t.Logf("Jenkins 503: BackendAvailable=False %q", poolCondition(p, "BackendAvailable"))
	e.jenkins.Faults.Clear()
	waitPool(t, cli, "trusty-amd64", 60*time.Second, "backends available again", func(p *v1alpha1.SlavePool) bool {
		return conditionIs(p, "BackendAvailable", "True") && online(p) == 3
	})

	e.queueBuilds(t, "long", 1, 4*time.Second)
	waitPool(t, cli, "trusty-amd64", 20*time.Second, "1 busy", func(p *v1alpha1.SlavePool) bool { return p.Status.Busy == 1 })
	if out, errOut, code := Minka(t, s, "", "delete", "sp", "trusty-amd64", "-n", "ci"); code != 0 {
		t.Fatalf("delete: %s%s", out, errOut)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(e.cloud.Servers()) != 1 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(e.cloud.Servers()); n != 1 {
		t.Errorf("%d servers 3 s after delete: want the busy agent's only", n)
	}
	deadline = time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, _, code := Minka(t, s, "", "get", "sp", "trusty-amd64", "-n", "ci"); code != 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, _, code := Minka(t, s, "", "get", "sp", "trusty-amd64", "-n", "ci"); code == 0 {
		t.Fatalf("the pool is still there 30 s after delete")
	}
	if n, v, nodes := len(e.cloud.Servers()), e.cloud.Volumes(), len(poolNodes(e)); n+v+nodes != 0 {
		t.Errorf("after the pool went: %d servers, %d volumes, %d Jenkins nodes", n, v, nodes)
	}
	if ab := e.jenkins.Aborted(); len(ab) > 0 || e.jenkins.Finished("long") != 1 {
		t.Errorf("the busy agent's build: aborted %v, finished %d", ab, e.jenkins.Finished("long"))
	}
}

// TestSlavePoolBootTimeout: an agent not online within bootTimeout is
// replaced, with an event, and replacing never leaks a server or volume.
func TestSlavePoolBootTimeout(t *testing.T) {
	e := startPoolWorld(t, simos.Options{BootDelay: 4 * time.Second})
	s, cli := poolServer(t, e)
	apply(t, s, strings.Replace(poolManifest("trusty-amd64", "trusty, amd64", "  replicas: 2\n  maxReplicas: 5\n"), "bootTimeout: 30s", "bootTimeout: 2s", 1))
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(events(t, s), "BootTimeout") && time.Now().Before(deadline) {
		if n, v := len(e.cloud.Servers()), e.cloud.Volumes(); n > 2 || v > 2 {
			t.Fatalf("%d servers and %d volumes for a pool of 2", n, v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ev := events(t, s); !strings.Contains(ev, "not online") {
		t.Fatalf("no BootTimeout event:\n%s", ev)
	}
	p := waitPool(t, cli, "trusty-amd64", 5*time.Second, "2 agents", func(p *v1alpha1.SlavePool) bool { return p.Status.Replicas == 2 })
	t.Logf("boot 4 s > bootTimeout 2 s: replaced; pool %s; servers %d, volumes %d", names(p), len(e.cloud.Servers()), e.cloud.Volumes())
}
