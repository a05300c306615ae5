package alert

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Condition types and reasons of an Alert.
const (
	Ready = "Ready"

	ReasonDelivering            = "Delivering"
	ReasonReceiverNotConfigured = "ReceiverNotConfigured"
	ReasonReceiverUnreadable    = "ReceiverUnreadable"
	ReasonDeliveryFailing       = "DeliveryFailing"
	ReasonSuspended             = "Suspended"

	EventDeliveryRejected = "DeliveryRejected"
)

// maxPerPass bounds the messages of one pass, so that a backlog does not
// hold a worker past the reconcile deadline; the next pass goes on.
const maxPerPass = 50

// pass is one reconcile of an Alert.
type pass = reconcile.Pass[*v1alpha1.Alert]

// Reconcile reads top to bottom: fetch the Alert, find its receiver,
// observe the events stored since its revision, and send those it selects
// in order, recording each as it goes.
func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	p, err := reconcile.Begin[*v1alpha1.Alert](ctx, r.st, r.kind, req)
	if p == nil || err != nil {
		return reconcile.Result{}, err
	}
	a := p.Obj
	a.Status.ObservedGeneration = a.Generation
	if a.Status.EventRevision == "" {
		// A new Alert sends what happens from now on, not the past hour.
		a.Status.EventRevision = a.ResourceVersion
	}
	rcv := r.receivers[a.Spec.Receiver]
	switch {
	case rcv == nil:
		reconcile.Condition(a, Ready, metav1.ConditionFalse, ReasonReceiverNotConfigured,
			fmt.Sprintf("spec.receiver: no receiver %q in the server config's notifications.receivers", a.Spec.Receiver))
		return r.finish(ctx, p, reconcile.Result{}, nil)
	case rcv.err != nil:
		reconcile.Condition(a, Ready, metav1.ConditionFalse, ReasonReceiverUnreadable, rcv.err.Error())
		return r.finish(ctx, p, reconcile.Result{}, nil)
	}
	rev, err := strconv.ParseInt(a.Status.EventRevision, 10, 64)
	if err != nil {
		rev = 0
	}
	pending := after(r.events.List("", nil), rev)
	if a.Spec.Suspend {
		if len(pending) > 0 {
			a.Status.EventRevision = strconv.FormatInt(pending[len(pending)-1].rev, 10)
		}
		reconcile.Condition(a, Ready, metav1.ConditionFalse, ReasonSuspended, "spec.suspend: events are not sent")
		return r.finish(ctx, p, reconcile.Result{}, nil)
	}
	if wait := r.wait(req); wait > 0 {
		return r.finish(ctx, p, reconcile.Result{RequeueAfter: wait}, nil)
	}
	return r.deliver(ctx, p, req, rcv, pending)
}

// deliver sends the pending events a selects, one after another; the
// revision moves past each selected event only once it is sent, skipped
// as a repeat or refused, and is written before the next is sent.
func (r *reconciler) deliver(ctx context.Context, p *pass, req reconcile.Request, rcv *receiver, pending []stored) (reconcile.Result, error) {
	a := p.Obj
	now := r.now()
	seen := recentOf(a)
	seen.prune(now)
	sent := 0
	for _, s := range pending {
		// An event the Alert does not select leaves the revision where
		// it is (no write per event per Alert): the next pass skips it
		// again, in memory.
		if !selects(a, s.ev) {
			continue
		}
		k := key(s.ev)
		if seen.repeat(k, now) {
			a.Status.EventRevision = strconv.FormatInt(s.rev, 10)
			continue
		}
		if sent == maxPerPass {
			return r.finish(ctx, p, reconcile.Result{RequeueAfter: time.Millisecond}, nil)
		}
		start := time.Now()
		err := rcv.send(ctx, r.render(a, s.ev), string(a.UID)+"/"+k+"/"+strconv.Itoa(int(s.ev.Count)))
		r.metrics.duration.WithLabelValues(rcv.cfg.Name).Observe(time.Since(start).Seconds())
		var de *deliveryError
		switch {
		case err == nil:
			r.metrics.messages.WithLabelValues(rcv.cfg.Name, "sent").Inc()
			r.metrics.failing.WithLabelValues(rcv.cfg.Name).Set(0)
			sent++
			at := metav1.NewTime(now)
			a.Status.Sent, a.Status.LastSentTime, a.Status.FailedAttempts = a.Status.Sent+1, &at, 0
			seen.sent(k, now)
		case errors.As(err, &de) && !de.retry:
			r.metrics.messages.WithLabelValues(rcv.cfg.Name, "rejected").Inc()
			r.metrics.failing.WithLabelValues(rcv.cfg.Name).Set(0)
			a.Status.Rejected, a.Status.FailedAttempts = a.Status.Rejected+1, 0
			r.rec.Eventf(ctx, a, v1alpha1.EventTypeWarning, EventDeliveryRejected, "%s to the %s event of %s %s/%s; it is not sent again",
				err, s.ev.Reason, s.ev.InvolvedObject.Kind, s.ev.InvolvedObject.Namespace, s.ev.InvolvedObject.Name)
		default:
			return r.retry(ctx, p, req, rcv, err)
		}
		a.Status.EventRevision = strconv.FormatInt(s.rev, 10)
		// Recorded before the next is sent: a restart goes on from here.
		if err := r.record(ctx, p); err != nil {
			return reconcile.Result{}, err
		}
	}
	if reconcile.Condition(a, Ready, metav1.ConditionTrue, ReasonDelivering, "receiver "+rcv.cfg.Name+" takes the messages") {
		r.forget(req)
	}
	return r.finish(ctx, p, reconcile.Result{}, nil)
}

// retry waits before the failed message is tried again: Retry-After when
// the receiver said, else 1s doubling to 5m. The Alert says so, with one
// event when it starts failing.
func (r *reconciler) retry(ctx context.Context, p *pass, req reconcile.Request, rcv *receiver, err error) (reconcile.Result, error) {
	a := p.Obj
	r.metrics.messages.WithLabelValues(rcv.cfg.Name, "failed").Inc()
	r.metrics.failing.WithLabelValues(rcv.cfg.Name).Set(1)
	a.Status.FailedAttempts++
	wait := backoff(a.Status.FailedAttempts)
	var de *deliveryError
	if errors.As(err, &de) && de.after > 0 {
		wait = de.after
	}
	r.mu.Lock()
	r.next[req.String()] = r.now().Add(wait)
	r.mu.Unlock()
	msg := fmt.Sprintf("%v (attempt %d; next in %v)", err, a.Status.FailedAttempts, wait)
	was := reconcile.ConditionReason(a, Ready)
	reconcile.Condition(a, Ready, metav1.ConditionFalse, ReasonDeliveryFailing, msg)
	if was != ReasonDeliveryFailing {
		r.rec.Eventf(ctx, a, v1alpha1.EventTypeWarning, ReasonDeliveryFailing, "%v: trying again with backoff", err)
	}
	return r.finish(ctx, p, reconcile.Result{RequeueAfter: wait}, nil)
}

func backoff(attempts int32) time.Duration {
	d := time.Second
	for i := int32(1); i < attempts && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// wait is how long the Alert's failing message still waits.
func (r *reconciler) wait(req reconcile.Request) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.next[req.String()].Sub(r.now())
}

func (r *reconciler) forget(req reconcile.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.next, req.String())
}

// record writes the status whatever the Alert's spec did meanwhile:
// only this controller writes an Alert's status, and a status write
// lost to a spec edit would send the message again.
func (r *reconciler) record(ctx context.Context, p *pass) error {
	if equality.Semantic.DeepEqual(p.Orig.Status, p.Obj.Status) {
		return nil // nothing to write: none at rest
	}
	p.Obj.SetResourceVersion("")
	return p.RecordNow(ctx)
}

func (r *reconciler) finish(ctx context.Context, p *pass, res reconcile.Result, err error) (reconcile.Result, error) {
	if werr := r.record(ctx, p); werr != nil && err == nil {
		err = werr
	}
	return res, err
}
