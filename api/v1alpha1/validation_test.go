package v1alpha1

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func validDeployment() *Deployment {
	return &Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ci"}, Spec: DeploymentSpec{
		Image: "registry.example.com/webapp:webapp-1-master-0.5.20", Cpus: 0.5, Mem: 512,
		Ports: []Port{{Name: "http", ContainerPort: 8080, ServicePort: 10000}}}}
}

func validPool() *SlavePool {
	return &SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "builders"}, Spec: SlavePoolSpec{
		Labels: []string{"amd64", "trusty"}, Template: ServerTemplate{Image: "ubuntu", Flavor: "m1.large"}}}
}

func ptrTo[T any](v T) *T { return &v }

func validPipeline() *Pipeline {
	return &Pipeline{ObjectMeta: metav1.ObjectMeta{Name: "webapp"}, Spec: PipelineSpec{
		Job: "webapp-build", Source: Source{Git: "https://git.example.com/webapp.git"}}}
}

func TestValidationRules(t *testing.T) {
	cases := []struct {
		reason string
		obj    func() Object
		want   string // "" = valid
	}{
		{"a valid deployment", func() Object { return validDeployment() }, ""},
		{"deployment names are DNS labels", func() Object { d := validDeployment(); d.Name = "a.b"; return d }, "metadata.name"},
		{"cmd and args exclude each other", func() Object { d := validDeployment(); d.Spec.Cmd, d.Spec.Args = "x", []string{"y"}; return d }, "spec.args: Forbidden"},
		{"env names", func() Object { d := validDeployment(); d.Spec.Env = map[string]string{"1X": ""}; return d }, "spec.env[1X]"},
		{"network", func() Object { d := validDeployment(); d.Spec.Network = "OVERLAY"; return d }, `spec.network: Unsupported value: "OVERLAY"`},
		{"port range", func() Object { d := validDeployment(); d.Spec.Ports[0].ContainerPort = 70000; return d }, "spec.ports[0].containerPort"},
		{"port protocol", func() Object { d := validDeployment(); d.Spec.Ports[0].Protocol = "sctp"; return d }, "spec.ports[0].protocol"},
		{"LIKE needs a regexp", func() Object {
			d := validDeployment()
			d.Spec.Constraints = [][]string{{"rack", "LIKE", "("}}
			return d
		}, "spec.constraints[0][2]"},
		{"MAX_PER needs a positive integer", func() Object {
			d := validDeployment()
			d.Spec.Constraints = [][]string{{"rack", "MAX_PER", "0"}}
			return d
		}, "MAX_PER needs a positive integer"},
		{"CLUSTER takes 2 or 3", func() Object {
			d := validDeployment()
			d.Spec.Constraints = [][]string{{"rack", "CLUSTER", "a", "b"}}
			return d
		}, "CLUSTER takes 2 or 3 elements, got 4"},
		{"IS is fine with 3", func() Object {
			d := validDeployment()
			d.Spec.Constraints = [][]string{{"os", "IS", "linux"}}
			return d
		}, ""},
		{"health check protocol", func() Object {
			d := validDeployment()
			d.Spec.HealthChecks = []HealthCheck{{Protocol: "GRPC"}}
			return d
		}, "spec.healthChecks[0].protocol"},
		{"health check port name", func() Object {
			d := validDeployment()
			d.Spec.HealthChecks = []HealthCheck{{Protocol: "TCP", PortName: "admin"}}
			return d
		}, `spec.healthChecks[0].portName: Not found: "admin"`},
		{"upgrade strategy in [0,1]", func() Object {
			d := validDeployment()
			v := 1.5
			d.Spec.UpgradeStrategy = &UpgradeStrategy{MaximumOverCapacity: &v}
			return d
		}, "spec.upgradeStrategy.maximumOverCapacity"},
		{"uris are absolute", func() Object { d := validDeployment(); d.Spec.URIs = []string{"conf.tgz"}; return d }, "spec.uris[0]"},
		{"verify path", func() Object { d := validDeployment(); d.Spec.Verify = &Verify{Path: "ping"}; return d }, "spec.verify.path"},
		{"labels are checked", func() Object { d := validDeployment(); d.Labels = map[string]string{"a b": "c"}; return d }, "metadata.labels"},
		{"the restart label comes from spec.restartedAt", func() Object {
			d := validDeployment()
			d.Spec.Labels = map[string]string{RestartedAtLabel: "now"}
			return d
		}, "spec.labels[MINKA_RESTARTED_AT]: Forbidden: is set from spec.restartedAt"},
		{"a restart time", func() Object {
			d := validDeployment()
			d.Spec.RestartedAt = &metav1.Time{Time: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
			return d
		}, ""},
		{"no history is no limit", func() Object { d := validDeployment(); d.Spec.RevisionHistoryLimit = ptrTo[int32](0); return d },
			"spec.revisionHistoryLimit: Invalid value: 0: must be >= 1"},
		{"a history limit past 100", func() Object { d := validDeployment(); d.Spec.RevisionHistoryLimit = ptrTo[int32](101); return d },
			"spec.revisionHistoryLimit: Invalid value: 101: must be <= 100"},
		{"a valid pool", func() Object { return validPool() }, ""},
		{"pool labels required", func() Object { p := validPool(); p.Spec.Labels = nil; return p }, "spec.labels: Required value"},
		{"pool labels unique", func() Object { p := validPool(); p.Spec.Labels = []string{"a", "a"}; return p }, `spec.labels[1]: Duplicate value: "a"`},
		{"replicas below minReplicas", func() Object {
			p := validPool()
			one, five := int32(1), int32(5)
			p.Spec.Replicas, p.Spec.MinReplicas, p.Spec.MaxReplicas = &one, 2, &five
			return p
		}, "spec.replicas: Invalid value: 1: must be >= spec.minReplicas (2)"},
		{"autoscaled pools may sit anywhere in range", func() Object {
			p := validPool()
			nine, five := int32(9), int32(5)
			p.Spec.Replicas, p.Spec.MaxReplicas, p.Spec.Autoscale = &nine, &five, &Autoscale{Enabled: true}
			return p
		}, ""},
		{"minIdle within max", func() Object {
			p := validPool()
			two := int32(2)
			p.Spec.MaxReplicas, p.Spec.Autoscale = &two, &Autoscale{Enabled: true, MinIdle: 3}
			return p
		}, "spec.autoscale.minIdle"},
		{"user data is a template", func() Object { p := validPool(); p.Spec.Template.UserData = "{{.Broken"; return p }, "spec.template.userData"},
		{"a valid pipeline", func() Object { return validPipeline() }, ""},
		{"scp-like git URLs", func() Object { p := validPipeline(); p.Spec.Source.Git = "git@github.com:ceph/ceph.git"; return p }, ""},
		{"git URL scheme", func() Object { p := validPipeline(); p.Spec.Source.Git = "ftp://x/y.git"; return p }, "spec.source.git"},
		{"branch globs", func() Object { p := validPipeline(); p.Spec.Source.Branches = []string{"release/["}; return p }, "spec.source.branches[0]"},
		{"label expression", func() Object { p := validPipeline(); p.Spec.Label = "a &&"; return p }, "spec.label"},
		{"a 2.1 MB label expression is too long, not a stack overflow", func() Object {
			p := validPipeline()
			p.Spec.Label = strings.Repeat("!", 2_100_000) + "a"
			return p
		}, "spec.label: Too long: may not be more than 4096 bytes"},
		{"a label expression nested too deep", func() Object {
			p := validPipeline()
			p.Spec.Label = strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100)
			return p
		}, "nested more than 64 deep"},
		{"image repository without tag", func() Object {
			p := validPipeline()
			p.Spec.Artifacts = &Artifacts{Image: &ImageArtifact{Repository: "registry.example.com/webapp:1"}}
			return p
		}, "spec.artifacts.image.repository"},
		{"job names", func() Object { p := validPipeline(); p.Spec.Job = "build:all"; return p }, "spec.job"},
		{"folder jobs", func() Object { p := validPipeline(); p.Spec.Job = "ceph/ceph-build"; return p }, ""},
		{"webhook secret", func() Object {
			p := validPipeline()
			p.Spec.Trigger = &Trigger{Webhook: &WebhookTrigger{}}
			return p
		}, "spec.trigger.webhook.secretRef"},
		{"history limit", func() Object { p := validPipeline(); z := int32(0); p.Spec.HistoryLimit = &z; return p }, "spec.historyLimit"},
		{"build sha1", func() Object {
			return &Build{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: BuildSpec{Pipeline: "webapp", Branch: "master", SHA1: "XYZ"}}
		}, "spec.sha1"},
		{"build parameters", func() Object {
			return &Build{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: BuildSpec{Pipeline: "webapp", Branch: "master", Parameters: map[string]string{"a b": "c"}}}
		}, "spec.parameters[a b]"},
		{"deployment replicas above the limit", func() Object { d := validDeployment(); d.Spec.Replicas = ptrTo(int32(5001)); return d }, "spec.replicas: Invalid value: 5001: must be <= 5000"},
		{"deployment replicas at the limit", func() Object { d := validDeployment(); d.Spec.Replicas = ptrTo(int32(5000)); return d }, ""},
		{"a 1 MiB image is too long, and not repeated", func() Object {
			d := validDeployment()
			d.Spec.Image = strings.Repeat("a", 1<<20)
			return d
		}, "spec.image: Too long: may not be more than 456 bytes"},
		{"an image name past 255 bytes", func() Object {
			d := validDeployment()
			d.Spec.Image = "registry.example.com/" + strings.Repeat("a", 240) + ":1"
			return d
		}, "spec.image: Too long: the repository name (before :tag and @digest) may not be more than 255 bytes"},
		{"a 255-byte image name with a 128-byte tag and a digest", func() Object {
			d := validDeployment()
			d.Spec.Image = "r.example.com/" + strings.Repeat("a", 241) + ":" + strings.Repeat("t", 128) + "@sha256:" + strings.Repeat("0", 64)
			return d
		}, ""},
		{"a registry port is not a tag", func() Object { d := validDeployment(); d.Spec.Image = "registry:5000/web"; return d }, ""},
		{"cmd past 64 KiB", func() Object { d := validDeployment(); d.Spec.Cmd = strings.Repeat("x", 64<<10+1); return d }, "spec.cmd: Too long: may not be more than 65536 bytes"},
		{"an arg past 64 KiB", func() Object {
			d := validDeployment()
			d.Spec.Args = []string{"a", strings.Repeat("x", 64<<10+1)}
			return d
		}, "spec.args[1]: Too long"},
		{"an env value past 64 KiB", func() Object {
			d := validDeployment()
			d.Spec.Env = map[string]string{"BIG": strings.Repeat("x", 64<<10+1)}
			return d
		}, "spec.env[BIG]: Too long: may not be more than 65536 bytes"},
		{"an env value of 64 KiB", func() Object {
			d := validDeployment()
			d.Spec.Env = map[string]string{"BIG": strings.Repeat("x", 64<<10)}
			return d
		}, ""},
		{"a constraint value past 64 KiB", func() Object {
			d := validDeployment()
			d.Spec.Constraints = [][]string{{"rack", "LIKE", strings.Repeat("(", 64<<10+1)}}
			return d
		}, "spec.constraints[0][2]: Too long"},
		{"a health check command past 64 KiB", func() Object {
			d := validDeployment()
			d.Spec.HealthChecks = []HealthCheck{{Protocol: "COMMAND", Command: strings.Repeat("x", 64<<10+1)}}
			return d
		}, "spec.healthChecks[0].command: Too long"},
		{"a host path past PATH_MAX", func() Object {
			d := validDeployment()
			d.Spec.Volumes = []Volume{{HostPath: "/" + strings.Repeat("x", 4096), ContainerPath: "/data"}}
			return d
		}, "spec.volumes[0].hostPath: Too long: may not be more than 4096 bytes"},
		{"pool maxReplicas above the limit", func() Object { p := validPool(); p.Spec.MaxReplicas = ptrTo(int32(1001)); return p }, "spec.maxReplicas: Invalid value: 1001: must be <= 1000"},
		{"pool replicas above the limit, autoscaled", func() Object {
			p := validPool()
			p.Spec.Replicas, p.Spec.MaxReplicas, p.Spec.Autoscale = ptrTo(int32(2147483647)), ptrTo(int32(10)), &Autoscale{Enabled: true}
			return p
		}, "spec.replicas: Invalid value: 2147483647: must be <= 1000"},
		{"pool of 1000", func() Object { p := validPool(); p.Spec.MaxReplicas = ptrTo(int32(1000)); return p }, ""},
		{"user data past Nova's limit", func() Object { p := validPool(); p.Spec.Template.UserData = strings.Repeat("x", 49150); return p }, "spec.template.userData: Too long: may not be more than 49149 bytes (Nova takes at most 65535 characters of base64)"},
		{"user data at Nova's limit", func() Object { p := validPool(); p.Spec.Template.UserData = strings.Repeat("x", 49149); return p }, ""},
		{"a flavor name past 255", func() Object { p := validPool(); p.Spec.Template.Flavor = strings.Repeat("f", 256); return p }, "spec.template.flavor: Too long: may not be more than 255 bytes"},
		{"a Nova metadata value past 255", func() Object {
			p := validPool()
			p.Spec.Template.Metadata = map[string]string{"k": strings.Repeat("v", 256)}
			return p
		}, "spec.template.metadata[k]: Too long: Nova metadata keys and values are 1-255 characters"},
		{"a Jenkins label longer than any expression", func() Object { p := validPool(); p.Spec.Labels = []string{strings.Repeat("l", 4097)}; return p }, "spec.labels[0]: Too long: may not be more than 4096 bytes"},
		{"a pipeline parameter past 64 KiB", func() Object {
			p := validPipeline()
			p.Spec.Parameters = map[string]string{"A": strings.Repeat("x", 64<<10+1)}
			return p
		}, "spec.parameters[A]: Too long"},
		{"a git URL past 64 KiB", func() Object {
			p := validPipeline()
			p.Spec.Source.Git = "https://x/" + strings.Repeat("x", 64<<10)
			return p
		}, "spec.source.git: Too long"},
		{"a repository past 255", func() Object {
			p := validPipeline()
			p.Spec.Artifacts = &Artifacts{Image: &ImageArtifact{Repository: strings.Repeat("a", 256)}}
			return p
		}, "spec.artifacts.image.repository: Too long: may not be more than 255 bytes"},
		{"a branch past PATH_MAX", func() Object {
			return &Build{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: BuildSpec{Pipeline: "webapp", Branch: strings.Repeat("b", 4097)}}
		}, "spec.branch: Too long: may not be more than 4096 bytes"},
		{"a repo project past NAME_MAX", func() Object {
			return &Repo{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Spec: RepoSpec{Project: strings.Repeat("p", 256), Ref: "main",
				SHA1: strings.Repeat("a", 40), Distros: []Distro{{Distro: "ubuntu", Version: "jammy"}}}}
		}, "spec.project: Too long: may not be more than 255 bytes"},
		{"event reason is CamelCase", func() Object {
			return &Event{ObjectMeta: metav1.ObjectMeta{Name: "e"}, InvolvedObject: ObjectReference{Kind: "Deployment", Name: "web"}, Reason: "rollout started"}
		}, "reason"},
	}
	for _, c := range cases {
		obj := c.obj()
		Default(obj)
		errs := Validate(obj)
		switch {
		case c.want == "" && len(errs) > 0:
			t.Errorf("%s: unexpected errors: %v", c.reason, errs)
		case c.want != "" && !strings.Contains(errs.ToAggregate().Error(), c.want):
			t.Errorf("%s: errors %v, want one containing %q", c.reason, errs, c.want)
		}
	}
}

func TestValidateUpdateImmutables(t *testing.T) {
	old := &Build{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: BuildSpec{Pipeline: "webapp", Branch: "master", Number: 3}}
	next := old.DeepCopy()
	next.Spec.Branch, next.Spec.Number = "dev", 4
	errs := ValidateUpdate(next, old).ToAggregate().Error()
	for _, want := range []string{"spec.branch: Invalid value: \"dev\": field is immutable", "spec.number"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors %q lack %q", errs, want)
		}
	}
}

func TestValidateStatusConditions(t *testing.T) {
	d := validDeployment()
	d.Status.Conditions = []metav1.Condition{{Type: "Available", Status: "Maybe", Reason: "x"}}
	if errs := ValidateStatus(d); len(errs) == 0 {
		t.Errorf("a condition status of Maybe and a lowercase reason were accepted")
	}
	if errs := ValidateScale(&Scale{Spec: ScaleSpec{Replicas: -1}}); len(errs) == 0 {
		t.Errorf("a negative scale was accepted")
	}
}
