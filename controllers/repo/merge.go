package repo

import (
	"context"
	"errors"
	"fmt"

	"minka/api/repostatus"
	"minka/api/v1alpha1"
	"minka/reconcile"
	"minka/store"
)

// maxMerges bounds the re-reads of a status write that keeps losing to
// the shaman callback endpoint, the Repo status's other writer.
const maxMerges = 5

// finish writes the pass's status. The callback endpoint may have moved
// a distro meanwhile (a 409): then the stored Repo is read again and
// this pass's findings are merged into it, so that neither writer's
// change is lost — the counters and digests only this controller keeps
// (builds, retries, binaries), a state that the callbacks' rule says is
// not older than the stored one, and the conditions and node. The
// transitions this write made, and only those (a callback that wrote
// first recorded its own), get their events once it has landed.
func (r *reconciler) finish(ctx context.Context, ps *reconcile.Pass[*v1alpha1.Repo], res reconcile.Result, err error) (reconcile.Result, error) {
	mine := ps.Obj.DeepCopy()
	for i := 0; ; i++ {
		before := ps.Orig.Status.Distros
		werr := ps.RecordNow(ctx)
		if werr == nil {
			r.transitionEvents(ctx, ps.Obj, before)
			return res, err
		}
		if !errors.Is(werr, store.ErrConflict) || i == maxMerges {
			if err != nil {
				return res, err
			}
			return res, werr
		}
		o, gerr := r.st.Get(ctx, r.kind, mine.Namespace, mine.Name)
		if gerr != nil {
			return res, fmt.Errorf("re-reading after a conflict: %w", gerr)
		}
		cur := o.(*v1alpha1.Repo)
		if cur.UID != mine.UID || cur.Generation != mine.Generation {
			return res, werr // another object or another spec: the next pass starts over
		}
		ps.Orig = cur
		ps.Obj = cur.DeepCopy()
		merge(&ps.Obj.Status, &mine.Status)
	}
}

// merge puts this pass's status mine into the stored status cur.
func merge(cur, mine *v1alpha1.RepoStatus) {
	stored := cur.Distros
	cur.ObservedGeneration, cur.Node, cur.NodeURL, cur.URL = mine.ObservedGeneration, mine.Node, mine.NodeURL, mine.URL
	cur.Conditions = mine.Conditions
	out := make([]v1alpha1.DistroState, 0, len(mine.Distros))
	for _, m := range mine.Distros {
		var c *v1alpha1.DistroState
		for i := range stored {
			if stored[i].Distro == m.Distro && stored[i].Version == m.Version && stored[i].Arch == m.Arch {
				c = &stored[i]
			}
		}
		if c == nil || !storedAhead(c, &m) {
			out = append(out, m)
			continue
		}
		d := *c.DeepCopy()
		d.Binaries, d.BinariesDigest, d.BuiltDigest, d.Builds, d.Retries = m.Binaries, m.BinariesDigest, m.BuiltDigest, m.Builds, m.Retries
		out = append(out, d)
	}
	cur.Distros = out
}

// storedAhead: the stored distro moved past what this pass saw (a
// callback's report newer than the pass's).
func storedAhead(stored, mine *v1alpha1.DistroState) bool {
	if stored.Modified == nil {
		return false
	}
	return repostatus.Newer(mine, repostatus.Report{State: stored.State, Modified: stored.Modified.Time})
}
