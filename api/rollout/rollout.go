// Package rollout says, from the status the controllers write, whether
// an object a CD job applied is done, has failed, or is still on its
// way: what `minka apply --wait` and `minka rollout status` wait on,
// and the progress line they print (kubectl's rollout status words for a
// Deployment). It reads conditions and phases only, so it runs anywhere
// an object can be read.
//
// Per kind:
//
//   - Deployment: done when Available is True and Progressing is True
//     with RolloutComplete, both at its generation; failed when
//     status.failedGeneration is its generation or Progressing is False
//     with RolledBack or RollingBack at it (rolled back), when it is
//     paused (nothing is rolled out), or when Degraded says retrying the
//     same spec cannot help (AppRejected, BackendNotConfigured,
//     SealedValueUnreadable).
//   - SlavePool: done when Ready is True at its generation; failed when
//     Stalled is True (an invalid spec) or its backend is not configured.
//   - Repo: done when Ready is True at its generation; failed when its
//     chacra backend is not configured. A distro that failed to build is
//     retried by the controller, so it waits.
//   - Build: done when Succeeded; failed when Failed, Aborted or
//     Cancelled, or Pending because a sealed parameter does not open.
//   - Alert: done when Ready is True at its generation (its receiver
//     takes the messages); failed when its receiver is not in the server
//     config or cannot be read. A receiver that fails for now waits.
//   - Pipeline and Event: no readiness of their own; done once stored.
//     (A Pipeline's controller only prunes its Builds and lists the last
//     ones: waiting for it to observe the spec would say nothing about a
//     deploy, and would hang where that controller does not run.)
package rollout

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// State is where an object's rollout is.
type State int

// States.
const (
	Waiting State = iota
	Done
	Failed
)

func (s State) String() string { return [...]string{"Waiting", "Done", "Failed"}[s] }

// Status is an object's rollout state. Message is the progress line
// while waiting, the success line when done, and why when failed;
// Reason is the CamelCase reason of a failure.
type Status struct {
	State   State
	Reason  string
	Message string
}

// The condition types and reasons read here, as the controllers write
// them (controllers/deployment, slavepool and repo; a test in
// cmd/minka holds the two together).
const (
	CondAvailable        = "Available"
	CondProgressing      = "Progressing"
	CondDegraded         = "Degraded"
	CondReady            = "Ready"
	CondStalled          = "Stalled"
	CondBackendAvailable = "BackendAvailable"

	ReasonRolloutComplete      = "RolloutComplete"
	ReasonRolledBack           = "RolledBack"
	ReasonRollingBack          = "RollingBack"
	ReasonAppRejected          = "AppRejected"
	ReasonBackendNotConfigured = "BackendNotConfigured"
	ReasonDeploymentPaused     = "DeploymentPaused"
	// ReasonSealedValueUnreadable: a sealed value of the spec does not
	// open here (another namespace's, an unknown key): the spec must
	// change.
	ReasonSealedValueUnreadable = "SealedValueUnreadable"
	ReasonReceiverNotConfigured = "ReceiverNotConfigured"
	ReasonReceiverUnreadable    = "ReceiverUnreadable"
)

// Of is obj's rollout status.
func Of(obj v1alpha1.Object) Status {
	switch o := obj.(type) {
	case *v1alpha1.Deployment:
		return deployment(o)
	case *v1alpha1.SlavePool:
		return ready("slavepool", o.Name, o.Generation, o.Status.Conditions, failure(o.Generation, o.Status.Conditions, CondStalled, CondBackendAvailable))
	case *v1alpha1.Repo:
		return ready("repo", o.Name, o.Generation, o.Status.Conditions, failure(o.Generation, o.Status.Conditions, "", CondReady))
	case *v1alpha1.Build:
		return build(o)
	case *v1alpha1.Alert:
		return alert(o)
	}
	return Status{State: Done, Message: fmt.Sprintf("%s %q stored (no readiness to wait for)", kindOf(obj), obj.GetName())}
}

// at is condition typ when it was set at generation gen.
func at(conds []metav1.Condition, typ string, gen int64) *metav1.Condition {
	c := meta.FindStatusCondition(conds, typ)
	if c == nil || c.ObservedGeneration != gen {
		return nil
	}
	return c
}

// ready is a kind whose Ready condition says it all.
func ready(kind, name string, gen int64, conds []metav1.Condition, failed *metav1.Condition) Status {
	if failed != nil {
		return Status{State: Failed, Reason: failed.Reason, Message: fmt.Sprintf("%s %q: %s", kind, name, failed.Message)}
	}
	c := at(conds, CondReady, gen)
	switch {
	case c == nil:
		return Status{Message: fmt.Sprintf("Waiting for %s %q spec update to be observed...", kind, name)}
	case c.Status == metav1.ConditionTrue:
		return Status{State: Done, Message: fmt.Sprintf("%s %q ready: %s", kind, name, c.Message)}
	}
	return Status{Message: fmt.Sprintf("Waiting for %s %q to be ready: %s: %s", kind, name, c.Reason, c.Message)}
}

// failure is the condition that says the spec cannot become ready:
// stalled True, or notConfigured False for want of a backend.
func failure(gen int64, conds []metav1.Condition, stalled, notConfigured string) *metav1.Condition {
	if c := at(conds, stalled, gen); stalled != "" && c != nil && c.Status == metav1.ConditionTrue {
		return c
	}
	if c := at(conds, notConfigured, gen); c != nil && c.Status == metav1.ConditionFalse && c.Reason == ReasonBackendNotConfigured {
		return c
	}
	return nil
}

func build(b *v1alpha1.Build) Status {
	msg := fmt.Sprintf("build %q %s", b.Name, b.Status.Phase)
	if b.Status.Message != "" {
		msg += ": " + b.Status.Message
	}
	switch b.Status.Phase {
	case v1alpha1.BuildSucceeded:
		return Status{State: Done, Message: msg}
	case v1alpha1.BuildFailed, v1alpha1.BuildAborted, v1alpha1.BuildCancelled:
		reason := b.Status.Reason
		if reason == "" {
			reason = b.Status.Phase
		}
		return Status{State: Failed, Reason: reason, Message: msg}
	case "":
		return Status{Message: fmt.Sprintf("Waiting for build %q to be observed...", b.Name)}
	case v1alpha1.BuildPending:
		if b.Status.Reason == ReasonSealedValueUnreadable {
			return Status{State: Failed, Reason: b.Status.Reason, Message: msg}
		}
	}
	return Status{Message: "Waiting for " + msg}
}

func alert(a *v1alpha1.Alert) Status {
	c := at(a.Status.Conditions, CondReady, a.Generation)
	if c != nil && c.Status == metav1.ConditionFalse && (c.Reason == ReasonReceiverNotConfigured || c.Reason == ReasonReceiverUnreadable) {
		return Status{State: Failed, Reason: c.Reason, Message: fmt.Sprintf("alert %q: %s", a.Name, c.Message)}
	}
	return ready("alert", a.Name, a.Generation, a.Status.Conditions, nil)
}

func kindOf(obj v1alpha1.Object) string {
	if k, err := v1alpha1.KindOf(obj); err == nil {
		return k.Singular
	}
	return "object"
}
