package rollout

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func cond(typ string, status metav1.ConditionStatus, reason, msg string, gen int64) metav1.Condition {
	return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: gen}
}

// deploy is ci/web at generation gen, 3 replicas wanted, with status s.
func deploy(gen int64, f func(d *v1alpha1.Deployment)) *v1alpha1.Deployment {
	three := int32(3)
	d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ci", Generation: gen}, Spec: v1alpha1.DeploymentSpec{Replicas: &three}}
	d.Status.ObservedGeneration = gen
	f(d)
	return d
}

func TestOf(t *testing.T) {
	const T, F = metav1.ConditionTrue, metav1.ConditionFalse
	cases := []struct {
		reason string
		obj    v1alpha1.Object
		state  State
		want   string // the message, or its reason when failed
	}{
		{"a Deployment rolled out at its generation", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 3, 3, 3
			d.Status.Conditions = []metav1.Condition{cond("Available", T, "AllReplicasReady", "", 2), cond("Progressing", T, "RolloutComplete", "", 2)}
		}), Done, `deployment "web" successfully rolled out`},
		{"a Deployment complete at the generation before", deploy(3, func(d *v1alpha1.Deployment) {
			d.Status.ObservedGeneration = 2
			d.Status.Conditions = []metav1.Condition{cond("Available", T, "AllReplicasReady", "", 2), cond("Progressing", T, "RolloutComplete", "", 2)}
		}), Waiting, `Waiting for deployment "web" spec update to be observed...`},
		{"available on the old version mid-rollout is not done", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 3, 1, 1
			d.Status.Conditions = []metav1.Condition{cond("Available", T, "MinimumReplicasAvailable", "", 2), cond("Progressing", T, "RollingOut", "", 2)}
		}), Waiting, `Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...`},
		{"old replicas pending", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 4, 3, 3
		}), Waiting, `Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...`},
		{"updated but not all available", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 3, 3, 1
		}), Waiting, `Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...`},
		{"verify pending", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 3, 3, 3
			d.Status.Conditions = []metav1.Condition{cond("Progressing", T, "VerifyPending", "verify failing: 503", 2)}
		}), Waiting, `Waiting for deployment "web" rollout to finish: VerifyPending: verify failing: 503`},
		{"short of resources says why", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Replicas, d.Status.UpdatedReplicas = 2, 2
			d.Status.Conditions = []metav1.Condition{cond("Progressing", F, "InsufficientResources", "2 of 3 replicas placed", 2)}
		}), Waiting, `Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated... (InsufficientResources: 2 of 3 replicas placed)`},
		{"Marathon down says so", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.ObservedGeneration = 1
			d.Status.Conditions = []metav1.Condition{cond("Degraded", T, "MarathonUnavailable", "connection refused", 2)}
		}), Waiting, `Waiting for deployment "web" spec update to be observed... (MarathonUnavailable: connection refused)`},
		{"rolled back", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.FailedGeneration = 2
			d.Status.Conditions = []metav1.Condition{cond("Available", T, "AllReplicasReady", "", 2), cond("Progressing", F, "RolledBack", "generation 2 (image web:bad) made no progress", 2)}
		}), Failed, "RolledBack"},
		{"a rollback recorded, not yet done", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Conditions = []metav1.Condition{cond("Progressing", F, "RollingBack", "failed", 2)}
		}), Failed, "RolledBack"},
		{"rolled back at an older generation: the new spec waits", deploy(3, func(d *v1alpha1.Deployment) {
			d.Status.FailedGeneration, d.Status.ObservedGeneration = 2, 2
			d.Status.Conditions = []metav1.Condition{cond("Progressing", F, "RolledBack", "", 2)}
		}), Waiting, `Waiting for deployment "web" spec update to be observed...`},
		{"paused", deploy(2, func(d *v1alpha1.Deployment) { d.Spec.Paused = true }), Failed, "DeploymentPaused"},
		{"Marathon refuses the definition", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.Conditions = []metav1.Condition{cond("Degraded", T, "AppRejected", "422", 2)}
		}), Failed, "AppRejected"},
		{"no such backend", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.ObservedGeneration = 0
			d.Status.Conditions = []metav1.Condition{cond("Degraded", T, "BackendNotConfigured", "spec.marathon", 2)}
		}), Failed, "BackendNotConfigured"},
		{"a pool ready", &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "p", Generation: 1}, Status: v1alpha1.SlavePoolStatus{
			Conditions: []metav1.Condition{cond("Ready", T, "AllAgentsOnline", "2 of 2 agents online", 1)}}}, Done, `slavepool "p" ready: 2 of 2 agents online`},
		{"a pool booting", &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "p", Generation: 1}, Status: v1alpha1.SlavePoolStatus{
			Conditions: []metav1.Condition{cond("Ready", F, "AgentsNotReady", "1 of 2 agents online", 1)}}}, Waiting, `Waiting for slavepool "p" to be ready: AgentsNotReady: 1 of 2 agents online`},
		{"a pool ready at the generation before", &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "p", Generation: 2}, Status: v1alpha1.SlavePoolStatus{
			Conditions: []metav1.Condition{cond("Ready", T, "AllAgentsOnline", "", 1)}}}, Waiting, `Waiting for slavepool "p" spec update to be observed...`},
		{"a stalled pool", &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "p", Generation: 1}, Status: v1alpha1.SlavePoolStatus{
			Conditions: []metav1.Condition{cond("Stalled", T, "InvalidSpec", "no flavor m1.huge", 1)}}}, Failed, "InvalidSpec"},
		{"a pool without its backend", &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "p", Generation: 1}, Status: v1alpha1.SlavePoolStatus{
			Conditions: []metav1.Condition{cond("BackendAvailable", F, "BackendNotConfigured", "no jenkins x", 1)}}}, Failed, "BackendNotConfigured"},
		{"a repo ready", &v1alpha1.Repo{ObjectMeta: metav1.ObjectMeta{Name: "r", Generation: 1}, Status: v1alpha1.RepoStatus{
			Conditions: []metav1.Condition{cond("Ready", T, "Ready", "1 distro(s) ready on node n", 1)}}}, Done, `repo "r" ready: 1 distro(s) ready on node n`},
		{"a repo whose build failed is retried", &v1alpha1.Repo{ObjectMeta: metav1.ObjectMeta{Name: "r", Generation: 1}, Status: v1alpha1.RepoStatus{
			Conditions: []metav1.Condition{cond("Ready", F, "Failed", "not ready: ubuntu/jammy/x86_64 Failed", 1)}}}, Waiting,
			`Waiting for repo "r" to be ready: Failed: not ready: ubuntu/jammy/x86_64 Failed`},
		{"a repo without its backend", &v1alpha1.Repo{ObjectMeta: metav1.ObjectMeta{Name: "r", Generation: 1}, Status: v1alpha1.RepoStatus{
			Conditions: []metav1.Condition{cond("Ready", F, "BackendNotConfigured", "no chacra x", 1)}}}, Failed, "BackendNotConfigured"},
		{"a pipeline, observed or not", &v1alpha1.Pipeline{ObjectMeta: metav1.ObjectMeta{Name: "pl", Generation: 2}, Status: v1alpha1.PipelineStatus{ObservedGeneration: 1}},
			Done, `pipeline "pl" stored (no readiness to wait for)`},
		{"a build running", &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: "b-1"}, Status: v1alpha1.BuildStatus{Phase: "Running", Message: "jenkins #4"}},
			Waiting, `Waiting for build "b-1" Running: jenkins #4`},
		{"a build succeeded", &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: "b-1"}, Status: v1alpha1.BuildStatus{Phase: "Succeeded"}}, Done, `build "b-1" Succeeded`},
		{"a build failed", &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: "b-1"}, Status: v1alpha1.BuildStatus{Phase: "Failed", Reason: "JenkinsFailure"}}, Failed, "JenkinsFailure"},
		{"a build aborted without a reason", &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: "b-1"}, Status: v1alpha1.BuildStatus{Phase: "Aborted"}}, Failed, "Aborted"},
		{"an event", &v1alpha1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e"}}, Done, `event "e" stored (no readiness to wait for)`},
		{"a Deployment whose sealed env does not open", deploy(2, func(d *v1alpha1.Deployment) {
			d.Status.ObservedGeneration = 1
			d.Status.Conditions = []metav1.Condition{cond("Degraded", T, "SealedValueUnreadable", "not applied: spec.env[DB]: sealed for another scope", 2)}
		}), Failed, "SealedValueUnreadable"},
		{"a build whose sealed parameter does not open", &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: "b-2"},
			Status: v1alpha1.BuildStatus{Phase: "Pending", Reason: "SealedValueUnreadable"}}, Failed, "SealedValueUnreadable"},
		{"a build pending for another reason", &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: "b-3"},
			Status: v1alpha1.BuildStatus{Phase: "Pending", Reason: "Triggered"}}, Waiting, `Waiting for build "b-3" Pending`},
		{"an Alert whose receiver takes messages", &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Name: "a", Generation: 1},
			Status: v1alpha1.AlertStatus{Conditions: []metav1.Condition{cond("Ready", T, "Delivering", "receiver slack takes the messages", 1)}}},
			Done, `alert "a" ready: receiver slack takes the messages`},
		{"an Alert whose receiver is not configured", &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Name: "a", Generation: 1},
			Status: v1alpha1.AlertStatus{Conditions: []metav1.Condition{cond("Ready", F, "ReceiverNotConfigured", "no receiver", 1)}}},
			Failed, "ReceiverNotConfigured"},
		{"an Alert whose receiver fails for now", &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Name: "a", Generation: 1},
			Status: v1alpha1.AlertStatus{Conditions: []metav1.Condition{cond("Ready", F, "DeliveryFailing", "503", 1)}}},
			Waiting, `Waiting for alert "a" to be ready: DeliveryFailing: 503`},
	}
	for _, tc := range cases {
		got := Of(tc.obj)
		what := got.Message
		if got.State == Failed {
			what = got.Reason
		}
		if got.State != tc.state || what != tc.want {
			t.Errorf("%s: %s %q (%s), want %s %q", tc.reason, got.State, what, got.Message, tc.state, tc.want)
		}
	}
}
