package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/go-logr/logr"

	"minka/api/v1alpha1"
	"minka/reconcile"
	"minka/store"
)

// lastBuilds is how many Builds a Pipeline's status summarises.
const lastBuilds = 5

type pipelines struct {
	st      *store.Store
	kind    v1alpha1.Kind
	bkind   v1alpha1.Kind
	builds  *reconcile.Informer
	log     logr.Logger
	metrics *metrics
}

// Reconcile: the Pipeline's Builds from the cache; delete the finished
// ones past historyLimit (oldest first; never an unfinished one, and
// never what a Build made: Repos and Deployments are not its children);
// summarise the newest in status.
func (r *pipelines) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ps, err := reconcile.Begin[*v1alpha1.Pipeline](ctx, r.st, r.kind, req)
	if ps == nil || err != nil || ps.Deleting() {
		return reconcile.Result{}, err
	}
	p := ps.Obj
	all := pipelineBuilds(r.builds, p.Namespace, p.Name)
	sort.Slice(all, func(i, j int) bool { return all[i].Spec.Number > all[j].Spec.Number })
	limit := 10
	if p.Spec.HistoryLimit != nil {
		limit = int(*p.Spec.HistoryLimit)
	}
	kept := all[:0:0]
	finished := 0
	for _, b := range all {
		if !v1alpha1.Finished(b.Status.Phase) || b.DeletionTimestamp != nil {
			kept = append(kept, b)
			continue
		}
		if finished++; finished <= limit {
			kept = append(kept, b)
			continue
		}
		if _, err := r.st.Delete(ctx, r.bkind, b.Namespace, b.Name, &store.Preconditions{UID: b.UID}); err != nil && !errors.Is(err, store.ErrNotFound) {
			return ps.Finish(ctx, reconcile.Result{}, fmt.Errorf("collecting build %s: %w", b.Name, err))
		}
		r.metrics.gc.Inc()
		r.log.V(1).Info("collected", "build", b.Namespace+"/"+b.Name, "historyLimit", limit)
	}
	p.Status.LastBuilds = nil
	for _, b := range kept[:min(len(kept), lastBuilds)] {
		p.Status.LastBuilds = append(p.Status.LastBuilds, v1alpha1.BuildRef{Name: b.Name, Number: b.Spec.Number,
			Branch: refOf(b), SHA1: b.Status.SHA1, Phase: b.Status.Phase, Tag: b.Status.Tag})
	}
	p.Status.ObservedGeneration = p.Generation
	return ps.Finish(ctx, reconcile.Result{}, nil)
}
