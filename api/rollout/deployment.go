package rollout

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// deployment reads a Deployment as kubectl's DeploymentStatusViewer
// reads an apps/v1 one, with minka's end states: a rollout is over when
// the controller says RolloutComplete (every replica ready and updated,
// verify passed), and a failed one is rolled back.
func deployment(d *v1alpha1.Deployment) Status {
	gen, s := d.Generation, &d.Status
	name := d.Name
	prog, avail, degraded := at(s.Conditions, CondProgressing, gen), at(s.Conditions, CondAvailable, gen), at(s.Conditions, CondDegraded, gen)
	rolledBack := prog != nil && prog.Status == metav1.ConditionFalse && (prog.Reason == ReasonRolledBack || prog.Reason == ReasonRollingBack)
	switch {
	case s.FailedGeneration == gen || rolledBack:
		msg := fmt.Sprintf("generation %d was rolled back", gen)
		if prog != nil {
			msg = prog.Message
		}
		return Status{State: Failed, Reason: ReasonRolledBack, Message: fmt.Sprintf("deployment %q rolled back: %s", name, msg)}
	case d.Spec.Paused:
		return Status{State: Failed, Reason: ReasonDeploymentPaused, Message: fmt.Sprintf("deployment %q is paused (spec.paused): nothing is rolled out", name)}
	case degraded != nil && degraded.Status == metav1.ConditionTrue && (degraded.Reason == ReasonAppRejected || degraded.Reason == ReasonBackendNotConfigured || degraded.Reason == ReasonSealedValueUnreadable):
		return Status{State: Failed, Reason: degraded.Reason, Message: fmt.Sprintf("deployment %q: %s", name, degraded.Message)}
	case s.ObservedGeneration < gen:
		return Status{Message: "Waiting for deployment " + quote(name) + " spec update to be observed..." + trouble(degraded)}
	case avail != nil && avail.Status == metav1.ConditionTrue && prog != nil && prog.Status == metav1.ConditionTrue && prog.Reason == ReasonRolloutComplete:
		return Status{State: Done, Message: fmt.Sprintf("deployment %q successfully rolled out", name)}
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	wait := "Waiting for deployment " + quote(name) + " rollout to finish: "
	var msg string
	switch {
	case s.UpdatedReplicas < want:
		msg = fmt.Sprintf("%d out of %d new replicas have been updated...", s.UpdatedReplicas, want)
	case s.Replicas > s.UpdatedReplicas:
		msg = fmt.Sprintf("%d old replicas are pending termination...", s.Replicas-s.UpdatedReplicas)
	case s.AvailableReplicas < s.UpdatedReplicas:
		msg = fmt.Sprintf("%d of %d updated replicas are available...", s.AvailableReplicas, s.UpdatedReplicas)
	case prog != nil:
		msg = prog.Reason + ": " + prog.Message
	default:
		msg = "waiting for the controller..."
	}
	if prog != nil && prog.Status == metav1.ConditionFalse && s.UpdatedReplicas < want {
		msg += " (" + prog.Reason + ": " + prog.Message + ")" // short of resources: why
	}
	return Status{Message: wait + msg + trouble(degraded)}
}

// trouble is what a Degraded condition adds to a progress line: a
// backend that does not answer, an app locked by another deployment.
func trouble(degraded *metav1.Condition) string {
	if degraded == nil || degraded.Status != metav1.ConditionTrue {
		return ""
	}
	return " (" + degraded.Reason + ": " + degraded.Message + ")"
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
