package deployment

import (
	"context"
	"fmt"
	"math"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// follow watches a rollout whose definition Marathon already has: it
// explains tasks that do not fit, rolls back a rollout that failed or
// made no progress for progressDeadlineSeconds, runs spec.verify once the
// tasks are ready, and declares the version good.
func (r *reconciler) follow(ctx context.Context, p *pass, c *clients, o observed, prev v1alpha1.DeploymentStatus) (reconcile.Result, error) {
	d, live, want, now := p.Obj, o.app, instances(o.app), r.now()
	rolling := o.deploymentID != ""
	s := &d.Status
	if s.LastProgressTime == nil && (rolling || s.LastGoodVersion != live.Version) {
		// A rollout minka did not see start (or the status write after
		// the PUT was lost): follow it from now.
		t := metav1.NewTime(now)
		s.LastProgressTime = &t
	}
	inRollout := s.LastProgressTime != nil
	if inRollout && o.available > prev.AvailableReplicas {
		t := metav1.NewTime(now)
		s.LastProgressTime = &t
	}
	var unexplained string // why unplaced tasks cannot be explained
	if o.replicas < want && c.mesos != nil {
		short, err := r.shortfall(ctx, d, c, o, want)
		if err != nil {
			r.log.Info("cannot explain unplaced tasks", "deployment", d.Namespace+"/"+d.Name, "error", err)
			unexplained = fmt.Sprintf("; %d of %d tasks not placed, and Mesos cannot say whether they fit: %v", want-o.replicas, want, err)
		}
		if short != nil {
			// Waiting for capacity is not a failure of the version:
			// the deadline does not run while it lasts.
			if inRollout {
				t := metav1.NewTime(now)
				s.LastProgressTime = &t
			}
			msg := short.message(int(o.replicas), int(want))
			if reconcile.ConditionReason(d, Progressing) != ReasonInsufficientResources {
				r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventInsufficientResources, "%s", msg)
			}
			reconcile.Condition(d, Progressing, metav1.ConditionFalse, ReasonInsufficientResources, msg)
			r.setAvailable(d, o, prev)
			return reconcile.Result{RequeueAfter: pollWaiting}, nil
		}
	}
	if inRollout {
		deadline := s.LastProgressTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second)
		switch {
		case prev.DeploymentID != "" && r.failed.has(prev.DeploymentID):
			return r.rollback(ctx, p, c, o, fmt.Sprintf("failed: Marathon reported deployment %s failed", prev.DeploymentID))
		case now.After(deadline):
			return r.rollback(ctx, p, c, o, fmt.Sprintf("made no progress for %ds (progressDeadlineSeconds): %d of %d updated replicas ready",
				*d.Spec.ProgressDeadlineSeconds, o.available, want))
		}
	}
	if rolling || o.available < want {
		if inRollout {
			reconcile.Condition(d, Progressing, metav1.ConditionTrue, ReasonRollingOut,
				fmt.Sprintf("deployment %s: %d of %d updated replicas ready%s", o.deploymentID, o.available, want, unexplained))
		}
		r.setAvailable(d, o, prev)
		return reconcile.Result{RequeueAfter: pollRolling}, nil
	}
	if v := d.Spec.Verify; v != nil && s.VerifiedVersion != live.Version {
		if err := c.verify.run(ctx, v, o.endpoints); err != nil {
			r.rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, EventVerifyFailed, "version %s: %v", live.Version, err)
			reconcile.Condition(d, Progressing, metav1.ConditionTrue, ReasonVerifyPending, fmt.Sprintf("all %d replicas ready; verify failing: %v", want, err))
			reconcile.Condition(d, Available, metav1.ConditionFalse, ReasonVerifyFailed, err.Error())
			return reconcile.Result{RequeueAfter: pollWaiting}, nil
		}
		s.VerifiedVersion = live.Version
	}
	return r.complete(ctx, d, o), nil
}

// complete records a version as good: every replica ready and updated,
// verify passed.
func (r *reconciler) complete(ctx context.Context, d *v1alpha1.Deployment, o observed) reconcile.Result {
	s, version := &d.Status, o.app.Version
	msg := fmt.Sprintf("version %s: %d of %d replicas ready", version, o.available, instances(o.app))
	if v := d.Spec.Verify; v != nil {
		msg += fmt.Sprintf("; verify GET %s passed on %d endpoints", v.Path, len(o.endpoints))
	}
	if s.LastProgressTime != nil || s.LastGoodVersion != version {
		r.rec.Eventf(ctx, d, v1alpha1.EventTypeNormal, EventRolloutComplete, "%s", msg)
	}
	s.LastProgressTime, s.LastGoodVersion = nil, version
	r.markGood(d)
	reconcile.Condition(d, Progressing, metav1.ConditionTrue, ReasonRolloutComplete, msg)
	reconcile.Condition(d, Available, metav1.ConditionTrue, ReasonAllReplicasReady, msg)
	return reconcile.Result{}
}

// setAvailable sets Available while a rollout runs or waits: the app is
// available when an earlier good version keeps the minimum health
// capacity ready; a first rollout is not available until it completes.
func (r *reconciler) setAvailable(d *v1alpha1.Deployment, o observed, prev v1alpha1.DeploymentStatus) {
	want := instances(o.app)
	minHealth := 1.0
	if u := d.Spec.UpgradeStrategy; u != nil && u.MinimumHealthCapacity != nil {
		minHealth = *u.MinimumHealthCapacity
	}
	need := int32(math.Ceil(float64(want) * minHealth))
	switch {
	case o.app == nil:
		reconcile.Condition(d, Available, metav1.ConditionFalse, ReasonAppMissing, fmt.Sprintf("no app %s in Marathon", AppID(d.Namespace, d.Name)))
	case prev.LastGoodVersion != "" && o.ready >= need && o.ready > 0:
		reconcile.Condition(d, Available, metav1.ConditionTrue, "MinimumReplicasAvailable", fmt.Sprintf("%d of %d replicas ready (minimum %d)", o.ready, want, need))
	default:
		reconcile.Condition(d, Available, metav1.ConditionFalse, ReasonReplicasNotReady, fmt.Sprintf("%d of %d replicas ready", o.ready, want))
	}
}

// shortfall asks Mesos whether the tasks Marathon has not placed fit
// anywhere; nil when they do (they are just on their way).
func (r *reconciler) shortfall(ctx context.Context, d *v1alpha1.Deployment, c *clients, o observed, want int32) (*shortfall, error) {
	agents, err := c.mesos.Agents(ctx)
	if err != nil {
		return nil, err
	}
	need := Resources{Cpus: d.Spec.Cpus, Mem: d.Spec.Mem, Disk: d.Spec.Disk, Ports: len(d.Spec.Ports)}
	missing := int(want - o.replicas)
	s := capacity(agents, need, d.Spec.Constraints, o.perHost, missing)
	if s.fit >= missing {
		return nil, nil
	}
	return &s, nil
}
