package test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
)

func conditionMessage(d *v1alpha1.Deployment, typ string) string {
	if c := meta.FindStatusCondition(d.Status.Conditions, typ); c != nil {
		return c.Reason + ": " + c.Message
	}
	return ""
}

// TestDeploymentInsufficientResources: 3 → 10 replicas of 2 cpus on three
// 4-cpu agents: 6 fit, the condition says so with the numbers; an agent
// added to Mesos takes the rest.
func TestDeploymentInsufficientResources(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{})
	s, cli := deploymentServer(t, env)
	manifest := strings.NewReplacer("cpus: 0.5", "cpus: 2", "  constraints: [[hostname, UNIQUE]]\n", "",
		"minimumHealthCapacity: 0.5, maximumOverCapacity: 0", "minimumHealthCapacity: 1, maximumOverCapacity: 1").Replace(webManifest("registry.example.com/webapp:1", 3, 60))
	apply(t, s, manifest)
	waitDeployment(t, cli, 30*time.Second, "available", available)
	if out, errOut, code := Minka(t, s, "", "scale", "deploy", "web", "-n", "ci", "--replicas", "10"); code != 0 {
		t.Fatalf("scale: %s%s", out, errOut)
	}
	d := waitDeployment(t, cli, 30*time.Second, "short of resources", func(d *v1alpha1.Deployment) bool {
		c := meta.FindStatusCondition(d.Status.Conditions, "Progressing")
		return c != nil && c.Reason == "InsufficientResources" && c.Status == "False" && d.Status.Replicas == 6
	})
	msg := conditionMessage(d, "Progressing")
	for _, want := range []string{"6 of 10 replicas placed", "4 more need cpus 2, mem 256 MiB", "fits 0", "largest free agent"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Progressing %q lacks %q", msg, want)
		}
	}
	t.Logf("scaled to 10: %s", msg)
	if m := metric(t, s, `minka_backend_requests_total{backend="mesos",name="default",operation="GET_AGENTS",result="2xx"}`); m == "" || m == "0" {
		t.Errorf("Mesos GET_AGENTS counted %q, want some", m)
	}
	env.cluster.AddAgent(simmarathon.Agent{ID: "big-S9", Hostname: "10.0.2.1", Cpus: 16, Mem: 32768, Disk: 100000, PortsLo: 31000, PortsHi: 31999})
	d = waitDeployment(t, cli, 30*time.Second, "available with 10", func(d *v1alpha1.Deployment) bool {
		return available(d) && d.Status.ReadyReplicas == 10
	})
	t.Logf("after adding a 16-cpu agent: %s", conditionMessage(d, "Available"))
}

// TestDeploymentSurvivesKillMidRollout: kill -9 the server while Marathon
// rolls out; after a restart the rollout completes with no second PUT.
func TestDeploymentSurvivesKillMidRollout(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{StageDelay: 2 * time.Second, HealthDelay: 2 * time.Second})
	s, cli := deploymentServer(t, env)
	apply(t, s, webManifest("registry.example.com/webapp:1", 3, 60))
	deadline := time.Now().Add(20 * time.Second)
	for env.cluster.Puts() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if env.cluster.Puts() != 1 {
		t.Fatalf("no PUT within 20s")
	}
	_ = s.Kill() // mid-rollout: tasks are staging
	app, _ := env.api.Application("/ci/web")
	if len(app.Deployments) == 0 {
		t.Fatalf("the rollout was over before the kill; the test proves nothing")
	}
	s2, cli2 := deploymentServer(t, env, "--data-dir", s.DataDir)
	_ = cli
	d := waitDeployment(t, cli2, 40*time.Second, "available after the restart", available)
	if n := env.cluster.Puts(); n != 1 {
		t.Errorf("%d PUTs: the restarted server PUT the same version again", n)
	}
	t.Logf("killed with deployment %s in flight; after restart: %s; PUTs %d", app.Deployments[0]["id"], conditionMessage(d, "Available"), env.cluster.Puts())
	_ = s2
}

// TestDeploymentDriftAndDelete: a change made in Marathon behind minka's
// back is restored and recorded; deleting the Deployment deletes the app
// first.
func TestDeploymentDriftAndDelete(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{})
	s, cli := deploymentServer(t, env)
	apply(t, s, webManifest("registry.example.com/webapp:1", 3, 60))
	waitDeployment(t, cli, 30*time.Second, "available", available)
	req, _ := http.NewRequest(http.MethodPut, env.marathonURL+"/v2/apps/ci/web?force=true",
		strings.NewReader(`{"container":{"type":"DOCKER","docker":{"image":"someone/else:latest","network":"BRIDGE","portMappings":[{"containerPort":8080,"hostPort":0}]}}}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT behind minka's back: %v %v", err, resp)
	}
	start := time.Now()
	deadline := time.Now().Add(20 * time.Second)
	for liveImage(t, env) != "registry.example.com/webapp:1" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if img := liveImage(t, env); img != "registry.example.com/webapp:1" {
		t.Fatalf("Marathon still runs %s 20s after the change", img)
	}
	restored := time.Since(start)
	waitDeployment(t, cli, 30*time.Second, "available again", available)
	if ev := events(t, s); !strings.Contains(ev, "DriftCorrected") || !strings.Contains(ev, "container.docker.image") {
		t.Errorf("no DriftCorrected event naming the image:\n%s", ev)
	}
	t.Logf("image changed in Marathon: restored in %v", restored.Round(10*time.Millisecond))

	// Deleted in Marathon: recreated.
	if _, err := env.api.DeleteApplication("/ci/web", true); err != nil {
		t.Fatal(err)
	}
	waitDeployment(t, cli, 30*time.Second, "recreated and available", func(d *v1alpha1.Deployment) bool {
		return available(d) && d.Status.ReadyReplicas == 3 && strings.Contains(events(t, s), "was deleted in Marathon; recreated")
	})

	if out, errOut, code := Minka(t, s, "", "delete", "deploy", "web", "-n", "ci"); code != 0 {
		t.Fatalf("delete: %s%s", out, errOut)
	}
	deadline = time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, _, code := Minka(t, s, "", "get", "deploy", "web", "-n", "ci"); code != 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := env.api.Application("/ci/web"); err == nil {
		t.Errorf("the Deployment is gone but Marathon still has /ci/web")
	}
	if _, _, code := Minka(t, s, "", "get", "deploy", "web", "-n", "ci"); code == 0 {
		t.Errorf("the Deployment is still there 30s after delete")
	}
}

// TestDeploymentBackendFaults: Marathon answering 503, 409 "locked" or
// hanging → Degraded says so, and the controller recovers by itself; with two Marathon URLs the
// first of which fails, requests fail over; an event stream that drops
// is reconnected and drift is still seen.
func TestDeploymentBackendFaults(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{})
	broken := fault.New(1)
	if err := broken.Set(fault.Fault{Failure: fault.Unavailable}); err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(broken.Wrap(env.cluster.Marathon()))
	t.Cleanup(func() { broken.Close(); front.Close() })
	mesos := strings.TrimSuffix(readConfigMesos(t, env), "\n")
	env.writeConfig(t, []string{front.URL, env.marathonURL}, mesos)
	s, cli := deploymentServer(t, env)
	apply(t, s, webManifest("registry.example.com/webapp:1", 3, 60))
	waitDeployment(t, cli, 30*time.Second, "available through the second Marathon URL", available)

	if err := env.cluster.Faults.Set(fault.Fault{Failure: fault.Unavailable}); err != nil {
		t.Fatal(err)
	}
	apply(t, s, webManifest("registry.example.com/webapp:2", 3, 60))
	d := waitDeployment(t, cli, 30*time.Second, "degraded by Marathon's 503s", func(d *v1alpha1.Deployment) bool {
		return d.Generation == 2 && isTrue(d, "Degraded", "MarathonUnavailable")
	})
	msg := conditionMessage(d, "Degraded")
	if !strings.Contains(msg, "503") {
		t.Errorf("Degraded %q: want the 503 named", msg)
	}
	t.Logf("while Marathon answers 503: %s", msg)
	env.cluster.Faults.Clear()
	start := time.Now()
	waitDeployment(t, cli, 60*time.Second, "available at the new image after recovery", func(d *v1alpha1.Deployment) bool {
		return d.Generation == 2 && available(d) && !isTrue(d, "Degraded", "")
	})
	t.Logf("recovered %v after the fault cleared", time.Since(start).Round(100*time.Millisecond))

	// 409 locked on every PUT, then requests that hang past the 2 s timeout.
	for i, f := range []struct {
		fault  fault.Fault
		reason string
		image  string
	}{
		{fault.Fault{Failure: simmarathon.Locked, Match: "PUT /v2/apps"}, "AppLocked", "registry.example.com/webapp:3"},
		{fault.Fault{Failure: fault.Hang}, "MarathonUnavailable", "registry.example.com/webapp:4"},
	} {
		if err := env.cluster.Faults.Set(f.fault); err != nil {
			t.Fatal(err)
		}
		apply(t, s, webManifest(f.image, 3, 60))
		gen := int64(3 + i)
		d := waitDeployment(t, cli, 30*time.Second, "degraded: "+f.reason, func(d *v1alpha1.Deployment) bool {
			return d.Generation == gen && isTrue(d, "Degraded", f.reason)
		})
		t.Logf("%s: %s", f.reason, conditionMessage(d, "Degraded"))
		env.cluster.Faults.Clear()
		waitDeployment(t, cli, 60*time.Second, "available after "+f.reason, func(d *v1alpha1.Deployment) bool {
			return d.Generation == gen && available(d) && !isTrue(d, "Degraded", "")
		})
		if img := liveImage(t, env); img != f.image {
			t.Errorf("after %s cleared Marathon runs %s", f.reason, img)
		}
	}

	env.cluster.DropEventStreams()
	time.Sleep(500 * time.Millisecond)
	n := 5
	if _, err := env.api.ScaleApplicationInstances("/ci/web", n, true); err != nil {
		t.Fatal(err)
	}
	waitDeployment(t, cli, 30*time.Second, "restored to 3 replicas after the event stream dropped", func(d *v1alpha1.Deployment) bool {
		app, err := env.api.Application("/ci/web")
		return err == nil && *app.Instances == 3 && available(d) && d.Status.Replicas == 3
	})
}

func readConfigMesos(t *testing.T, env *marathonEnv) string {
	t.Helper()
	b, err := readFile(env.config)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "mesosURL: "); ok {
			return v
		}
	}
	t.Fatal(fmt.Errorf("no mesosURL in %s", env.config))
	return ""
}

// TestDeploymentOrphans: an app carrying minka's ownership labels with no
// Deployment is reported by an event and the orphan gauge, and deleted
// only with --delete-orphaned-apps.
func TestDeploymentOrphans(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{})
	orphan := `{"id":"/ci/ghost","cmd":"sleep 1000","cpus":0.1,"mem":32,"instances":1,` +
		`"labels":{"minka.dev/namespace":"ci","minka.dev/name":"ghost","minka.dev/uid":"0b5e0000-dead-4000-8000-000000000000"}}`
	req, _ := http.NewRequest(http.MethodPut, env.marathonURL+"/v2/apps/ci/ghost", strings.NewReader(orphan))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("PUT orphan: %v %v", err, resp)
	}
	s, _ := deploymentServer(t, env)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(events(t, s), "OrphanedApp") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if ev := events(t, s); !strings.Contains(ev, "/ci/ghost") {
		t.Fatalf("no OrphanedApp event for /ci/ghost:\n%s", ev)
	}
	if m := metric(t, s, `minka_deployment_orphaned_apps{marathon="default"}`); m != "1" {
		t.Errorf("orphan gauge %q, want 1", m)
	}
	if _, err := env.api.Application("/ci/ghost"); err != nil {
		t.Errorf("the orphan was deleted without --delete-orphaned-apps: %v", err)
	}
	_ = s.Stop(t)
	s2, _ := deploymentServer(t, env, "--delete-orphaned-apps", "--data-dir", s.DataDir)
	deadline = time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := env.api.Application("/ci/ghost"); err != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := env.api.Application("/ci/ghost"); err == nil {
		t.Errorf("--delete-orphaned-apps: /ci/ghost still in Marathon after 20s")
	}
	_ = s2
}

// metric reads one sample of /metrics.
func metric(t testing.TB, s *Server, name string) string {
	t.Helper()
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}
