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

// pass is one reconcile of a Deployment.
type pass = reconcile.Pass[*v1alpha1.Deployment]

// Reconcile reads top to bottom: fetch the object (from the cache once it
// holds this controller's last write, else from the store), take the delete path
// if it is going, observe the app in Marathon, take one step towards the
// spec, and write the status if it changed.
func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	p, err := reconcile.BeginCached[*v1alpha1.Deployment](ctx, r.st, r.inf, r.writes, r.kind, req)
	if p == nil || err != nil {
		return reconcile.Result{}, err
	}
	c := r.backends[p.Obj.Spec.Marathon]
	switch {
	case p.Deleting():
		return r.finalize(ctx, p, c)
	case c == nil:
		reconcile.Condition(p.Obj, Degraded, metav1.ConditionTrue, ReasonBackendNotConfigured,
			fmt.Sprintf("spec.marathon: no Marathon backend %q in the server config", p.Obj.Spec.Marathon))
		return p.Finish(ctx, reconcile.Result{}, nil)
	}
	if err := p.AddFinalizer(ctx, Finalizer); err != nil {
		return reconcile.Result{}, err
	}
	live, err := c.marathon.App(ctx, AppID(p.Obj.Namespace, p.Obj.Name))
	if errors.Is(err, ErrAppNotFound) {
		live, err = nil, nil
	}
	var res reconcile.Result
	if err == nil {
		res, err = r.step(ctx, p, c, live)
	}
	if err != nil {
		r.backendError(ctx, p.Obj, c, err)
	}
	return p.Finish(ctx, res, err)
}

// step takes the one action the observation calls for.
func (r *reconciler) step(ctx context.Context, p *pass, c *clients, live *marathon.Application) (reconcile.Result, error) {
	d := p.Obj
	prev := *d.Status.DeepCopy()
	o := observe(live)
	recordObserved(&d.Status, o)
	switch {
	case d.Spec.Paused:
		d.Status.ObservedGeneration = d.Generation
		reconcile.Condition(d, Progressing, metav1.ConditionUnknown, ReasonDeploymentPaused, "spec.paused: the Marathon app is left as it is")
		r.setAvailable(d, o, prev)
		return reconcile.Result{}, nil
	case d.Status.FailedGeneration == d.Generation:
		return r.rolledBack(ctx, d, c, o, prev)
	}
	desired, err := r.desired(d)
	if err != nil {
		return r.unreadable(ctx, d, err), nil
	}
	if live == nil {
		return r.apply(ctx, d, c, desired, live, nil)
	}
	if changes := diff(desired, live); len(changes) > 0 {
		return r.apply(ctx, d, c, desired, live, changes)
	}
	d.Status.ObservedGeneration = d.Generation
	reconcile.Condition(d, Degraded, metav1.ConditionFalse, ReasonAsExpected, "")
	r.recordRevision(d, live.Version)
	return r.follow(ctx, p, c, o, prev)
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
	r.recordRevision(d, dep.Version)
	reconcile.Condition(d, Progressing, metav1.ConditionTrue, ReasonRollingOut, fmt.Sprintf("deployment %s: rolling out version %s", dep.DeploymentID, dep.Version))
	reconcile.Condition(d, Degraded, metav1.ConditionFalse, ReasonAsExpected, "")
	return reconcile.Result{RequeueAfter: pollRolling}, nil
}

// unreadable reports a sealed env value the server cannot open (sealed
// for another namespace, with a key it lacks, or altered): Degraded, an
// event when that changes, and nothing sent to Marathon. The app keeps
// running what it had; a new spec (the value sealed again) wakes the
// Deployment.
func (r *reconciler) unreadable(ctx context.Context, d *v1alpha1.Deployment, err error) reconcile.Result {
	msg := "not applied: " + err.Error()
	if reconcile.Condition(d, Degraded, metav1.ConditionTrue, ReasonSealedValueUnreadable, msg) {
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, ReasonSealedValueUnreadable, "%s", msg)
	}
	return reconcile.Result{}
}

// backendError says what is wrong with Marathon: the Degraded condition,
// and an event of the same reason when the condition changes status,
// reason or generation. Not on every retry (the error returned backs the
// object off), nor when only the message moves, as the last failure does
// between a request and go-marathon's /ping.
func (r *reconciler) backendError(ctx context.Context, d *v1alpha1.Deployment, c *clients, err error) {
	reason := ReasonMarathonUnavailable
	switch {
	case errors.Is(err, ErrLocked):
		reason = ReasonAppLocked
	case errors.Is(err, ErrRejected):
		reason = ReasonAppRejected
	}
	msg := fmt.Sprintf("marathon %s: %v", c.name, err)
	was := v1alpha1.FindCondition(d.Status.Conditions, Degraded)
	changed := was == nil || was.Status != metav1.ConditionTrue || was.Reason != reason || was.ObservedGeneration != d.Generation
	reconcile.Condition(d, Degraded, metav1.ConditionTrue, reason, msg)
	if changed {
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, reason, "%s", msg)
	}
}
