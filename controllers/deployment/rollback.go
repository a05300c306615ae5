package deployment

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// rollback returns the app to the last version that was healthy: that
// version is PUT again with force, which cancels the failing deployment.
// With no good version yet, Marathon's own rollback (DELETE
// /v2/deployments/{id}) reverts the deployment, which removes a new app. The spec generation is
// remembered as failed: it is not applied again until the spec changes.
func (r *reconciler) rollback(ctx context.Context, d *v1alpha1.Deployment, c *clients, o observed, why string) (reconcile.Result, error) {
	id, target, failedVersion := AppID(d.Namespace, d.Name), d.Status.LastGoodVersion, o.app.Version
	to := "the definition before deployment " + o.deploymentID
	switch {
	case target != "" && target != failedVersion:
		dep, err := c.marathon.RollbackTo(ctx, id, target)
		if err != nil {
			return reconcile.Result{}, err
		}
		to = fmt.Sprintf("version %s (deployment %s)", target, dep.DeploymentID)
	case o.deploymentID != "":
		if err := c.marathon.RevertDeployment(ctx, o.deploymentID); err != nil {
			return reconcile.Result{}, err
		}
		if target == "" {
			to = "nothing: no version was healthy before, so Marathon removed the new app"
		}
	default:
		to = "nothing: no healthy version to return to"
	}
	r.metrics.rollbacks.WithLabelValues(c.name).Inc()
	msg := fmt.Sprintf("generation %d (image %s, app version %s) %s; rolled back to %s", d.Generation, d.Spec.Image, failedVersion, why, to)
	r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventRolloutFailed, "generation %d (image %s, app version %s) %s", d.Generation, d.Spec.Image, failedVersion, why)
	r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventRolledBack, "rolled back to %s", to)
	d.Status.FailedGeneration, d.Status.LastProgressTime = d.Generation, nil
	d.Status.ObservedGeneration = d.Generation
	setCondition(d, Progressing, metav1.ConditionFalse, ReasonRolledBack, msg)
	setCondition(d, Degraded, metav1.ConditionTrue, ReasonRolledBack, msg)
	return reconcile.Result{RequeueAfter: pollRolling}, nil
}

// rolledBack is the state after a rollback: the failed spec is not
// applied again; the app is observed, and the version it settles on
// becomes the last good one.
func (r *reconciler) rolledBack(d *v1alpha1.Deployment, o observed, prev v1alpha1.DeploymentStatus) reconcile.Result {
	d.Status.ObservedGeneration = d.Generation
	msg := "generation " + itoa(int(d.Generation)) + " was rolled back; change the spec to roll out again"
	if cur := condition(d, Progressing); cur != nil && cur.Reason == ReasonRolledBack {
		msg = cur.Message
	}
	setCondition(d, Progressing, metav1.ConditionFalse, ReasonRolledBack, msg)
	setCondition(d, Degraded, metav1.ConditionTrue, ReasonRolledBack, msg)
	want := instances(o.app)
	if o.app != nil && o.deploymentID == "" && o.available == want {
		d.Status.LastGoodVersion = o.app.Version
		setCondition(d, Available, metav1.ConditionTrue, ReasonAllReplicasReady,
			fmt.Sprintf("version %s (rolled back): %d of %d replicas ready", o.app.Version, o.available, want))
		return reconcile.Result{}
	}
	r.setAvailable(d, o, prev)
	return reconcile.Result{RequeueAfter: pollWaiting}
}
