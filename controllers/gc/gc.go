// Package gc is the garbage collector: an object whose ownerReferences all
// point at owners that no longer exist is deleted, as Builds go with their
// Pipeline and Repos with their Build. An object that lost only some
// owners keeps the others and drops the dangling references.
package gc

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
	"minka/store"
)

// Name is the controller's name for --controllers.
const Name = "garbagecollector"

// Event reasons.
const (
	ReasonOwnerGone = "OwnerGone"
)

// Setup registers one collector per kind: dependents are looked up by
// owner uid in each kind's informer.
func Setup(t *reconcile.Term) error {
	kinds := v1alpha1.Kinds()
	for _, k := range kinds {
		c := &collector{kind: k, st: t.Store, log: t.Log.WithValues("controller", Name, "kind", k.Kind), rec: t.Recorder(Name)}
		c.inf = t.Informer(k)
		ctl := t.NewController(Name+"-"+k.Plural, c)
		c.inf.AddEventHandler(enqueueOwned(ctl))
		for _, ok := range kinds {
			// An owner's deletion enqueues its dependents of this kind.
			t.Informer(ok).AddEventHandler(reconcile.EventHandler{Delete: func(owner v1alpha1.Object) {
				for _, dep := range c.inf.ByOwner(owner.GetUID()) {
					ctl.Enqueue(reconcile.Request{Namespace: dep.GetNamespace(), Name: dep.GetName()})
				}
			}})
		}
	}
	return nil
}

// enqueueOwned enqueues objects that have owners.
func enqueueOwned(c *reconcile.Controller) reconcile.EventHandler {
	enqueue := func(o v1alpha1.Object) {
		if len(o.GetOwnerReferences()) > 0 {
			c.Enqueue(reconcile.Request{Namespace: o.GetNamespace(), Name: o.GetName()})
		}
	}
	return reconcile.EventHandler{Add: enqueue, Update: func(_, o v1alpha1.Object) { enqueue(o) }}
}

type collector struct {
	kind v1alpha1.Kind
	st   *store.Store
	inf  *reconcile.Informer
	rec  *reconcile.Recorder
	log  logr.Logger
}

// Reconcile checks each owner against the store itself, not the cache: a
// cache that lags must never get an object deleted.
func (c *collector) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	obj, ok := c.inf.Get(req.Namespace, req.Name)
	if !ok || obj.GetDeletionTimestamp() != nil || len(obj.GetOwnerReferences()) == 0 {
		return reconcile.Result{}, nil
	}
	var live, gone []metav1.OwnerReference
	for _, ref := range obj.GetOwnerReferences() {
		exists, err := c.ownerExists(ctx, obj.GetNamespace(), ref)
		if err != nil {
			return reconcile.Result{}, err
		}
		if exists {
			live = append(live, ref)
		} else {
			gone = append(gone, ref)
		}
	}
	switch {
	case len(gone) == 0:
		return reconcile.Result{}, nil
	case len(live) == 0:
		return reconcile.Result{}, c.collect(ctx, obj, gone)
	default:
		next := obj.DeepCopyObject().(v1alpha1.Object)
		next.SetOwnerReferences(live)
		_, err := c.st.Update(ctx, next)
		return reconcile.Result{}, ignoreNotFound(err)
	}
}

func (c *collector) ownerExists(ctx context.Context, ns string, ref metav1.OwnerReference) (bool, error) {
	k, err := v1alpha1.KindFor(ref.Kind)
	if err != nil {
		return true, nil // not a minka kind: not ours to judge
	}
	owner, err := c.st.Get(ctx, k, ns, ref.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("looking up owner %s %s: %w", ref.Kind, ref.Name, err)
	}
	return ref.UID == "" || owner.GetUID() == ref.UID, nil
}

func (c *collector) collect(ctx context.Context, obj v1alpha1.Object, gone []metav1.OwnerReference) error {
	_, err := c.st.Delete(ctx, c.kind, obj.GetNamespace(), obj.GetName(), &store.Preconditions{UID: obj.GetUID()})
	if err = ignoreNotFound(err); err != nil {
		return fmt.Errorf("deleting %s whose owners are gone: %w", obj.GetName(), err)
	}
	c.log.Info("deleted an object whose owners are gone", "object", obj.GetNamespace()+"/"+obj.GetName(), "owner", gone[0].Kind+"/"+gone[0].Name)
	c.rec.Eventf(ctx, obj, v1alpha1.EventTypeNormal, ReasonOwnerGone, "deleted: owner %s %s is gone", gone[0].Kind, gone[0].Name)
	return nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
