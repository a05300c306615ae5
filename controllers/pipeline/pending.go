package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/backend/gitmirror"
	"minka/backend/jenkins"
	"minka/reconcile"
)

// waitRecheck is how often a waiting Build looks again even without a
// sibling's change (the informer's events are what usually wake it).
const waitRecheck = 30 * time.Second

// pending takes a Build from its creation to its trigger: its key and
// turn, its describe and tag, then the trigger itself.
func (bp *buildPass) pending(ctx context.Context) (reconcile.Result, error) {
	b := bp.b
	if b.Status.Phase == "" {
		bp.setPhase(v1alpha1.BuildPending, "", "")
	}
	b.Status.Key = keyOf(bp.p, b)
	// The cache holds every Build created before this one once it holds
	// this one (events arrive in revision order): only then is the turn
	// decided on all of them.
	if _, ok := bp.r.builds.Get(b.Namespace, b.Name); !ok {
		return reconcile.Result{RequeueAfter: 100 * time.Millisecond}, nil
	}
	t := decide(bp.p, b, pipelineBuilds(bp.r.builds, b.Namespace, b.Spec.Pipeline))
	if t.replacedBy != "" {
		return bp.replace(ctx, t.replacedBy)
	}
	if b.Status.Tag == "" {
		if err := bp.describe(ctx); err != nil {
			return reconcile.Result{}, err
		}
	}
	if t.waitFor != "" {
		bp.setPhase(v1alpha1.BuildPending, ReasonWaitingForBuild, fmt.Sprintf("waiting for %s (concurrency Serial on %s)", t.waitFor, b.Status.Key))
		return reconcile.Result{RequeueAfter: waitRecheck}, nil
	}
	chacra := ""
	if a := bp.p.Spec.Artifacts; a != nil && a.Repo != nil {
		// The build uploads to the node the Repo is placed on, as
		// ceph-build uploads to the chacra_url shaman hands it.
		rp, err := bp.repo(ctx)
		if err != nil {
			return reconcile.Result{}, err
		}
		if chacra = chacraURL(rp); chacra == "" {
			bp.setPhase(v1alpha1.BuildPending, ReasonWaitingForRepoNode, "waiting for repo "+rp.Name+" to be placed on a chacra node")
			return reconcile.Result{RequeueAfter: bp.r.poll}, nil
		}
	}
	return bp.trigger(ctx, chacra)
}

// describe resolves the commit (when the spec names none) and describes
// it from the Pipeline's git source. A source that cannot be reached
// does not stop the build: it runs as g<short sha1>, unstable, and the
// Described condition says why; only a commit nobody named and nobody
// can resolve fails the Build.
func (bp *buildPass) describe(ctx context.Context) error {
	b, src := bp.b, bp.p.Spec.Source.Git
	ref := refOf(b)
	sha1 := b.Spec.SHA1
	if b.Status.SHA1 != "" {
		sha1 = b.Status.SHA1
	}
	if sha1 == "" {
		got, err := bp.r.git.Resolve(ctx, src, ref)
		if err != nil {
			return &terminal{ReasonSHA1Unresolved, fmt.Errorf("spec.sha1 is empty and %s of %s cannot be resolved: %w", ref, src, err)}
		}
		sha1 = got
	}
	d, err := bp.r.git.Describe(ctx, src, sha1)
	switch {
	case err == nil:
		b.Status.SHA1, b.Status.Describe, b.Status.Stable = d.SHA1, d.Text, d.Exact
		msg := ""
		if d.Stale != nil {
			msg = fmt.Sprintf("described from the mirror; the fetch failed: %v", d.Stale)
		}
		reconcile.Condition(b, CondDescribed, metav1.ConditionTrue, ReasonDescribed, msg)
	case errors.Is(err, gitmirror.ErrNoTag):
		b.Status.SHA1, b.Status.Describe, b.Status.Stable = fullOr(d.SHA1, sha1), unstableDescribe(fullOr(d.SHA1, sha1)), false
		reconcile.Condition(b, CondDescribed, metav1.ConditionFalse, ReasonNoTag, "no tag reaches "+sha1+": unstable, described as "+b.Status.Describe)
	default:
		b.Status.SHA1, b.Status.Describe, b.Status.Stable = sha1, unstableDescribe(sha1), false
		msg := fmt.Sprintf("%v: unstable, described as %s", err, b.Status.Describe)
		if reconcile.Condition(b, CondDescribed, metav1.ConditionFalse, ReasonSourceUnreachable, msg) {
			bp.r.rec.Eventf(ctx, b, v1alpha1.EventTypeWarning, ReasonSourceUnreachable, "%s", msg)
		}
	}
	b.Status.Tag = tagOf(bp.p.Name, b.Spec.Number, ref, b.Status.Describe)
	return nil
}

func fullOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// refOf is the branch or tag a Build builds.
func refOf(b *v1alpha1.Build) string {
	if b.Spec.GitTag != "" {
		return b.Spec.GitTag
	}
	return b.Spec.Branch
}

// buildID is the MINKA_BUILD value: unique to the Build, found in
// Jenkins by it.
func buildID(b *v1alpha1.Build) string { return b.Namespace + "/" + b.Name }

// params are what the trigger sends: the Pipeline's parameters, the
// Build's over them, minka's over both. Sealed values are opened here, as
// they are handed to Jenkins, and go nowhere else; the error names the
// field, never the value.
func (bp *buildPass) params(chacra string) (map[string]string, error) {
	b, p := bp.b, bp.p
	scopes := []string{sealed.PipelineScope(p.Namespace, p.Name), sealed.NamespaceScope(p.Namespace)}
	out, err := v1alpha1.OpenMap(bp.r.keys, p.Spec.Parameters, field.NewPath("spec", "parameters"), scopes...)
	if err != nil {
		return nil, fmt.Errorf("pipeline %s: %w", p.Name, err)
	}
	over, err := v1alpha1.OpenMap(bp.r.keys, b.Spec.Parameters, field.NewPath("spec", "parameters"), scopes...)
	if err != nil {
		return nil, err
	}
	for k, v := range over {
		out[k] = v
	}
	out["BRANCH"], out["SHA1"], out["TAG"] = refOf(b), b.Status.SHA1, b.Status.Tag
	out["BUILD_NUMBER"], out[minkaBuildParam] = strconv.FormatInt(b.Spec.Number, 10), buildID(b)
	if b.Spec.GitTag != "" {
		out["GIT_TAG"] = b.Spec.GitTag
	}
	if a := p.Spec.Artifacts; a != nil && a.Image != nil {
		out["IMAGE"] = a.Image.Repository + ":" + b.Status.Tag
	}
	if chacra != "" {
		out["CHACRA_URL"] = chacra
	}
	return out, nil
}

// unreadable holds the Build Pending while a sealed parameter does not
// open (sealed for another Pipeline or namespace, with a key the server
// lacks, or altered): nothing is sent to Jenkins. A change to the
// Pipeline or the Build (the value sealed again) wakes it.
func (bp *buildPass) unreadable(ctx context.Context, err error) reconcile.Result {
	msg := "not triggered: " + err.Error()
	if bp.b.Status.Reason != ReasonSealedValueUnreadable || bp.b.Status.Message != msg {
		bp.r.rec.Eventf(ctx, bp.b, v1alpha1.EventTypeWarning, ReasonSealedValueUnreadable, "%s", msg)
	}
	bp.setPhase(v1alpha1.BuildPending, ReasonSealedValueUnreadable, msg)
	return reconcile.Result{}
}

// trigger sends the Jenkins trigger at most once per Build: whatever
// Jenkins holds with this Build's MINKA_BUILD is adopted instead. The
// trigger time is written before the trigger is sent, so that a Build
// that may have been triggered — the reply lost, the process killed —
// is looked for twice, a poll apart (Jenkins shows a starting build in
// neither its queue nor its builds for a moment), before a second
// trigger.
func (bp *buildPass) trigger(ctx context.Context, chacra string) (reconcile.Result, error) {
	b, job := bp.b, bp.p.Spec.Job
	info, err := bp.r.jobs.get(ctx, bp.jk, job)
	if errors.Is(err, jenkins.ErrNotFound) {
		return reconcile.Result{}, &terminal{ReasonJobNotFound, fmt.Errorf("jenkins %s has no job %q (spec.job of Pipeline %s)", bp.jk.Name(), job, bp.p.Name)}
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	if !slices.Contains(info.Parameters, minkaBuildParam) {
		return reconcile.Result{}, &terminal{ReasonJobMissingParameter, fmt.Errorf("jenkins job %q does not define the string parameter %s: Jenkins would drop it, and minka could not find the build it triggered", job, minkaBuildParam)}
	}
	// Only a Build whose trigger time is stored may have been triggered
	// (the time is written before any trigger is sent): only it is looked
	// for in Jenkins.
	if b.Status.TriggerTime != nil {
		it, found, err := bp.jk.Find(ctx, job, minkaBuildParam, buildID(b))
		if err != nil {
			return reconcile.Result{}, err
		}
		switch {
		case it != nil:
			bp.r.metrics.triggers.WithLabelValues(bp.jk.Name(), "adopted").Inc()
			bp.queuedAs(it.ID)
			return reconcile.Result{RequeueAfter: bp.r.poll}, nil
		case found != nil:
			bp.r.metrics.triggers.WithLabelValues(bp.jk.Name(), "adopted").Inc()
			bp.started(ctx, found.Number, found.URL, found.Started)
			return reconcile.Result{RequeueAfter: bp.r.poll}, nil
		case b.Status.Reason != ReasonTriggerUnconfirmed:
			bp.setPhase(v1alpha1.BuildPending, ReasonTriggerUnconfirmed, "a trigger was sent but Jenkins shows nothing for "+minkaBuildParam+"="+buildID(b)+" yet; looking once more before triggering again")
			return reconcile.Result{RequeueAfter: bp.r.poll}, nil
		}
	}
	params, err := bp.params(chacra)
	if err != nil {
		return bp.unreadable(ctx, err), nil
	}
	if missing := undefined(params, info.Parameters); len(missing) > 0 && b.Status.TriggerTime == nil {
		bp.r.rec.Eventf(ctx, b, v1alpha1.EventTypeWarning, EventJobParametersDropped, "jenkins job %q does not define %s: Jenkins drops them", job, strings.Join(missing, ", "))
	}
	if b.Status.TriggerTime == nil {
		b.Status.TriggerTime = bp.now()
	}
	bp.setPhase(v1alpha1.BuildPending, ReasonTriggered, "trigger sent to jenkins "+bp.jk.Name())
	if err := bp.ps.RecordNow(ctx); err != nil {
		return reconcile.Result{}, err
	}
	id, err := bp.jk.Trigger(ctx, job, params)
	if err != nil {
		bp.r.metrics.triggers.WithLabelValues(bp.jk.Name(), "failed").Inc()
		return reconcile.Result{}, err
	}
	bp.r.metrics.triggers.WithLabelValues(bp.jk.Name(), "sent").Inc()
	bp.r.metrics.latency.Observe(bp.r.now().Sub(b.CreationTimestamp.Time).Seconds())
	bp.queuedAs(id)
	bp.r.rec.Eventf(ctx, b, v1alpha1.EventTypeNormal, EventBuildTriggered, "jenkins %s job %s: queue item %d", bp.jk.Name(), job, id)
	return reconcile.Result{RequeueAfter: bp.r.poll}, nil
}

// undefined are the parameters a job does not define, sorted.
func undefined(params map[string]string, defined []string) []string {
	var out []string
	for k := range params {
		if !slices.Contains(defined, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (bp *buildPass) queuedAs(id int64) {
	b := bp.b
	b.Status.QueueItem, b.Status.QueueURL = id, bp.jenkinsURL(fmt.Sprintf("/queue/item/%d/", id))
	if b.Status.QueuedTime == nil {
		b.Status.QueuedTime = bp.now()
	}
	if b.Status.TriggerTime == nil {
		b.Status.TriggerTime = b.Status.QueuedTime
	}
	bp.setPhase(v1alpha1.BuildQueued, ReasonWaitingForExecutor, "")
}

func (bp *buildPass) jenkinsURL(path string) string {
	return bp.jk.URL() + path
}
