package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend/jenkins"
	"minka/reconcile"
)

// queued follows a queue item until its build starts. An item Jenkins
// no longer knows (it forgets left items after 5 minutes, and every item
// on a restart) is looked for by MINKA_BUILD among the builds; if none
// carries it, the Build failed: it will never run.
func (bp *buildPass) queued(ctx context.Context) (reconcile.Result, error) {
	b := bp.b
	if t := decide(bp.p, b, pipelineBuilds(bp.r.builds, b.Namespace, b.Spec.Pipeline)); t.replacedBy != "" {
		return bp.replace(ctx, t.replacedBy)
	}
	it, err := bp.jk.QueueItem(ctx, b.Status.QueueItem)
	if errors.Is(err, jenkins.ErrNotFound) {
		it2, found, ferr := bp.jk.Find(ctx, bp.p.Spec.Job, minkaBuildParam, buildID(b))
		switch {
		case ferr != nil:
			return reconcile.Result{}, ferr
		case found != nil:
			bp.started(ctx, found.Number, found.URL, found.Started)
			return reconcile.Result{RequeueAfter: bp.r.poll}, nil
		case it2 != nil:
			bp.queuedAs(it2.ID)
			return reconcile.Result{RequeueAfter: bp.r.poll}, nil
		}
		bp.r.finish(ctx, b, v1alpha1.BuildFailed, ReasonQueueItemLost, fmt.Sprintf("jenkins %s forgot queue item %d (restarted?) and no build carries %s=%s", bp.jk.Name(), b.Status.QueueItem, minkaBuildParam, buildID(b)))
		return reconcile.Result{}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	switch {
	case it.Build > 0:
		bp.started(ctx, it.Build, it.BuildURL, time.Time{})
	case it.Cancelled && b.Status.StopRequested != nil:
		bp.r.finish(ctx, b, v1alpha1.BuildCancelled, ReasonReplaced, b.Status.Message)
		return reconcile.Result{}, nil
	case it.Cancelled:
		bp.r.finish(ctx, b, v1alpha1.BuildAborted, ReasonQueueItemCancelled, fmt.Sprintf("queue item %d was cancelled in jenkins %s", it.ID, bp.jk.Name()))
		return reconcile.Result{}, nil
	default:
		bp.setPhase(v1alpha1.BuildQueued, ReasonWaitingForExecutor, it.Why)
	}
	return reconcile.Result{RequeueAfter: bp.r.poll}, nil
}

// started records the Jenkins build a Build became.
func (bp *buildPass) started(ctx context.Context, number int64, url string, at time.Time) {
	b := bp.b
	b.Status.JenkinsBuild, b.Status.URL = number, url
	if b.Status.JenkinsSession == "" {
		b.Status.JenkinsSession = bp.jk.Session()
	}
	if b.Status.StartTime == nil {
		st := bp.now()
		if !at.IsZero() && at.Unix() > 0 {
			t := metav1.NewTime(at)
			st = &t
		}
		b.Status.StartTime = st
	}
	if b.Status.Phase != v1alpha1.BuildRunning {
		bp.r.rec.Eventf(ctx, b, v1alpha1.EventTypeNormal, EventBuildStarted, "jenkins %s %s #%d", bp.jk.Name(), bp.p.Spec.Job, number)
	}
	bp.setPhase(v1alpha1.BuildRunning, ReasonBuilding, "")
}

// running follows a build to its result, then (a successful one) its
// artifacts and deploy.
func (bp *buildPass) running(ctx context.Context) (reconcile.Result, error) {
	b := bp.b
	if b.Status.Result != "" {
		return bp.after(ctx)
	}
	if t := decide(bp.p, b, pipelineBuilds(bp.r.builds, b.Namespace, b.Spec.Pipeline)); t.replacedBy != "" {
		if res, err := bp.replace(ctx, t.replacedBy); err != nil || v1alpha1.Finished(b.Status.Phase) {
			return res, err
		}
	}
	got, err := bp.jk.Build(ctx, bp.p.Spec.Job, b.Status.JenkinsBuild)
	if errors.Is(err, jenkins.ErrNotFound) {
		bp.r.finish(ctx, b, v1alpha1.BuildFailed, ReasonBuildLost, fmt.Sprintf("jenkins %s has no build %s #%d any more", bp.jk.Name(), bp.p.Spec.Job, b.Status.JenkinsBuild))
		return reconcile.Result{}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	if got.Params[minkaBuildParam] != "" && got.Params[minkaBuildParam] != buildID(b) {
		// A Jenkins whose build numbers were reset (its job recreated):
		// the number names another build now.
		bp.r.finish(ctx, b, v1alpha1.BuildFailed, ReasonBuildLost, fmt.Sprintf("jenkins %s %s #%d is %s's build, not this one's", bp.jk.Name(), bp.p.Spec.Job, got.Number, got.Params[minkaBuildParam]))
		return reconcile.Result{}, nil
	}
	if got.Building {
		return reconcile.Result{RequeueAfter: bp.r.poll}, nil
	}
	b.Status.Result = got.Result
	t := metav1.NewTime(got.Started.Add(got.Duration))
	if got.Duration <= 0 || got.Started.Unix() <= 0 {
		t = *bp.now()
	}
	first := b.Status.BuiltTime == nil
	b.Status.BuiltTime = &t
	what := fmt.Sprintf("%s #%d: %s", bp.p.Spec.Job, got.Number, got.Result)
	switch got.Result {
	case "SUCCESS", "UNSTABLE":
		typ := v1alpha1.EventTypeNormal
		if got.Result != "SUCCESS" {
			b.Status.Stable, typ = false, v1alpha1.EventTypeWarning
		}
		if first {
			// The Jenkins build passed; the Build goes on (its Repo, its
			// stages) and says Finished at the end.
			bp.r.rec.Eventf(ctx, b, typ, EventBuildBuilt, "jenkins %s %s in %v", bp.jk.Name(), what, got.Duration.Round(time.Second))
		}
		bp.setPhase(v1alpha1.BuildRunning, ReasonJenkinsResult, what)
		return bp.after(ctx)
	case "ABORTED":
		switch now := bp.jk.Session(); {
		case b.Status.StopRequested != nil:
			bp.r.finish(ctx, b, v1alpha1.BuildCancelled, ReasonReplaced, b.Status.Message)
		case b.Status.JenkinsSession != "" && now != "" && now != b.Status.JenkinsSession:
			bp.r.finish(ctx, b, v1alpha1.BuildFailed, ReasonJenkinsRestarted, fmt.Sprintf("%s: jenkins %s restarted while it ran (X-Jenkins-Session %s, now %s)",
				what, bp.jk.Name(), b.Status.JenkinsSession, now))
		default:
			bp.r.finish(ctx, b, v1alpha1.BuildAborted, ReasonAbortedInJenkins, what+" (aborted in jenkins "+bp.jk.Name()+")")
		}
	default:
		bp.r.finish(ctx, b, v1alpha1.BuildFailed, ReasonJenkinsResult, what)
	}
	return reconcile.Result{}, nil
}

// after takes a successful Jenkins build through its Repo (Ready, or the
// Build fails with the Repo's reason) and its deploy stages.
func (bp *buildPass) after(ctx context.Context) (reconcile.Result, error) {
	b, a := bp.b, bp.p.Spec.Artifacts
	if a != nil && a.Repo != nil {
		// Read, not relabelled: a rebuild of the sha1 now owns the label.
		rp, err := bp.existingRepo(ctx)
		if err != nil {
			return reconcile.Result{}, err
		}
		var built time.Time
		if b.Status.BuiltTime != nil {
			built = b.Status.BuiltTime.Time
		}
		done, reason, msg := repoOutcome(rp, built, bp.r.now())
		if !done {
			why := "repo " + rp.Name + " is not Ready yet"
			if c := meta.FindStatusCondition(rp.Status.Conditions, "Ready"); c != nil && c.Message != "" {
				why += ": " + c.Message
			}
			bp.setPhase(v1alpha1.BuildRunning, ReasonWaitingForRepo, why)
			return reconcile.Result{RequeueAfter: bp.r.poll}, nil
		}
		if reason != "" {
			bp.r.finish(ctx, b, v1alpha1.BuildFailed, reason, msg)
			return reconcile.Result{}, nil
		}
	}
	if bp.p.Spec.Deploy.StagesOf() != nil {
		done, err := bp.deploy(ctx)
		if err != nil || done {
			return reconcile.Result{}, err
		}
		return reconcile.Result{RequeueAfter: bp.r.poll}, nil
	}
	bp.r.finish(ctx, b, v1alpha1.BuildSucceeded, ReasonJenkinsResult, b.Status.Message)
	return reconcile.Result{}, nil
}

// replace cancels a Build a newer one of its key replaces: nothing to do
// in Jenkins if it was never triggered; its queue item cancelled, or
// its build stopped, if it was. The stop request is recorded first, so
// that the ABORTED it causes reads as Cancelled, not as a user's abort.
func (bp *buildPass) replace(ctx context.Context, by string) (reconcile.Result, error) {
	b := bp.b
	msg := fmt.Sprintf("replaced by %s (concurrency Replace on %s)", by, b.Status.Key)
	if b.Status.TriggerTime == nil {
		bp.r.finish(ctx, b, v1alpha1.BuildCancelled, ReasonReplaced, msg)
		return reconcile.Result{}, nil
	}
	if b.Status.StopRequested == nil {
		b.Status.StopRequested = bp.now()
	}
	b.Status.Message = msg
	if err := bp.ps.RecordNow(ctx); err != nil {
		return reconcile.Result{}, err
	}
	job := bp.p.Spec.Job
	if b.Status.JenkinsBuild == 0 {
		// A queue item, or a trigger whose reply was lost: Jenkins is
		// asked what it holds for the Build.
		it, found, err := bp.jk.Find(ctx, job, minkaBuildParam, buildID(b))
		switch {
		case err != nil:
			return reconcile.Result{}, err
		case found != nil:
			bp.started(ctx, found.Number, found.URL, found.Started)
		case it == nil:
			bp.r.finish(ctx, b, v1alpha1.BuildCancelled, ReasonReplaced, msg+"; nothing of it waits in jenkins")
			return reconcile.Result{}, nil
		default:
			if err := bp.jk.CancelItem(ctx, it.ID); err != nil {
				return reconcile.Result{}, err
			}
			item, err := bp.jk.QueueItem(ctx, it.ID)
			switch {
			case err != nil && !errors.Is(err, jenkins.ErrNotFound):
				return reconcile.Result{}, err
			case err == nil && item.Build > 0:
				bp.started(ctx, item.Build, item.BuildURL, time.Time{}) // it started before the cancel
			default:
				bp.r.finish(ctx, b, v1alpha1.BuildCancelled, ReasonReplaced, fmt.Sprintf("%s; jenkins queue item %d cancelled", msg, it.ID))
				return reconcile.Result{}, nil
			}
		}
	}
	// Stop is sent again on every pass until the build ends: a stop whose
	// reply was lost costs nothing to repeat.
	if err := bp.jk.Stop(ctx, job, b.Status.JenkinsBuild); err != nil {
		return reconcile.Result{}, err
	}
	b.Status.Phase, b.Status.Message = v1alpha1.BuildRunning, msg
	return reconcile.Result{RequeueAfter: bp.r.poll}, nil
}
