package slavepool

import (
	"context"
	"errors"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Conditions and their reasons.
const (
	CondReady            = "Ready"
	CondScaling          = "Scaling"
	CondBackendAvailable = "BackendAvailable"
	CondQuotaExceeded    = "QuotaExceeded"

	ReasonAllOnline            = "AllAgentsOnline"
	ReasonAgentsNotReady       = "AgentsNotReady"
	ReasonScalingUp            = "ScalingUp"
	ReasonScalingDown          = "ScalingDown"
	ReasonStable               = "AtDesiredSize"
	ReasonBackendsAnswer       = "BackendsAnswer"
	ReasonJenkinsUnavailable   = "JenkinsUnavailable"
	ReasonOpenStackUnavailable = "OpenStackUnavailable"
	ReasonBackendNotConfigured = "BackendNotConfigured"
	ReasonQuotaExceeded        = "QuotaExceeded"
	ReasonWithinQuota          = "WithinQuota"
)

// Event reasons.
const (
	EventAgentCreated       = "AgentCreated"
	EventAgentAdopted       = "AgentAdopted"
	EventAgentRemoved       = "AgentRemoved"
	EventBootTimeout        = "BootTimeout"
	EventServerError        = "ServerError"
	EventHalfMade           = "HalfMadeAgent"
	EventQuotaExceeded      = "QuotaExceeded"
	EventBackendUnavailable = "BackendUnavailable"
)

// Reconcile: fetch (from the store: the status just written decides
// cooldowns), delete path, observe Jenkins and Nova, decide the size,
// take the steps, write status.
func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	obj, err := reconcile.Fetch(ctx, r.st, r.kind, req)
	if obj == nil || err != nil {
		return reconcile.Result{}, err
	}
	orig := obj.(*v1alpha1.SlavePool)
	p := orig.DeepCopy()
	jb, cloud := r.jenkins[p.Spec.Jenkins], r.clouds[p.Spec.Cloud]
	if jb == nil || cloud == nil {
		if p.DeletionTimestamp != nil {
			return reconcile.Result{}, r.dropFinalizer(ctx, p)
		}
		setCondition(p, CondBackendAvailable, metav1.ConditionFalse, ReasonBackendNotConfigured,
			fmt.Sprintf("spec.jenkins %q or spec.cloud %q is not a backend in the server config", p.Spec.Jenkins, p.Spec.Cloud))
		return r.writeStatus(ctx, orig, p, reconcile.Result{}, nil)
	}
	if p.DeletionTimestamp == nil {
		updated, err := reconcile.AddFinalizer(ctx, r.st, orig, Finalizer)
		if err != nil {
			return reconcile.Result{}, err
		}
		if updated != obj {
			orig = updated.(*v1alpha1.SlavePool)
			p = orig.DeepCopy()
		}
	}
	now := r.now()
	snap, err := jb.snapshot(ctx, r.poll/2, now)
	if err != nil {
		return r.unavailable(ctx, orig, p, ReasonJenkinsUnavailable, err)
	}
	// All servers, not only ours by name: mita's agents are adopted by IP.
	servers, err := cloud.servers(ctx, r.poll/2, now)
	if err != nil {
		return r.unavailable(ctx, orig, p, ReasonOpenStackUnavailable, err)
	}
	agents := append(observeAgents(p, snap, servers), adopted(p, r.pools(p.Spec.Jenkins), snap, servers)...)
	pass := &pass{r: r, p: p, jb: jb, cloud: cloud, snap: snap, agents: agents, now: now}
	var res reconcile.Result
	if p.DeletionTimestamp != nil {
		res, err = pass.drain(ctx)
		if err == nil && len(pass.agents) == 0 {
			return reconcile.Result{}, r.dropFinalizer(ctx, p)
		}
	} else {
		res, err = pass.run(ctx)
	}
	if err != nil {
		reason := ReasonOpenStackUnavailable
		var je *jenkinsError
		if errors.As(err, &je) {
			reason = ReasonJenkinsUnavailable
		}
		setCondition(p, CondBackendAvailable, metav1.ConditionFalse, reason, err.Error())
		r.rec.Eventf(ctx, p, v1alpha1.EventTypeWarning, EventBackendUnavailable, "%v", err)
	} else {
		setCondition(p, CondBackendAvailable, metav1.ConditionTrue, ReasonBackendsAnswer, "")
	}
	pass.recordStatus()
	return r.writeStatus(ctx, orig, p, res, err)
}

// jenkinsError marks a failed Jenkins call, for the condition's reason.
type jenkinsError struct{ err error }

func (e *jenkinsError) Error() string { return e.err.Error() }
func (e *jenkinsError) Unwrap() error { return e.err }

func (r *reconciler) unavailable(ctx context.Context, orig, p *v1alpha1.SlavePool, reason string, err error) (reconcile.Result, error) {
	setCondition(p, CondBackendAvailable, metav1.ConditionFalse, reason, err.Error())
	r.rec.Eventf(ctx, p, v1alpha1.EventTypeWarning, EventBackendUnavailable, "%v", err)
	return r.writeStatus(ctx, orig, p, reconcile.Result{}, err)
}

func (r *reconciler) writeStatus(ctx context.Context, orig, p *v1alpha1.SlavePool, res reconcile.Result, err error) (reconcile.Result, error) {
	if p.DeletionTimestamp != nil && !slices.Contains(p.Finalizers, Finalizer) {
		return res, err
	}
	if _, werr := reconcile.UpdateStatus(ctx, r.st, orig, p); werr != nil && err == nil {
		err = fmt.Errorf("writing status: %w", werr)
	}
	return res, err
}

func (r *reconciler) dropFinalizer(ctx context.Context, p *v1alpha1.SlavePool) error {
	return reconcile.RemoveFinalizer(ctx, r.st, p, Finalizer)
}

func setCondition(p *v1alpha1.SlavePool, typ string, status metav1.ConditionStatus, reason, msg string) {
	reconcile.SetCondition(&p.Status.Conditions, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg,
		ObservedGeneration: p.Generation})
}

func conditionReason(p *v1alpha1.SlavePool, typ string) string {
	for _, c := range p.Status.Conditions {
		if c.Type == typ {
			return c.Reason
		}
	}
	return ""
}

// pools are the live pools of a Jenkins, for mita agents' adoption.
func (r *reconciler) pools(jenkins string) []*v1alpha1.SlavePool {
	var out []*v1alpha1.SlavePool
	for _, o := range r.inf.List("", nil) {
		if p := o.(*v1alpha1.SlavePool); p.Spec.Jenkins == jenkins && p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

// autoscalers are the pools that compete for this Jenkins' queue.
func (r *reconciler) autoscalers(jenkins string) []*v1alpha1.SlavePool {
	var out []*v1alpha1.SlavePool
	for _, o := range r.inf.List("", nil) {
		p := o.(*v1alpha1.SlavePool)
		if p.Spec.Jenkins == jenkins && p.Spec.Autoscale != nil && p.Spec.Autoscale.Enabled && p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}
