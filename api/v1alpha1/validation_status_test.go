package v1alpha1

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidateStatus(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cond := func(status metav1.ConditionStatus, reason string) []metav1.Condition {
		return []metav1.Condition{{Type: "Available", Status: status, Reason: reason, LastTransitionTime: now}}
	}
	deploy := func(f func(s *DeploymentStatus)) Object { d := validDeployment(); f(&d.Status); return d }
	pool := func(f func(s *SlavePoolStatus)) Object { p := validPool(); f(&p.Status); return p }
	cases := []struct {
		reason string
		obj    Object
		want   string // "" = valid
	}{
		{"an empty status", deploy(func(*DeploymentStatus) {}), ""},
		{"what the deployment controller writes", deploy(func(s *DeploymentStatus) {
			s.ObservedGeneration, s.Replicas, s.ReadyReplicas, s.UpdatedReplicas, s.AvailableReplicas = 2, 3, 2, 3, 2
			s.Endpoints = []Endpoint{{TaskID: "web.1", Host: "a1", Ports: []int32{31000}, ServicePorts: []int32{10000}, Healthy: true}}
			s.Conditions = cond(metav1.ConditionTrue, "AllReplicasReady")
		}), ""},
		{"ready above replicas is as observed, not checked", deploy(func(s *DeploymentStatus) { s.ReadyReplicas = 3 }), ""},
		{"negative replicas", deploy(func(s *DeploymentStatus) { s.Replicas = -5 }), "status.replicas: Invalid value: -5: must be >= 0"},
		{"negative available", deploy(func(s *DeploymentStatus) { s.AvailableReplicas = -1 }), "status.availableReplicas"},
		{"negative failed generation", deploy(func(s *DeploymentStatus) { s.FailedGeneration = -1 }), "status.failedGeneration"},
		{"an endpoint port past 65535", deploy(func(s *DeploymentStatus) { s.Endpoints = []Endpoint{{Host: "a1", Ports: []int32{70000}}} }),
			"status.endpoints[0].ports[0]: Invalid value: 70000"},
		{"a 1 MiB app version", deploy(func(s *DeploymentStatus) { s.AppVersion = strings.Repeat("v", 1<<20) }),
			"status.appVersion: Too long: may not be more than 65536 bytes"},
		{"condition status Maybe", deploy(func(s *DeploymentStatus) { s.Conditions = cond("Maybe", "AllReplicasReady") }),
			`status.conditions[0].status: Unsupported value: "Maybe"`},
		{"condition reason not CamelCase", deploy(func(s *DeploymentStatus) { s.Conditions = cond(metav1.ConditionTrue, "all ready") }),
			"status.conditions[0].reason"},
		{"condition without lastTransitionTime", deploy(func(s *DeploymentStatus) {
			s.Conditions = []metav1.Condition{{Type: "Available", Status: metav1.ConditionTrue, Reason: "AllReplicasReady"}}
		}), "status.conditions[0].lastTransitionTime: Required value"},
		{"a history as the controller writes it", deploy(func(s *DeploymentStatus) {
			s.History = []DeploymentRevision{{Revision: 1, Generation: 1, AppVersion: "v1", Image: "web:1", Result: RevisionGood, Time: now},
				{Revision: 3, Generation: 4, Image: "web:2", Result: RevisionProgressing, Time: now, Spec: &DeploymentSpec{Image: "web:2"}}}
		}), ""},
		{"a revision 0", deploy(func(s *DeploymentStatus) {
			s.History = []DeploymentRevision{{Revision: 0, Image: "web:1", Result: RevisionGood, Time: now}}
		}), "status.history[0].revision: Invalid value: 0: must be >= 1"},
		{"revisions out of order", deploy(func(s *DeploymentStatus) {
			s.History = []DeploymentRevision{{Revision: 2, Result: RevisionGood}, {Revision: 2, Result: RevisionGood}}
		}), "status.history[1].revision: Invalid value: 2: must be more than the revision before it (2)"},
		{"a negative generation", deploy(func(s *DeploymentStatus) {
			s.History = []DeploymentRevision{{Revision: 1, Generation: -1, Result: RevisionGood}}
		}), "status.history[0].generation: Invalid value: -1: must be >= 0"},
		{"an unknown result", deploy(func(s *DeploymentStatus) {
			s.History = []DeploymentRevision{{Revision: 1, Result: "Fine"}}
		}), `status.history[0].result: Unsupported value: "Fine"`},
		{"more revisions than any limit", deploy(func(s *DeploymentStatus) {
			for i := range MaxRevisionHistoryLimit + 1 {
				s.History = append(s.History, DeploymentRevision{Revision: int64(i + 1), Result: RevisionGood})
			}
		}), "status.history: Too many: 101: must have at most 100 items"},
		{"a history past MaxHistoryBytes", deploy(func(s *DeploymentStatus) {
			big := &DeploymentSpec{Image: "web:1", Env: map[string]string{"BIG": strings.Repeat("x", MaxHistoryBytes)}}
			s.History = []DeploymentRevision{{Revision: 1, Result: RevisionGood, Spec: big}}
		}), "status.history: Invalid value: \"131"},
		{"what the pool controller writes", pool(func(s *SlavePoolStatus) {
			s.ObservedGeneration, s.Replicas, s.Ready, s.Busy, s.Idle, s.Queued, s.DesiredReplicas = 1, 2, 1, 1, 0, 4, 2
			s.Nodes = []AgentNode{{Name: "builders-0", ServerID: "1", IP: "10.0.0.1", Phase: "Online", Since: now, Busy: 1}}
			s.Conditions = cond(metav1.ConditionFalse, "AgentsNotReady")
		}), ""},
		{"negative queue", pool(func(s *SlavePoolStatus) { s.Queued = -1 }), "status.queued: Invalid value: -1: must be >= 0"},
		{"a node without a name", pool(func(s *SlavePoolStatus) { s.Nodes = []AgentNode{{Phase: "Online"}} }), "status.nodes[0].name: Required value"},
		{"a scale history as the controller writes it", pool(func(s *SlavePoolStatus) {
			s.ScaleHistory = []ScaleSample{{Time: now, Queued: 0, Desired: 2, Ready: 0}, {Time: now, Queued: 4, Desired: 2, Ready: 2}}
		}), ""},
		{"a sample with negative desired", pool(func(s *SlavePoolStatus) { s.ScaleHistory = []ScaleSample{{Time: now, Desired: -1}} }),
			"status.scaleHistory[0].desired: Invalid value: -1: must be >= 0"},
		{"more samples than MaxScaleSamples", pool(func(s *SlavePoolStatus) {
			s.ScaleHistory = make([]ScaleSample, MaxScaleSamples+1)
		}), "status.scaleHistory: Too many: 121: must have at most 120 items"},
		{"a node busy below zero", pool(func(s *SlavePoolStatus) { s.Nodes = []AgentNode{{Name: "a", Busy: -1}} }), "status.nodes[0].busy"},
		{"a negative build number", &Pipeline{Status: PipelineStatus{LastBuilds: []BuildRef{{Name: "b", Number: -1}}}}, "status.lastBuilds[0].number"},
		{"a negative Jenkins build", &Build{Status: BuildStatus{JenkinsBuild: -3}}, "status.jenkinsBuild: Invalid value: -3"},
		{"a repo distro message past 64 KiB", &Repo{Status: RepoStatus{Distros: []DistroState{{Distro: "u", Message: strings.Repeat("m", 64<<10+1)}}}},
			"status.distros[0].message: Too long"},
	}
	for _, c := range cases {
		errs := ValidateStatus(c.obj)
		switch {
		case c.want == "" && len(errs) > 0:
			t.Errorf("%s: unexpected errors: %v", c.reason, errs)
		case c.want != "" && !strings.Contains(errs.ToAggregate().Error(), c.want):
			t.Errorf("%s: errors %v, want one containing %q", c.reason, errs, c.want)
		}
	}
}
