package deployment

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// status.history is kept level-triggered, from the state a pass sees, so
// that a lost status write loses no revision and makes none twice: a
// revision is found by its generation or its spec, never by "this pass
// PUT something".

// recordRevision makes the newest revision the spec Marathon now has,
// as app version: called once the app is this generation's (after its
// PUT, or when a pass finds the app so, as after a status write that was
// lost). The same spec (replicas aside) is the same revision, which
// takes the generation and app version; another spec is a new revision,
// Progressing, and an older one still Progressing was Superseded.
func (r *reconciler) recordRevision(d *v1alpha1.Deployment, version string) {
	s := &d.Status
	spec := v1alpha1.RevisionSpec(&d.Spec)
	if n := len(s.History); n > 0 {
		last := &s.History[n-1]
		same := last.Generation == d.Generation ||
			(last.Result != v1alpha1.RevisionRolledBack && last.Spec != nil && equality.Semantic.DeepEqual(*last.Spec, *spec))
		if same {
			last.Generation = d.Generation
			if version != "" {
				last.AppVersion = version
			}
			return
		}
	}
	now := metav1.NewTime(r.now())
	next := int64(1)
	for i := range s.History {
		if e := &s.History[i]; e.Result == v1alpha1.RevisionProgressing {
			e.Result, e.Time = v1alpha1.RevisionSuperseded, now
		}
		next = s.History[i].Revision + 1
	}
	s.History = append(s.History, v1alpha1.DeploymentRevision{Revision: next, Generation: d.Generation, AppVersion: version,
		Image: d.Spec.Image, Result: v1alpha1.RevisionProgressing, Time: now, Spec: spec})
	s.History = trimHistory(s.History, d.Spec.HistoryLimit())
}

// markGood records that this generation's revision rolled out.
func (r *reconciler) markGood(d *v1alpha1.Deployment) {
	if e := revisionOf(d); e != nil && e.Result != v1alpha1.RevisionGood {
		e.Result, e.Time = v1alpha1.RevisionGood, metav1.NewTime(r.now())
	}
}

// markRolledBack records that this generation's revision was rolled
// back. version is the failed app version, for a revision no pass
// recorded (its PUT's status write was lost, and the rollout failed
// before a pass saw it); "" when it is not known. A revision that was
// Good stays so: what failed then was a scale or a drift repair of it,
// not its spec.
func (r *reconciler) markRolledBack(d *v1alpha1.Deployment, version string) {
	if revisionOf(d) == nil && version != "" {
		r.recordRevision(d, version)
	}
	if e := revisionOf(d); e != nil && e.Result == v1alpha1.RevisionProgressing {
		e.Result, e.Time = v1alpha1.RevisionRolledBack, metav1.NewTime(r.now())
	}
}

// revisionOf is the revision of d's generation, nil when there is none.
func revisionOf(d *v1alpha1.Deployment) *v1alpha1.DeploymentRevision {
	h := d.Status.History
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Generation == d.Generation {
			return &h[i]
		}
	}
	return nil
}

// trimHistory keeps the newest limit revisions within MaxHistoryBytes:
// the oldest go first; the newest always stays, without its spec if
// that alone does not fit.
func trimHistory(h []v1alpha1.DeploymentRevision, limit int) []v1alpha1.DeploymentRevision {
	if len(h) > limit {
		h = h[len(h)-limit:]
	}
	for len(h) > 1 && encodedSize(h) > v1alpha1.MaxHistoryBytes {
		h = h[1:]
	}
	if encodedSize(h) > v1alpha1.MaxHistoryBytes {
		h[0].Spec = nil
	}
	return append([]v1alpha1.DeploymentRevision(nil), h...)
}

func encodedSize(h []v1alpha1.DeploymentRevision) int {
	b, _ := json.Marshal(h)
	return len(b)
}
