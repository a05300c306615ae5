package v1alpha1

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDefaults(t *testing.T) {
	d := &Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: DeploymentSpec{Image: "nginx", Cpus: 1, Mem: 1,
		Ports: []Port{{ContainerPort: 80}}, HealthChecks: []HealthCheck{{}}, Verify: &Verify{Path: "/ping"}}}
	Default(d)
	DefaultItems(d)
	hc := d.Spec.HealthChecks[0]
	p := &SlavePool{Spec: SlavePoolSpec{MinReplicas: 2, Autoscale: &Autoscale{Enabled: true}}}
	Default(p)
	pl := &Pipeline{Spec: PipelineSpec{Deploy: &Deploy{Deployment: "web"}, Artifacts: &Artifacts{Repo: &RepoArtifact{Distros: []Distro{{Distro: "ubuntu"}}}}}}
	Default(pl)
	DefaultItems(pl)
	r := &Repo{Spec: RepoSpec{Distros: []Distro{{Distro: "centos", Version: "9"}}}}
	Default(r)
	DefaultItems(r)
	cases := []struct {
		reason    string
		got, want any
	}{
		{"namespace", d.Namespace, "default"},
		{"marathon backend", d.Spec.Marathon, "default"},
		{"replicas", *d.Spec.Replicas, int32(1)},
		{"network", d.Spec.Network, "BRIDGE"},
		{"port protocol", d.Spec.Ports[0].Protocol, "tcp"},
		{"progress deadline", *d.Spec.ProgressDeadlineSeconds, int32(600)},
		{"min health capacity", *d.Spec.UpgradeStrategy.MinimumHealthCapacity, 1.0},
		{"max over capacity", *d.Spec.UpgradeStrategy.MaximumOverCapacity, 1.0},
		{"health check protocol (Marathon's)", hc.Protocol, "HTTP"},
		{"health check path", hc.Path, "/"},
		{"health check grace", hc.GracePeriodSeconds, int32(300)},
		{"health check interval", hc.IntervalSeconds, int32(60)},
		{"health check timeout", hc.TimeoutSeconds, int32(20)},
		{"health check failures", *hc.MaxConsecutiveFailures, int32(3)},
		{"health check port index", *hc.PortIndex, int32(0)},
		{"verify timeout", d.Spec.Verify.TimeoutSeconds, int32(5)},
		{"pool jenkins", p.Spec.Jenkins, "default"},
		{"pool cloud", p.Spec.Cloud, "default"},
		{"executors", p.Spec.Executors, int32(1)},
		{"remote fs", p.Spec.RemoteFS, "/home/jenkins"},
		{"replicas from minReplicas", *p.Spec.Replicas, int32(2)},
		{"maxReplicas from replicas and min", *p.Spec.MaxReplicas, int32(2)},
		{"idle timeout", p.Spec.IdleTimeout.Duration, 10 * time.Minute},
		{"boot timeout", p.Spec.BootTimeout.Duration, 15 * time.Minute},
		{"drain timeout", p.Spec.DrainTimeout.Duration, time.Hour},
		{"autoscale cooldown", p.Spec.Autoscale.Cooldown.Duration, 2 * time.Minute},
		{"pipeline history", *pl.Spec.HistoryLimit, int32(10)},
		{"pipeline manual trigger", *pl.Spec.Trigger.Manual, true},
		{"deploy when", pl.Spec.Deploy.When, "stable"},
		{"artifact repo arch", pl.Spec.Artifacts.Repo.Distros[0].Arch, "x86_64"},
		{"repo flavor", r.Spec.Flavor, "default"},
		{"repo chacra", r.Spec.Chacra, "default"},
		{"repo arch", r.Spec.Distros[0].Arch, "x86_64"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.reason, c.got, c.want)
		}
	}
}

// TestDefaultIsIdempotent: re-applying a manifest must not change the
// stored bytes, so defaulting twice must equal defaulting once.
func TestDefaultIsIdempotent(t *testing.T) {
	for _, k := range Kinds() {
		obj := k.New()
		Default(obj)
		once, _ := json.Marshal(obj)
		Default(obj)
		twice, _ := json.Marshal(obj)
		if string(once) != string(twice) {
			t.Errorf("%s: Default not idempotent:\n%s\n%s", k.Kind, once, twice)
		}
	}
}

// TestDefaultLeavesListItems: what Default stores inside list items is
// what the user wrote, so that kubectl's merge patch, which replaces lists
// whole, finds the live list equal to the manifest's.
func TestDefaultLeavesListItems(t *testing.T) {
	d := &Deployment{Spec: DeploymentSpec{Ports: []Port{{ContainerPort: 80}}, HealthChecks: []HealthCheck{{}},
		Volumes: []Volume{{HostPath: "/a", ContainerPath: "/b"}}}}
	r := &Repo{Spec: RepoSpec{Distros: []Distro{{Distro: "centos", Version: "9"}}}}
	pl := &Pipeline{Spec: PipelineSpec{Artifacts: &Artifacts{Repo: &RepoArtifact{Distros: []Distro{{Distro: "ubuntu"}}}}}}
	for _, obj := range []Object{d, r, pl} {
		Default(obj)
	}
	cases := []struct {
		reason    string
		got, want any
	}{
		{"port protocol", d.Spec.Ports[0], Port{ContainerPort: 80}},
		{"health check", d.Spec.HealthChecks[0], HealthCheck{}},
		{"volume mode", d.Spec.Volumes[0].Mode, ""},
		{"repo arch", r.Spec.Distros[0].Arch, ""},
		{"artifact arch", pl.Spec.Artifacts.Repo.Distros[0].Arch, ""},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.reason, c.got, c.want)
		}
	}
}
