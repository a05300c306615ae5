package deployment

import (
	"context"
	"errors"
	"fmt"
	"time"

	marathon "github.com/gambol99/go-marathon"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Requeue periods while waiting on Marathon; events usually come first.
const (
	pollRolling = time.Second
	pollWaiting = 3 * time.Second
)

// Reconcile reads top to bottom: fetch the object, take the delete path
// if it is going, observe the app in Marathon, take one step towards the
// spec, and write the status if it changed.
func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	obj, err := reconcile.Fetch(ctx, r.st, r.kind, req)
	if obj == nil || err != nil {
		return reconcile.Result{}, err
	}
	orig := obj.(*v1alpha1.Deployment)
	d := orig.DeepCopy()
	c := r.backends[d.Spec.Marathon]
	if d.DeletionTimestamp != nil {
		return r.finalize(ctx, d, c)
	}
	if c == nil {
		setCondition(d, Degraded, metav1.ConditionTrue, ReasonBackendNotConfigured,
			fmt.Sprintf("spec.marathon: no Marathon backend %q in the server config", d.Spec.Marathon))
		return r.writeStatus(ctx, orig, d, reconcile.Result{}, nil)
	}
	if updated, err := reconcile.AddFinalizer(ctx, r.st, orig, Finalizer); err != nil {
		return reconcile.Result{}, err
	} else if updated != obj {
		orig = updated.(*v1alpha1.Deployment)
		d = orig.DeepCopy()
	}
	live, err := c.marathon.App(ctx, AppID(d.Namespace, d.Name))
	if errors.Is(err, ErrAppNotFound) {
		live, err = nil, nil
	}
	var res reconcile.Result
	if err == nil {
		res, err = r.step(ctx, d, c, live)
	}
	if err != nil {
		r.backendError(ctx, d, c, err)
	}
	return r.writeStatus(ctx, orig, d, res, err)
}

// step takes the one action the observation calls for.
func (r *reconciler) step(ctx context.Context, d *v1alpha1.Deployment, c *clients, live *marathon.Application) (reconcile.Result, error) {
	prev := *d.Status.DeepCopy()
	o := observe(live)
	recordObserved(&d.Status, o)
	switch {
	case d.Spec.Paused:
		d.Status.ObservedGeneration = d.Generation
		setCondition(d, Progressing, metav1.ConditionUnknown, ReasonDeploymentPaused, "spec.paused: the Marathon app is left as it is")
		r.setAvailable(d, o, prev)
		return reconcile.Result{}, nil
	case d.Status.FailedGeneration == d.Generation:
		return r.rolledBack(d, o, prev), nil
	}
	desired := desiredApp(d)
	if live == nil {
		return r.apply(ctx, d, c, desired, live, nil)
	}
	if changes := diff(desired, live); len(changes) > 0 {
		return r.apply(ctx, d, c, desired, live, changes)
	}
	d.Status.ObservedGeneration = d.Generation
	setCondition(d, Degraded, metav1.ConditionFalse, ReasonAsExpected, "")
	return r.follow(ctx, d, c, o, prev)
}

// apply PUTs the spec's app: a new rollout, a recreation, or a repair of
// a change made in Marathon behind minka's back. A deployment in flight
// is overridden (force), as a new spec supersedes it.
func (r *reconciler) apply(ctx context.Context, d *v1alpha1.Deployment, c *clients, desired, live *marathon.Application, changes []string) (reconcile.Result, error) {
	force := live != nil && len(live.Deployments) > 0
	dep, err := c.marathon.PutApp(ctx, desired, force)
	if err != nil {
		return reconcile.Result{}, err
	}
	// The spec's generation was already applied: Marathon changed, not the spec.
	drift := d.Status.ObservedGeneration == d.Generation
	reason := "update"
	switch {
	case drift && live == nil:
		reason = "drift"
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventDriftCorrected, "app %s was deleted in Marathon; recreated (deployment %s, version %s)", desired.ID, dep.DeploymentID, dep.Version)
	case drift:
		reason = "drift"
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventDriftCorrected, "app %s changed in Marathon (%v); restored (deployment %s, version %s)", desired.ID, changes, dep.DeploymentID, dep.Version)
	case live == nil:
		reason = "create"
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeNormal, EventRolloutStarted, "created app %s, image %s, %d replicas: deployment %s, version %s", desired.ID, d.Spec.Image, *desired.Instances, dep.DeploymentID, dep.Version)
	default:
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeNormal, EventRolloutStarted, "generation %d (%v): deployment %s, version %s", d.Generation, changes, dep.DeploymentID, dep.Version)
	}
	r.metrics.puts.WithLabelValues(c.name, reason).Inc()
	now := metav1.NewTime(r.now())
	d.Status.DeploymentID, d.Status.AppVersion, d.Status.LastProgressTime = dep.DeploymentID, dep.Version, &now
	setCondition(d, Progressing, metav1.ConditionTrue, ReasonRollingOut, fmt.Sprintf("deployment %s: rolling out version %s", dep.DeploymentID, dep.Version))
	setCondition(d, Degraded, metav1.ConditionFalse, ReasonAsExpected, "")
	return reconcile.Result{RequeueAfter: pollRolling}, nil
}

// writeStatus writes the status if it changed and hands back the result
// and the step's error (which backs the object off).
func (r *reconciler) writeStatus(ctx context.Context, orig, d *v1alpha1.Deployment, res reconcile.Result, err error) (reconcile.Result, error) {
	if _, werr := reconcile.UpdateStatus(ctx, r.st, orig, d); werr != nil && err == nil {
		err = fmt.Errorf("writing status: %w", werr)
	}
	return res, err
}

// backendError says what is wrong with Marathon; the error returned with
// it backs the object off exponentially.
func (r *reconciler) backendError(ctx context.Context, d *v1alpha1.Deployment, c *clients, err error) {
	reason := ReasonMarathonUnavailable
	switch {
	case errors.Is(err, ErrLocked):
		reason = ReasonAppLocked
	case errors.Is(err, ErrRejected):
		reason = ReasonAppRejected
	}
	name := "?"
	if c != nil {
		name = c.name
	}
	msg := fmt.Sprintf("marathon %s: %v", name, err)
	setCondition(d, Degraded, metav1.ConditionTrue, reason, msg)
	r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventMarathonUnavailable, "%s", msg)
}
