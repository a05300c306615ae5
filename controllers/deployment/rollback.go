package deployment

import (
	"context"
	"fmt"

	marathon "github.com/gambol99/go-marathon"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// rollback records that the spec generation failed, then rolls it back.
// The record comes first (failedGeneration, and Progressing RollingBack
// saying what failed), written before Marathon is touched: were the
// rollback done first and the status write after it lost, the next pass
// would find the spec not applied and PUT the failed generation again.
// The failed generation is not applied again until the spec changes.
func (r *reconciler) rollback(ctx context.Context, p *pass, c *clients, o observed, why string) (reconcile.Result, error) {
	d := p.Obj
	failed := fmt.Sprintf("generation %d (image %s, app version %s) %s", d.Generation, d.Spec.Image, o.app.Version, why)
	d.Status.FailedGeneration, d.Status.LastProgressTime = d.Generation, nil
	reconcile.Condition(d, Progressing, metav1.ConditionFalse, ReasonRollingBack, failed)
	reconcile.Condition(d, Degraded, metav1.ConditionTrue, ReasonRollingBack, failed+"; rolling back")
	r.markRolledBack(d, o.app.Version) // recorded with the rest, before Marathon is touched
	if err := p.RecordNow(ctx); err != nil {
		return reconcile.Result{}, err
	}
	r.metrics.rollbacks.WithLabelValues(c.name).Inc()
	r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventRolloutFailed, "%s", failed)
	return r.finishRollback(ctx, d, c, o, failed)
}

// finishRollback does a recorded rollback: the last good version is PUT
// again with force, which cancels the failing deployment; with no good
// version yet, Marathon's own rollback (DELETE /v2/deployments/{id})
// reverts the deployment, which removes a new app. An app that no longer
// has the failed definition was rolled back already (the reply, or the
// status write after it, was lost): it is not rolled back twice.
func (r *reconciler) finishRollback(ctx context.Context, d *v1alpha1.Deployment, c *clients, o observed, failed string) (reconcile.Result, error) {
	id, target := AppID(d.Namespace, d.Name), d.Status.LastGoodVersion
	to := "the definition before deployment " + o.deploymentID
	switch {
	case o.app == nil:
		to = "nothing: no version was healthy before, so Marathon removed the new app"
	case r.differs(d, o.app): // done by an earlier pass
		to = "version " + target
		if target == "" {
			to = "the definition before generation " + itoa(int(d.Generation))
		}
	case target != "" && target != o.app.Version:
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
	r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventRolledBack, "rolled back to %s", to)
	msg := failed + "; rolled back to " + to
	reconcile.Condition(d, Progressing, metav1.ConditionFalse, ReasonRolledBack, msg)
	reconcile.Condition(d, Degraded, metav1.ConditionTrue, ReasonRolledBack, msg)
	return reconcile.Result{RequeueAfter: pollRolling}, nil
}

// differs says whether app no longer has d's definition. A definition
// that cannot be built (a sealed value that no longer opens) is not what
// Marathon holds: it was applied when it still opened.
func (r *reconciler) differs(d *v1alpha1.Deployment, app *marathon.Application) bool {
	want, err := r.desired(d)
	return err != nil || len(diff(want, app)) > 0
}

// rolledBack is the state after a rollback: the failed spec is not
// applied again; a rollback recorded but not done (its request failed,
// or the process died) is finished; the app is observed, and the version
// it settles on becomes the last good one.
func (r *reconciler) rolledBack(ctx context.Context, d *v1alpha1.Deployment, c *clients, o observed, prev v1alpha1.DeploymentStatus) (reconcile.Result, error) {
	d.Status.ObservedGeneration = d.Generation
	r.markRolledBack(d, "")
	cur := v1alpha1.FindCondition(d.Status.Conditions, Progressing)
	if cur != nil && cur.Reason == ReasonRollingBack {
		return r.finishRollback(ctx, d, c, o, cur.Message)
	}
	msg := "generation " + itoa(int(d.Generation)) + " was rolled back; change the spec to roll out again"
	if cur != nil && cur.Reason == ReasonRolledBack {
		msg = cur.Message
	}
	reconcile.Condition(d, Progressing, metav1.ConditionFalse, ReasonRolledBack, msg)
	reconcile.Condition(d, Degraded, metav1.ConditionTrue, ReasonRolledBack, msg)
	want := instances(o.app)
	if o.app != nil && o.deploymentID == "" && o.available == want {
		d.Status.LastGoodVersion = o.app.Version
		reconcile.Condition(d, Available, metav1.ConditionTrue, ReasonAllReplicasReady,
			fmt.Sprintf("version %s (rolled back): %d of %d replicas ready", o.app.Version, o.available, want))
		return reconcile.Result{}, nil
	}
	r.setAvailable(d, o, prev)
	return reconcile.Result{RequeueAfter: pollWaiting}, nil
}
