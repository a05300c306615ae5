package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Build conditions, reasons and events.
const (
	CondDescribed        = "Described"
	CondJenkinsAvailable = "JenkinsAvailable"

	ReasonDescribed          = "Described"
	ReasonSourceUnreachable  = "SourceUnreachable"
	ReasonNoTag              = "NoTag"
	ReasonJenkinsAnswers     = "JenkinsAnswers"
	ReasonJenkinsUnavailable = "JenkinsUnavailable"

	ReasonPipelineNotFound      = "PipelineNotFound"
	ReasonBackendNotConfigured  = "BackendNotConfigured"
	ReasonJobNotFound           = "JobNotFound"
	ReasonJobMissingParameter   = "JobMissingParameter"
	ReasonSealedValueUnreadable = "SealedValueUnreadable"
	ReasonSHA1Unresolved        = "SHA1Unresolved"
	ReasonWaitingForBuild       = "WaitingForBuild"
	ReasonTriggerUnconfirmed    = "TriggerUnconfirmed"
	ReasonTriggered             = "Triggered"
	ReasonWaitingForExecutor    = "WaitingForExecutor"
	ReasonBuilding              = "Building"
	ReasonQueueItemLost         = "QueueItemLost"
	ReasonQueueItemCancelled    = "QueueItemCancelled"
	ReasonBuildLost             = "BuildLost"
	ReasonReplaced              = "Replaced"
	ReasonJenkinsResult         = "JenkinsResult"
	ReasonAbortedInJenkins      = "AbortedInJenkins"
	ReasonJenkinsRestarted      = "JenkinsRestarted"
	EventJobParametersDropped   = "JobParametersDropped"
	EventBuildTriggered         = "Triggered"
	EventBuildStarted           = "Started"
	EventBuildFinished          = "Finished"
	EventBuildBuilt             = "Built" // the Jenkins build passed; Repo and stages follow
	minkaBuildParam             = "MINKA_BUILD"
)

// Reconcile: fetch (from the store: the status just written decides
// whether a trigger was sent), the Pipeline and its Jenkins, then by
// phase: describe, wait for the policy, trigger; follow the queue item;
// follow the build; record status.
func (r *builds) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ps, err := reconcile.Begin[*v1alpha1.Build](ctx, r.st, r.kind, req)
	if ps == nil || err != nil {
		return reconcile.Result{}, err
	}
	b := ps.Obj
	if ps.Deleting() || v1alpha1.Finished(b.Status.Phase) {
		return reconcile.Result{}, nil
	}
	obj, ok := r.pipelines.Get(b.Namespace, b.Spec.Pipeline)
	if !ok {
		// A Build may be applied before its Pipeline (a directory applied
		// in name order): it waits, and the Pipeline's arrival wakes it.
		// One already in Jenkins ends there; it goes with its Pipeline,
		// which owns it.
		if b.Status.TriggerTime == nil {
			b.Status.Phase, b.Status.Reason = v1alpha1.BuildPending, ReasonPipelineNotFound
			b.Status.Message = fmt.Sprintf("Pipeline %s/%s does not exist", b.Namespace, b.Spec.Pipeline)
		}
		return ps.Finish(ctx, reconcile.Result{RequeueAfter: waitRecheck}, nil)
	}
	p := obj.(*v1alpha1.Pipeline)
	jk := r.jenkins[p.Spec.Jenkins]
	if jk == nil {
		r.finish(ctx, b, v1alpha1.BuildFailed, ReasonBackendNotConfigured, fmt.Sprintf("spec.jenkins %q of Pipeline %s is not a Jenkins backend in the server config", p.Spec.Jenkins, p.Name))
		return ps.Finish(ctx, reconcile.Result{}, nil)
	}
	bp := &buildPass{r: r, ps: ps, b: b, p: p, jk: jk}
	var res reconcile.Result
	switch b.Status.Phase {
	case "", v1alpha1.BuildPending:
		res, err = bp.pending(ctx)
	case v1alpha1.BuildQueued:
		res, err = bp.queued(ctx)
	case v1alpha1.BuildRunning:
		res, err = bp.running(ctx)
	}
	if err != nil {
		err = bp.failed(ctx, err)
	} else if reconcile.ConditionReason(b, CondJenkinsAvailable) != "" {
		reconcile.Condition(b, CondJenkinsAvailable, metav1.ConditionTrue, ReasonJenkinsAnswers, "")
	}
	b.Status.ObservedGeneration = b.Generation
	return ps.Finish(ctx, res, err)
}

// buildPass is one reconcile of one Build.
type buildPass struct {
	r  *builds
	ps *reconcile.Pass[*v1alpha1.Build]
	b  *v1alpha1.Build
	p  *v1alpha1.Pipeline
	jk Jenkins
}

// terminal is a failure no retry mends (the job is gone, it lacks
// MINKA_BUILD): the Build fails with it instead of backing off.
type terminal struct {
	reason string
	err    error
}

func (t *terminal) Error() string { return t.err.Error() }
func (t *terminal) Unwrap() error { return t.err }

// failed ends the Build on a terminal failure, or reports a Jenkins that
// does not answer (the condition, an event when it flips) and hands the
// error back for backoff.
func (bp *buildPass) failed(ctx context.Context, err error) error {
	var t *terminal
	if errors.As(err, &t) {
		bp.r.finish(ctx, bp.b, v1alpha1.BuildFailed, t.reason, t.Error())
		return nil
	}
	msg := err.Error()
	if last := bp.jk.LastFailure(); last != "" && !strings.Contains(msg, last) && errors.Is(err, context.DeadlineExceeded) {
		msg += " (last failure: " + last + ")"
	}
	if reconcile.Condition(bp.b, CondJenkinsAvailable, metav1.ConditionFalse, ReasonJenkinsUnavailable, msg) {
		bp.r.rec.Eventf(ctx, bp.b, v1alpha1.EventTypeWarning, ReasonJenkinsUnavailable, "%s", msg)
	}
	return err
}

// finish puts a Build in a final phase, once.
func (r *builds) finish(ctx context.Context, b *v1alpha1.Build, phase, reason, msg string) {
	b.Status.Phase, b.Status.Reason, b.Status.Message = phase, reason, msg
	if b.Status.CompletionTime == nil {
		now := metav1.NewTime(r.now())
		b.Status.CompletionTime = &now
	}
	typ := v1alpha1.EventTypeNormal
	if phase != v1alpha1.BuildSucceeded {
		typ = v1alpha1.EventTypeWarning
	}
	r.metrics.finished.WithLabelValues(phase, reason).Inc()
	r.rec.Eventf(ctx, b, typ, EventBuildFinished, "%s: %s", phase, msg)
}

// setPhase moves a Build to a phase that is not final.
func (bp *buildPass) setPhase(phase, reason, msg string) {
	bp.b.Status.Phase, bp.b.Status.Reason, bp.b.Status.Message = phase, reason, msg
}

func (bp *buildPass) now() *metav1.Time {
	t := metav1.NewTime(bp.r.now())
	return &t
}
