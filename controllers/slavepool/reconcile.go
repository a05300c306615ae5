package slavepool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Reconcile: fetch (from the store: the status just written decides
// cooldowns), delete path, observe Jenkins and Nova, decide the size,
// take the steps, write status.
func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ps, err := reconcile.Begin[*v1alpha1.SlavePool](ctx, r.st, r.kind, req)
	if ps == nil || err != nil {
		return reconcile.Result{}, err
	}
	jk, cloud := r.jenkins[ps.Obj.Spec.Jenkins], r.clouds[ps.Obj.Spec.Cloud]
	if jk == nil || cloud == nil {
		if ps.Deleting() {
			return reconcile.Result{}, ps.RemoveFinalizer(ctx, Finalizer)
		}
		msg := fmt.Sprintf("spec.jenkins %q or spec.cloud %q is not a backend in the server config", ps.Obj.Spec.Jenkins, ps.Obj.Spec.Cloud)
		if reconcile.Condition(ps.Obj, CondBackendAvailable, metav1.ConditionFalse, ReasonBackendNotConfigured, msg) {
			r.rec.Eventf(ctx, ps.Obj, v1alpha1.EventTypeWarning, EventNotConfigured, "%s", msg)
		}
		return ps.Finish(ctx, reconcile.Result{}, nil)
	}
	if !ps.Deleting() {
		if err := ps.AddFinalizer(ctx, Finalizer); err != nil {
			return reconcile.Result{}, err
		}
	}
	p, now := ps.Obj, r.now()
	// The poller keeps the read fresh (and a write forgets it): a pool
	// reads Jenkins itself only after a write or when the poller is late.
	snap, err := r.snapshot(ctx, jk)
	if err != nil {
		return ps.Finish(ctx, reconcile.Result{}, r.failed(ctx, p, jk, cloud, &jenkinsError{err}))
	}
	// All servers, not only ours by name: mita's agents are adopted by IP.
	servers, err := cloud.AllServers(ctx, r.serversAge(p))
	if err != nil {
		return ps.Finish(ctx, reconcile.Result{}, r.failed(ctx, p, jk, cloud, err))
	}
	agents := append(observeAgents(p, snap, servers), adopted(p, r.pools(p.Spec.Jenkins), snap, servers)...)
	pass := &pass{r: r, p: p, jk: jk, cloud: cloud, snap: snap, agents: agents, now: now}
	var res reconcile.Result
	if ps.Deleting() {
		res, err = pass.drain(ctx)
		if err == nil && len(pass.agents) == 0 {
			return reconcile.Result{}, ps.RemoveFinalizer(ctx, Finalizer)
		}
	} else {
		res, err = pass.run(ctx)
	}
	if err != nil {
		err = r.failed(ctx, p, jk, cloud, err)
	} else {
		reconcile.Condition(p, CondBackendAvailable, metav1.ConditionTrue, ReasonBackendsAnswer, "")
		if reconcile.ConditionReason(p, CondStalled) != "" {
			reconcile.Condition(p, CondStalled, metav1.ConditionFalse, ReasonSpecUsable, "")
		}
	}
	pass.recordStatus()
	return ps.Finish(ctx, res, err)
}

// failed sets the condition a failure calls for, with an event of the
// same reason when the condition changes: a spec the cloud cannot use is
// Stalled naming the field (and, when retrying cannot help, not retried);
// anything else is a backend outage, with the transport's last failure
// when the error alone does not say what went wrong.
func (r *reconciler) failed(ctx context.Context, p *v1alpha1.SlavePool, jk Jenkins, cloud Cloud, err error) error {
	var se *specError
	if errors.As(err, &se) {
		if reconcile.Condition(p, CondStalled, metav1.ConditionTrue, ReasonInvalidSpec, se.Error()) {
			r.rec.Eventf(ctx, p, v1alpha1.EventTypeWarning, EventInvalidSpec, "%v", se)
		}
		reconcile.Condition(p, CondBackendAvailable, metav1.ConditionTrue, ReasonBackendsAnswer, "")
		return err
	}
	// The Jenkins client's errors name their backend; the cloud's are
	// gophercloud's and Nova's, named here.
	reason, msg, last := ReasonOpenStackUnavailable, fmt.Sprintf("openstack %s: %v", cloud.Name(), err), cloud.LastFailure()
	var je *jenkinsError
	if errors.As(err, &je) {
		reason, msg, last = ReasonJenkinsUnavailable, err.Error(), jk.LastFailure()
	}
	if last != "" && !strings.Contains(msg, last) && (errors.Is(err, context.DeadlineExceeded) || strings.Contains(last, "timeout")) {
		msg += " (last failure: " + last + ")"
	}
	if reconcile.Condition(p, CondBackendAvailable, metav1.ConditionFalse, reason, msg) {
		r.rec.Eventf(ctx, p, v1alpha1.EventTypeWarning, reason, "%s", msg)
	}
	return err
}

// snapshot is the poller's read of jk, or its failure.
func (r *reconciler) snapshot(ctx context.Context, jk Jenkins) (*Snapshot, error) {
	if pl := r.pollers[jk.Name()]; pl != nil {
		if err := pl.err(); err != nil {
			return nil, err
		}
	}
	return jk.Snapshot(ctx, 2*r.poll.queue, 2*r.poll.nodes)
}

// serversAge is how old a server list may be for p: what Nova alone
// shows (a server in ERROR, one deleted behind minka's back) matters
// while agents change; at rest one list per resync serves every pool of
// the cloud. Lists older than a create or delete attempt are never used.
func (r *reconciler) serversAge(p *v1alpha1.SlavePool) time.Duration {
	if changing([]*v1alpha1.SlavePool{p}) {
		return pollChanging
	}
	return r.poll.resync
}

// pools are the live pools of a Jenkins, for mita agents' adoption.
func (r *reconciler) pools(jenkins string) []*v1alpha1.SlavePool { return r.poolsOf(jenkins, false) }

// poolsOf are the pools of a Jenkins, those being deleted too if asked.
func (r *reconciler) poolsOf(jenkins string, deleting bool) []*v1alpha1.SlavePool {
	var out []*v1alpha1.SlavePool
	for _, o := range r.inf.List("", nil) {
		if p := o.(*v1alpha1.SlavePool); p.Spec.Jenkins == jenkins && (deleting || p.DeletionTimestamp == nil) {
			out = append(out, p)
		}
	}
	return out
}

// autoscalers are the pools that compete for this Jenkins' queue.
func (r *reconciler) autoscalers(jenkins string) []*v1alpha1.SlavePool {
	var out []*v1alpha1.SlavePool
	for _, p := range r.pools(jenkins) {
		if p.Spec.Autoscale != nil && p.Spec.Autoscale.Enabled {
			out = append(out, p)
		}
	}
	return out
}
