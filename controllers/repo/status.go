package repo

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Conditions and their reasons.
const (
	CondReady         = "Ready"
	CondNodeAvailable = "NodeAvailable"

	ReasonReady                = "Ready"
	ReasonNodeHealthy          = "NodeHealthy"
	ReasonNodeDown             = "NodeDown"
	ReasonUnknownNode          = "UnknownNode"
	ReasonNoHealthyNode        = "NoHealthyNode"
	ReasonBackendNotConfigured = "BackendNotConfigured"
	ReasonBuildStalled         = "BuildStalled"
	ReasonRecreated            = "Recreated"
	ReasonUpdateRequested      = "UpdateRequested"
	ReasonNoBinaries           = "NoBinaries"
	ReasonAwaitingCallback     = "AwaitingCallback"
)

// Event reasons besides the states a distro enters.
const (
	EventUpdateRequested = ReasonUpdateRequested
	EventRecreated       = ReasonRecreated
	EventBuildStalled    = ReasonBuildStalled
	EventNodeDown        = ReasonNodeDown
	EventNodeRecovered   = "NodeRecovered"
	EventNodeAssigned    = "NodeAssigned"
	EventMoved           = "Moved"
	EventDataDeleted     = "DataDeleted"
)

// progress orders states for the Ready condition: the least advanced
// distro names the reason.
var progress = map[string]int{
	v1alpha1.RepoFailed:             0,
	v1alpha1.RepoWaitingForBinaries: 1,
	v1alpha1.RepoRequested:          2,
	v1alpha1.RepoQueued:             3,
	v1alpha1.RepoBuilding:           4,
	v1alpha1.RepoReady:              5,
}

// setReady sets the Ready condition from the distro states: True when
// every distro is Ready and the node answers (repositories on a node
// that is down cannot be installed from).
func setReady(r *v1alpha1.Repo) {
	if c := meta.FindStatusCondition(r.Status.Conditions, CondNodeAvailable); c != nil && c.Status == metav1.ConditionFalse {
		reconcile.Condition(r, CondReady, metav1.ConditionFalse, c.Reason, c.Message)
		return
	}
	var waiting []string
	least := -1
	reason := ReasonReady
	for _, d := range r.Status.Distros {
		if d.State == v1alpha1.RepoReady {
			continue
		}
		waiting = append(waiting, fmt.Sprintf("%s %s", distroName(d), d.State))
		if p := progress[d.State]; least < 0 || p < least {
			least, reason = p, d.State
			if d.State == v1alpha1.RepoFailed && d.Reason != "" {
				reason = d.Reason
			}
		}
	}
	if len(r.Status.Distros) == 0 {
		reconcile.Condition(r, CondReady, metav1.ConditionFalse, v1alpha1.RepoWaitingForBinaries, "no distro observed yet")
		return
	}
	if len(waiting) == 0 {
		reconcile.Condition(r, CondReady, metav1.ConditionTrue, ReasonReady,
			fmt.Sprintf("%d distro(s) ready on node %s", len(r.Status.Distros), r.Status.Node))
		return
	}
	reconcile.Condition(r, CondReady, metav1.ConditionFalse, reason, "not ready: "+strings.Join(waiting, ", "))
}

func distroName(d v1alpha1.DistroState) string { return d.Distro + "/" + d.Version + "/" + d.Arch }

// transitionEvents records an event for each distro whose state or
// reason a pass changed: the reason is the new state's, or what moved
// it (Recreated, BuildStalled); failures are warnings.
func (r *reconciler) transitionEvents(ctx context.Context, rp *v1alpha1.Repo, before []v1alpha1.DistroState) {
	old := map[string]v1alpha1.DistroState{}
	for _, d := range before {
		old[distroName(d)] = d
	}
	for _, d := range rp.Status.Distros {
		o, seen := old[distroName(d)]
		if seen && o.State == d.State && o.Reason == d.Reason {
			continue
		}
		typ, reason := v1alpha1.EventTypeNormal, d.State
		if d.Reason == ReasonRecreated || d.Reason == ReasonBuildStalled || d.Reason == ReasonUpdateRequested {
			reason = d.Reason
		}
		if d.State == v1alpha1.RepoFailed {
			typ = v1alpha1.EventTypeWarning
		}
		from := "new"
		if seen {
			from = o.State
		}
		msg := fmt.Sprintf("%s: %s → %s on node %s", distroName(d), from, d.State, rp.Status.Node)
		if d.Message != "" {
			msg += ": " + d.Message
		}
		r.rec.Eventf(ctx, rp, typ, reason, "%s", msg)
	}
}
