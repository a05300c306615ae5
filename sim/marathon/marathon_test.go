package marathon

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func setup(t *testing.T, opts Options) (*Cluster, marathon.Marathon, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	c := New(opts)
	hs := httptest.NewServer(c.Marathon())
	t.Cleanup(func() { c.Close(); hs.Close() })
	cfg := marathon.NewDefaultConfig()
	cfg.URL = hs.URL
	client, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatalf("go-marathon NewClient: %v", err)
	}
	return c, client, clk
}

func webApp(image string, instances int) *marathon.Application {
	app := marathon.NewDockerApplication().Name("/ci/web").CPU(0.5).Memory(512).Count(instances)
	app.Container.Docker.Container(image).Bridged().Expose(8080)
	app.AddConstraint("hostname", "UNIQUE")
	app.HealthChecks = &[]marathon.HealthCheck{*marathon.NewDefaultHealthCheck()}
	// With UNIQUE hostname on as many hosts as instances, a rolling
	// replace must free a host first, as in Marathon.
	half, none := 0.5, 0.0
	app.UpgradeStrategy = &marathon.UpgradeStrategy{MinimumHealthCapacity: &half, MaximumOverCapacity: &none}
	return app
}

func running(t *testing.T, client marathon.Marathon) *marathon.Application {
	t.Helper()
	a, err := client.Application("/ci/web")
	if err != nil {
		t.Fatalf("Application: %v", err)
	}
	return a
}

// TestRollingUpdateThroughGoMarathon: create, converge, update the image
// (409 while the deployment runs, unless forced), roll over, converge.
func TestRollingUpdateThroughGoMarathon(t *testing.T) {
	c, client, clk := setup(t, Options{})
	if ok, err := client.Ping(); !ok || err != nil {
		t.Fatalf("Ping: %v %v", ok, err)
	}
	info, err := client.Info()
	if err != nil || info.Version != "1.4.13" {
		t.Fatalf("Info: %v %+v", err, info)
	}
	if _, err := client.CreateApplication(webApp("registry.example.com/webapp:1", 3)); err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	a := running(t, client)
	if a.TasksStaged != 3 || len(a.Deployments) != 1 {
		t.Fatalf("after create: staged %d deployments %v", a.TasksStaged, a.Deployments)
	}
	clk.Add(3 * time.Second) // staged -> running -> healthy
	a = running(t, client)
	if a.TasksRunning != 3 || a.TasksHealthy != 3 || len(a.Deployments) != 0 {
		t.Fatalf("converged: running %d healthy %d deployments %v", a.TasksRunning, a.TasksHealthy, a.Deployments)
	}
	hosts := map[string]bool{}
	for _, task := range a.Tasks {
		hosts[task.Host] = true
	}
	if len(hosts) != 3 {
		t.Errorf("UNIQUE hostname: tasks on %d hosts, want 3", len(hosts))
	}
	dep, err := client.UpdateApplication(webApp("registry.example.com/webapp:2", 3), false)
	if err != nil || dep.DeploymentID == "" {
		t.Fatalf("UpdateApplication: %v %+v", err, dep)
	}
	if _, err := client.UpdateApplication(webApp("registry.example.com/webapp:3", 3), false); err == nil {
		t.Errorf("an update during a deployment was accepted; Marathon answers 409 (app is locked)")
	}
	deps, _ := client.Deployments()
	if len(deps) != 1 || deps[0].ID != dep.DeploymentID {
		t.Errorf("Deployments: %+v", deps)
	}
	for i := 0; i < 10; i++ {
		clk.Add(time.Second)
		a = running(t, client)
	}
	for _, task := range a.Tasks {
		if task.Version != a.Version {
			t.Errorf("task %s still at %s after the rollout to %s", task.ID, task.Version, a.Version)
		}
	}
	if a.TasksHealthy != 3 || len(a.Deployments) != 0 || c.Puts() != 2 {
		t.Errorf("after the rollout: healthy %d deployments %v puts %d", a.TasksHealthy, a.Deployments, c.Puts())
	}
	if _, err := client.DeleteApplication("/ci/web", false); err != nil {
		t.Fatalf("DeleteApplication: %v", err)
	}
	if ok, _ := client.ApplicationOK("/ci/web"); ok {
		t.Errorf("the app is still there after its delete deployment")
	}
	if apps, _ := client.Applications(nil); len(apps.Apps) != 0 {
		t.Errorf("%d apps after delete, want 0", len(apps.Apps))
	}
}

// TestBadImageRollbackAndCapacity: an image marked bad never gets healthy,
// so the deployment stays; cancelling it rolls back to the last version.
// A scale past capacity waits until an agent is added.
func TestBadImageRollbackAndCapacity(t *testing.T) {
	c, client, clk := setup(t, Options{})
	_, _ = client.CreateApplication(webApp("registry.example.com/webapp:1", 3))
	clk.Add(3 * time.Second)
	good := running(t, client).Version
	c.MarkImageBad("registry.example.com/webapp:bad")
	dep, _ := client.UpdateApplication(webApp("registry.example.com/webapp:bad", 3), false)
	for i := 0; i < 10; i++ {
		clk.Add(time.Second)
		running(t, client)
	}
	a := running(t, client)
	if len(a.Deployments) != 1 || a.TasksHealthy < 2 {
		t.Fatalf("bad image: deployments %v healthy %d (half the old tasks must keep serving)", a.Deployments, a.TasksHealthy)
	}
	back, err := client.DeleteDeployment(dep.DeploymentID, false)
	if err != nil || back.DeploymentID == "" {
		t.Fatalf("DeleteDeployment (rollback): %v %+v", err, back)
	}
	for i := 0; i < 10; i++ {
		clk.Add(time.Second)
		a = running(t, client)
	}
	if a.Container.Docker.Image != "registry.example.com/webapp:1" || len(a.Deployments) != 0 || a.TasksHealthy != 3 {
		t.Errorf("after rollback: image %s deployments %v healthy %d (good version %s)", a.Container.Docker.Image, a.Deployments, a.TasksHealthy, good)
	}
	// 3 agents of 4 cpus, 0.5 cpu per task, UNIQUE hostname: 3 fit, 4 wait.
	big := webApp("registry.example.com/webapp:1", 7)
	_, _ = client.UpdateApplication(big, true)
	clk.Add(3 * time.Second)
	if a = running(t, client); a.TasksRunning != 3 {
		t.Errorf("UNIQUE over 3 hosts: %d running, want 3", a.TasksRunning)
	}
	for i := 4; i <= 7; i++ {
		c.AddAgent(Agent{ID: "extra-" + string(rune('0'+i)), Hostname: "10.0.2." + string(rune('0'+i)), Cpus: 4, Mem: 8192, Disk: 1000, PortsLo: 31000, PortsHi: 31999})
	}
	clk.Add(3 * time.Second)
	if a = running(t, client); a.TasksRunning != 7 || len(a.Deployments) != 0 {
		t.Errorf("after adding agents: running %d deployments %v, want 7 and none", a.TasksRunning, a.Deployments)
	}
}

// TestTaskProxy: the cluster answers as an HTTP proxy for its tasks'
// endpoints, through a standard http.Transport proxy setting.
func TestTaskProxy(t *testing.T) {
	c, client, clk := setup(t, Options{})
	_, _ = client.CreateApplication(webApp("web:1", 2))
	clk.Add(3 * time.Second)
	a := running(t, client)
	srv := httptest.NewServer(c.Marathon())
	defer srv.Close()
	proxy, _ := url.Parse(srv.URL)
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	get := func(host string, port int) int {
		resp, err := hc.Get(fmt.Sprintf("http://%s:%d/ping", host, port))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	task := a.Tasks[0]
	if code := get(task.Host, task.Ports[0]); code != 200 {
		t.Errorf("GET a running task's endpoint: %d, want 200", code)
	}
	if code := get(task.Host, 1); code != http.StatusBadGateway {
		t.Errorf("GET a port no task holds: %d, want 502", code)
	}
	c.MarkImageBad("web:1")
	if code := get(task.Host, task.Ports[0]); code != http.StatusServiceUnavailable {
		t.Errorf("GET a task of a bad image: %d, want 503", code)
	}
}
