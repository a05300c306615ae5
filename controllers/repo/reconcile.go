package repo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend/chacra"
	"minka/controllers/repo/chacraclient"
	"minka/reconcile"
)

// Reconcile: fetch, finalizer and delete path, place (recorded before
// anything else), check the node, observe and act per distro, record
// status.
func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ps, err := reconcile.Begin[*v1alpha1.Repo](ctx, r.st, r.kind, req)
	if ps == nil || err != nil {
		return reconcile.Result{}, err
	}
	rp := ps.Obj
	pool := r.pools[rp.Spec.Chacra]
	has, want := slices.Contains(rp.Finalizers, Finalizer), rp.Spec.DeletePolicy == v1alpha1.RepoDelete
	if pool == nil {
		if ps.Deleting() && has {
			return reconcile.Result{}, ps.RemoveFinalizer(ctx, Finalizer)
		}
		msg := fmt.Sprintf("spec.chacra %q is not a chacra backend in the server config", rp.Spec.Chacra)
		if reconcile.Condition(rp, CondNodeAvailable, metav1.ConditionFalse, ReasonBackendNotConfigured, msg) {
			r.rec.Eventf(ctx, rp, v1alpha1.EventTypeWarning, ReasonBackendNotConfigured, "%s", msg)
		}
		reconcile.Condition(rp, CondReady, metav1.ConditionFalse, ReasonBackendNotConfigured, msg)
		return ps.Finish(ctx, reconcile.Result{}, nil)
	}
	switch {
	case ps.Deleting() && has && want:
		if err := r.deleteData(ctx, rp, pool); err != nil {
			return ps.Finish(ctx, reconcile.Result{}, err)
		}
		return reconcile.Result{}, ps.RemoveFinalizer(ctx, Finalizer)
	case ps.Deleting() && has:
		// Switched to Retain while being deleted: the data stays.
		return reconcile.Result{}, ps.RemoveFinalizer(ctx, Finalizer)
	case ps.Deleting():
		return reconcile.Result{}, nil
	case want && !has:
		if err := ps.AddFinalizer(ctx, Finalizer); err != nil {
			return reconcile.Result{}, err
		}
		rp = ps.Obj
	case !want && has:
		// Delete → Retain: the object alone goes. The write wakes the
		// next pass.
		return reconcile.Result{}, reconcile.RemoveFinalizer(ctx, r.st, ps.Orig, Finalizer)
	}

	node, ok, err := r.place(ctx, ps, pool)
	if !ok {
		setReady(rp)
		return ps.Finish(ctx, reconcile.Result{RequeueAfter: r.poll}, err)
	}
	p := &pass{r: r, ctx: ctx, repo: rp, backend: pool.Name(), node: node.Name, now: r.now(),
		c:    clientOf(pool, node),
		seen: map[string]*chacraclient.Repo{}, asked: map[string]bool{}}
	if !node.Healthy {
		err = fmt.Errorf("health check failed: %s", node.LastError)
	} else {
		err = p.run()
	}
	if err != nil {
		r.nodeDown(ctx, rp, node, err)
	} else {
		r.nodeUp(ctx, rp, node)
	}
	setReady(rp)
	rp.Status.ObservedGeneration = rp.Generation
	res := reconcile.Result{RequeueAfter: r.poll}
	if reconcile.ConditionReason(rp, CondReady) == ReasonReady && readyTrue(rp) {
		res.RequeueAfter = r.ready
	}
	if due := p.wakeIn(); due > 0 && due < res.RequeueAfter {
		res.RequeueAfter = due
	}
	return r.finish(ctx, ps, res, err)
}

// clientOf is the chacra client of node n of pool.
func clientOf(pool *chacra.Pool, n chacra.Node) *chacraclient.Client {
	user, key := pool.Credentials()
	return chacraclient.New(n.Name, n.URL, pool.Client(), user, key)
}

func readyTrue(rp *v1alpha1.Repo) bool {
	for _, c := range rp.Status.Conditions {
		if c.Type == CondReady {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

// nodeDown records that the node did not answer (or answered garbage):
// the distro states stay as they were, and the error backs the Repo off.
func (r *reconciler) nodeDown(ctx context.Context, rp *v1alpha1.Repo, n chacra.Node, err error) {
	msg := fmt.Sprintf("chacra node %s (%s) is not usable: %v; retrying with backoff, the recorded distro states are kept", n.Name, n.URL, err)
	var ce *chacraclient.Error
	if errors.As(err, &ce) && ce.Status != 0 {
		msg = fmt.Sprintf("chacra node %s (%s) answered with an error: %v; retrying with backoff, the recorded distro states are kept", n.Name, n.URL, err)
	}
	if reconcile.Condition(rp, CondNodeAvailable, metav1.ConditionFalse, ReasonNodeDown, msg) {
		r.rec.Eventf(ctx, rp, v1alpha1.EventTypeWarning, EventNodeDown, "%s", msg)
	}
}

func (r *reconciler) nodeUp(ctx context.Context, rp *v1alpha1.Repo, n chacra.Node) {
	was := reconcile.ConditionReason(rp, CondNodeAvailable)
	if reconcile.Condition(rp, CondNodeAvailable, metav1.ConditionTrue, ReasonNodeHealthy, fmt.Sprintf("chacra node %s (%s) answers", n.Name, n.URL)) &&
		was == ReasonNodeDown {
		r.rec.Eventf(ctx, rp, v1alpha1.EventTypeNormal, EventNodeRecovered, "chacra node %s (%s) answers again", n.Name, n.URL)
	}
}
