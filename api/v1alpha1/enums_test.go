package v1alpha1

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TestEnumsAreWhatValidationAllows: every value Enums publishes (the
// OpenAPI enums) passes validation and a value outside them fails naming
// the field, so the schema kubectl shows cannot drift from the rules.
func TestEnumsAreWhatValidationAllows(t *testing.T) {
	setters := map[string]struct {
		path string
		obj  func(v string) Object
	}{
		"DeploymentSpec.network": {"spec.network", func(v string) Object { d := validDeployment(); d.Spec.Network = v; return d }},
		"Port.protocol":          {"spec.ports[0].protocol", func(v string) Object { d := validDeployment(); d.Spec.Ports[0].Protocol = v; return d }},
		"HealthCheck.protocol": {"spec.healthChecks[0].protocol", func(v string) Object {
			d := validDeployment()
			d.Spec.HealthChecks = []HealthCheck{{Protocol: v, Command: "true", Path: "/"}}
			return d
		}},
		"Volume.mode": {"spec.volumes[0].mode", func(v string) Object {
			d := validDeployment()
			d.Spec.Volumes = []Volume{{HostPath: "/a", ContainerPath: "/b", Mode: v}}
			return d
		}},
		"Deploy.when": {"spec.deploy.when", func(v string) Object {
			p := validPipeline()
			p.Spec.Deploy = &Deploy{Deployment: "web", When: v}
			p.Spec.Artifacts = &Artifacts{Image: &ImageArtifact{Repository: "registry.example.com/webapp"}}
			return p
		}},
		"Concurrency.policy": {"spec.concurrency.policy", func(v string) Object { p := validPipeline(); p.Spec.Concurrency = &Concurrency{Policy: v}; return p }},
		"Concurrency.key":    {"spec.concurrency.key", func(v string) Object { p := validPipeline(); p.Spec.Concurrency = &Concurrency{Key: v}; return p }},
		"BuildTrigger.kind":  {"spec.trigger.kind", func(v string) Object { b := validBuildForEnums(); b.Spec.Trigger = &BuildTrigger{Kind: v}; return b }},
		"BuildTrigger.style": {"spec.trigger.style", func(v string) Object {
			b := validBuildForEnums()
			b.Spec.Trigger = &BuildTrigger{Kind: "webhook", Style: v}
			return b
		}},
		"RepoSpec.deletePolicy": {"spec.deletePolicy", func(v string) Object { r := validRepoForEnums(); r.Spec.DeletePolicy = v; return r }},
		"AlertSpec.severity":    {"spec.severity", func(v string) Object { a := validAlert(); a.Spec.Severity = v; return a }},
		"AlertSource.kind": {"spec.sources[0].kind", func(v string) Object {
			a := validAlert()
			a.Spec.Sources = []AlertSource{{Kind: v}}
			return a
		}},
		"DeploymentRevision.result": {"status.history[0].result", func(v string) Object {
			d := validDeployment()
			d.Status.History = []DeploymentRevision{{Revision: 1, Image: "web:1", Result: v}}
			return d
		}},
	}
	// A status field is the controllers' to write: its values are held
	// by ValidateStatus.
	validate := func(path string, obj Object) field.ErrorList {
		if strings.HasPrefix(path, "status.") {
			return ValidateStatus(obj)
		}
		return Validate(obj)
	}
	enums := Enums()
	if len(enums) != len(setters) {
		t.Fatalf("%d enums, %d tested", len(enums), len(setters))
	}
	for key, values := range enums {
		s, ok := setters[key]
		if !ok {
			t.Fatalf("enum %s has no test", key)
		}
		for _, v := range values {
			obj := s.obj(v)
			Default(obj)
			if errs := validate(s.path, obj); len(errs) > 0 {
				t.Errorf("%s = %q: %v", key, v, errs.ToAggregate())
			}
		}
		obj := s.obj("not-a-value")
		Default(obj)
		if errs := validate(s.path, obj); len(errs) == 0 || !strings.Contains(errs.ToAggregate().Error(), s.path+": Unsupported value") {
			t.Errorf("%s = not-a-value: %v, want %s refused", key, errs.ToAggregate(), s.path)
		}
	}
}

func validBuildForEnums() *Build {
	return &Build{ObjectMeta: metav1.ObjectMeta{Name: "webapp-1", Namespace: "ci"}, Spec: BuildSpec{Pipeline: "webapp", Number: 1, Branch: "master"}}
}

func validRepoForEnums() *Repo {
	return &Repo{ObjectMeta: metav1.ObjectMeta{Name: "ceph-master", Namespace: "ci"}, Spec: RepoSpec{Project: "ceph", Ref: "master",
		SHA1: "45e3f3c7a1b2c3d4e5f60718293a4b5c6d7e8f90", Distros: []Distro{{Distro: "ubuntu", Version: "jammy"}}}}
}

func validAlert() *Alert {
	return &Alert{ObjectMeta: metav1.ObjectMeta{Name: "ci-slack", Namespace: "ci"}, Spec: AlertSpec{Receiver: "slack"}}
}
