package test

import (
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	simmarathon "minka/sim/marathon"
)

// TestDeploymentRolloutAndUpdate: apply → Available with 3 endpoints;
// a new image rolls over (updatedReplicas climbs) → Available again; two
// PUTs in all.
func TestDeploymentRolloutAndUpdate(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{})
	s, cli := deploymentServer(t, env)
	apply(t, s, webManifest("registry.example.com/webapp:1", 3, 60))
	d := waitDeployment(t, cli, 30*time.Second, "available", available)
	if len(d.Status.Endpoints) != 3 || d.Status.VerifiedVersion != d.Status.AppVersion {
		t.Fatalf("endpoints %+v verified %q app %q: want 3 and verified", d.Status.Endpoints, d.Status.VerifiedVersion, d.Status.AppVersion)
	}
	hosts := map[string]bool{}
	for _, ep := range d.Status.Endpoints {
		hosts[ep.Host] = true
		if len(ep.ServicePorts) != 1 || ep.ServicePorts[0] < 10000 || len(ep.Ports) != 1 || !ep.Healthy {
			t.Errorf("endpoint %+v: want a host port, service port >= 10000, healthy", ep)
		}
	}
	if len(hosts) != 3 {
		t.Errorf("endpoints on %d hosts, want 3 (UNIQUE hostname)", len(hosts))
	}
	t.Logf("available: %d endpoints, service port %d, app version %s", len(d.Status.Endpoints), d.Status.Endpoints[0].ServicePorts[0], d.Status.AppVersion)

	apply(t, s, webManifest("registry.example.com/webapp:2", 3, 60))
	climb := map[int32]bool{}
	d = waitDeployment(t, cli, 30*time.Second, "available at the new image", func(d *v1alpha1.Deployment) bool {
		if d.Generation == 2 && d.Status.DeploymentID != "" {
			climb[d.Status.UpdatedReplicas] = true
		}
		return d.Generation == 2 && available(d)
	})
	if !climb[1] && !climb[2] {
		t.Errorf("updatedReplicas seen %v: want the rollout observed mid-way (1 or 2)", climb)
	}
	for _, ep := range d.Status.Endpoints {
		if ep.Version != d.Status.AppVersion {
			t.Errorf("endpoint %s runs version %s, want %s", ep.Host, ep.Version, d.Status.AppVersion)
		}
	}
	if img := liveImage(t, env); img != "registry.example.com/webapp:2" {
		t.Errorf("Marathon runs %s", img)
	}
	time.Sleep(2 * time.Second) // a controller at rest PUTs nothing more
	if n := env.cluster.Puts(); n != 2 {
		t.Errorf("%d app PUTs, want 2 (create, update)", n)
	}
	t.Logf("rolling update: updatedReplicas seen %v; %d PUTs", climb, env.cluster.Puts())
	// The backend transport counts what the controller sent, by backend and operation.
	if m := metric(t, s, `minka_backend_requests_total{backend="marathon",name="default",operation="PUT /v2/apps",result="2xx"}`); m != "2" {
		t.Errorf("Marathon PUTs counted %q, want 2", m)
	}
	if m := metric(t, s, `minka_backend_requests_total{backend="verify",name="default",operation="GET verify",result="2xx"}`); m == "" || m == "0" {
		t.Errorf("verify GETs counted %q, want some", m)
	}
	ev := events(t, s)
	for _, want := range []string{"RolloutStarted", "RolloutComplete"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %s:\n%s", want, ev)
		}
	}
}

// TestDeploymentRollback: an image whose tasks never get healthy is
// rolled back within progressDeadlineSeconds to the last good version,
// and stays rolled back: no flapping between versions.
func TestDeploymentRollback(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{})
	s, cli := deploymentServer(t, env)
	apply(t, s, webManifest("registry.example.com/webapp:1", 3, 60))
	good := waitDeployment(t, cli, 30*time.Second, "available", available).Status.AppVersion
	env.cluster.MarkImageBad("registry.example.com/webapp:bad")
	start := time.Now()
	apply(t, s, webManifest("registry.example.com/webapp:bad", 3, 6))
	d := waitDeployment(t, cli, 30*time.Second, "rolled back", func(d *v1alpha1.Deployment) bool {
		return d.Generation == 2 && isTrue(d, "Degraded", "RolledBack")
	})
	took := time.Since(start)
	c := d.Status.Conditions
	msg := ""
	for _, x := range c {
		if x.Type == "Degraded" {
			msg = x.Message
		}
	}
	if !strings.Contains(msg, "webapp:bad") || !strings.Contains(msg, "generation 2") || !strings.Contains(msg, good) {
		t.Errorf("Degraded message %q: want the failed image, generation and the version rolled back to (%s)", msg, good)
	}
	if took > 6*time.Second+5*time.Second {
		t.Errorf("rolled back after %v; progressDeadlineSeconds is 6", took)
	}
	d = waitDeployment(t, cli, 30*time.Second, "available on the old version", func(d *v1alpha1.Deployment) bool {
		return isTrue(d, "Available", "AllReplicasReady") && d.Status.ReadyReplicas == 3
	})
	if img := liveImage(t, env); img != "registry.example.com/webapp:1" {
		t.Errorf("after the rollback Marathon runs %s, want webapp:1", img)
	}
	puts := env.cluster.Puts()
	time.Sleep(4 * time.Second)
	if n := env.cluster.Puts(); n != puts {
		t.Errorf("PUTs went from %d to %d after the rollback: the failed spec was applied again", puts, n)
	}
	if img := liveImage(t, env); img != "registry.example.com/webapp:1" {
		t.Errorf("4s after the rollback Marathon runs %s", img)
	}
	t.Logf("rolled back %v after the apply (deadline 6s): %q; %d PUTs (create, bad image, rollback)", took.Round(100*time.Millisecond), msg, puts)
	// A new spec rolls out again.
	apply(t, s, webManifest("registry.example.com/webapp:3", 3, 60))
	waitDeployment(t, cli, 30*time.Second, "available at generation 3", func(d *v1alpha1.Deployment) bool { return d.Generation == 3 && available(d) })
	if img := liveImage(t, env); img != "registry.example.com/webapp:3" {
		t.Errorf("after a new spec Marathon runs %s", img)
	}
}

// TestDeploymentPaused: paused freezes the app: a new image is not
// rolled out, a change in Marathon is not undone; unpausing rolls out.
func TestDeploymentPaused(t *testing.T) {
	env := startMarathon(t, simmarathon.Options{})
	s, cli := deploymentServer(t, env)
	apply(t, s, webManifest("registry.example.com/webapp:1", 3, 60))
	waitDeployment(t, cli, 30*time.Second, "available", available)
	apply(t, s, webManifest("registry.example.com/webapp:2", 3, 60)+"  paused: true\n")
	d := waitDeployment(t, cli, 20*time.Second, "paused", func(d *v1alpha1.Deployment) bool {
		c := meta.FindStatusCondition(d.Status.Conditions, "Progressing")
		return d.Generation == 2 && c != nil && c.Reason == "DeploymentPaused" && c.Status == "Unknown" && c.ObservedGeneration == 2
	})
	time.Sleep(2 * time.Second)
	if n, img := env.cluster.Puts(), liveImage(t, env); n != 1 || img != "registry.example.com/webapp:1" {
		t.Errorf("paused: %d PUTs, Marathon runs %s; want 1 and webapp:1", n, img)
	}
	if !isTrue(d, "Available", "") {
		t.Errorf("a paused app that serves is still Available: %+v", d.Status.Conditions)
	}
	apply(t, s, webManifest("registry.example.com/webapp:2", 3, 60))
	waitDeployment(t, cli, 30*time.Second, "available after unpausing", func(d *v1alpha1.Deployment) bool { return d.Generation == 3 && available(d) })
	if img := liveImage(t, env); img != "registry.example.com/webapp:2" {
		t.Errorf("unpaused: Marathon runs %s", img)
	}
}
