package v1alpha1

import (
	"strings"
	"testing"

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
