package deployment

import (
	"context"
	"errors"
	"slices"
	"time"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// pollDeleting is how often a deletion checks that the app is gone.
const pollDeleting = time.Second

// finalize deletes the Marathon app and lets the object go once Marathon
// no longer has it. An app that names another owner is left alone.
func (r *reconciler) finalize(ctx context.Context, p *pass, c *clients) (reconcile.Result, error) {
	d := p.Obj
	if !slices.Contains(d.Finalizers, Finalizer) {
		return reconcile.Result{}, nil
	}
	id := AppID(d.Namespace, d.Name)
	if c == nil {
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventAppDeleted, "no Marathon backend %q in the server config: app %s, if any, is left in place", d.Spec.Marathon, id)
		return reconcile.Result{}, p.RemoveFinalizer(ctx, Finalizer)
	}
	live, err := c.marathon.App(ctx, id)
	switch {
	case errors.Is(err, ErrAppNotFound):
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeNormal, EventAppDeleted, "app %s is gone from Marathon", id)
		return reconcile.Result{}, p.RemoveFinalizer(ctx, Finalizer)
	case err != nil:
		return reconcile.Result{}, err
	}
	if _, _, uid, ok := owner(live); ok && uid != string(d.UID) {
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventAppDeleted, "app %s belongs to another object (uid %s): left in place", id, uid)
		return reconcile.Result{}, p.RemoveFinalizer(ctx, Finalizer)
	}
	if instances(live) == 0 && len(live.Deployments) > 0 {
		return reconcile.Result{RequeueAfter: pollDeleting}, nil // our delete is running
	}
	dep, err := c.marathon.DeleteApp(ctx, id)
	if err != nil {
		return reconcile.Result{}, err
	}
	r.rec.Eventf(ctx, d, v1alpha1.EventTypeNormal, EventDeletingApp, "deleting app %s: deployment %s", id, dep.DeploymentID)
	return reconcile.Result{RequeueAfter: pollDeleting}, nil
}
