package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store"
)

// Fetch reads the object a request names from the store, not from an
// informer's cache: a controller whose next step depends on the status it
// wrote a moment ago must not act on a cache that has not seen it yet
// (BeginCached reads the cache when it knows the cache has). A missing
// object is (nil, nil).
func Fetch(ctx context.Context, st ObjectStore, k v1alpha1.Kind, req Request) (v1alpha1.Object, error) {
	obj, err := st.Get(ctx, k, req.Namespace, req.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return obj, err
}

// ObjectStore is what a controller reads its object from and writes it
// through: the *store.Store, or in a test a wrapper over the real one that
// makes a chosen write fail.
type ObjectStore interface {
	Get(ctx context.Context, k v1alpha1.Kind, ns, name string) (v1alpha1.Object, error)
	Update(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
	UpdateStatus(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
}

// statusWriteTimeout bounds the status write of a reconcile whose own
// deadline has passed.
const statusWriteTimeout = 10 * time.Second

// Pass is one reconcile of one object: Orig as stored, Obj the deep copy
// the pass changes, and the status write at the end that happens only if
// Obj's status differs from Orig's. Controllers start every reconcile with
// Begin and end it with Finish, so each reads top to bottom as fetch,
// finalizer, observe, act, record.
type Pass[T v1alpha1.Object] struct {
	st        ObjectStore
	Orig, Obj T
	finalized bool // the finalizer went: nothing is left to write to
}

// Begin fetches the object of req from the store; nil when it is gone.
func Begin[T v1alpha1.Object](ctx context.Context, st ObjectStore, k v1alpha1.Kind, req Request) (*Pass[T], error) {
	obj, err := Fetch(ctx, st, k, req)
	if obj == nil || err != nil {
		return nil, err
	}
	orig, ok := obj.(T)
	if !ok {
		return nil, fmt.Errorf("reconcile: %s is a %T, not the controller's kind", req, obj)
	}
	return &Pass[T]{st: st, Orig: orig, Obj: orig.DeepCopyObject().(T)}, nil
}

// Deleting says whether the object is being deleted.
func (p *Pass[T]) Deleting() bool { return p.Obj.GetDeletionTimestamp() != nil }

// AddFinalizer stores the object with finalizer f, if it lacks it, before
// the controller makes anything outside that f guards. Obj is reset to a
// copy of the stored object (changes made to it before are lost, so call
// this first).
func (p *Pass[T]) AddFinalizer(ctx context.Context, f string) error {
	updated, err := AddFinalizer(ctx, p.st, p.Orig, f)
	if err != nil {
		return err
	}
	if updated != v1alpha1.Object(p.Orig) {
		p.Orig = updated.(T)
		p.Obj = p.Orig.DeepCopyObject().(T)
	}
	return nil
}

// RemoveFinalizer stores the object without finalizer f; once that was
// its last, the store deletes it and Finish writes nothing.
func (p *Pass[T]) RemoveFinalizer(ctx context.Context, f string) error {
	if err := RemoveFinalizer(ctx, p.st, p.Orig, f); err != nil {
		return err
	}
	p.finalized = true
	return nil
}

// RecordNow writes Obj's status at once if it changed, for a controller
// that must record what it is about to do before it does it (a rollback:
// were the status write after it to fail, the next pass would take the
// rolled-back app for drift). Orig becomes the stored object.
func (p *Pass[T]) RecordNow(ctx context.Context) error {
	if p.finalized || equalStatus(p.Orig, p.Obj) {
		return nil
	}
	if ctx.Err() != nil {
		// The reconcile ran out of time on a backend: the status that
		// says so is still worth writing.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), statusWriteTimeout)
		defer cancel()
	}
	out, err := p.st.UpdateStatus(ctx, p.Obj)
	if err != nil {
		return fmt.Errorf("writing status: %w", err)
	}
	p.Orig = out.(T)
	rv := p.Orig.GetResourceVersion()
	p.Obj.SetResourceVersion(rv)
	return nil
}

// Finish writes Obj's status if it changed and hands back the pass's
// result and error; a failed write is the error when the pass had none.
func (p *Pass[T]) Finish(ctx context.Context, res Result, err error) (Result, error) {
	if werr := p.RecordNow(ctx); werr != nil && err == nil {
		err = werr
	}
	return res, err
}

// equalStatus compares whole objects: the pass changes only the status,
// so any difference is one to write.
func equalStatus(a, b v1alpha1.Object) bool { return equality.Semantic.DeepEqual(a, b) }

// Conditioned is an object whose status has Kubernetes conditions.
type Conditioned interface {
	v1alpha1.Object
	StatusConditions() *[]metav1.Condition
}

// Condition sets a condition on obj, observed at its generation; it says
// whether anything changed. lastTransitionTime moves only when the status
// flips (apimachinery's SetStatusCondition). The message is cut to what
// status validation accepts (32 KiB), so a backend's long error can never
// make the status unwritable.
func Condition(obj Conditioned, typ string, status metav1.ConditionStatus, reason, msg string) bool {
	return meta.SetStatusCondition(obj.StatusConditions(), metav1.Condition{Type: typ, Status: status, Reason: reason,
		Message: v1alpha1.Shorten(msg, maxConditionMessage), ObservedGeneration: obj.GetGeneration()})
}

// maxConditionMessage is apimachinery's ValidateConditions limit.
const maxConditionMessage = 32 << 10

// ConditionReason is the reason of obj's condition typ ("" if unset).
func ConditionReason(obj Conditioned, typ string) string {
	if c := meta.FindStatusCondition(*obj.StatusConditions(), typ); c != nil {
		return c.Reason
	}
	return ""
}

// AddFinalizer stores obj with finalizer f, if it lacks it, and returns
// the object as stored (its new resourceVersion). A controller adds its
// finalizer before it makes anything outside that the finalizer guards.
func AddFinalizer(ctx context.Context, st ObjectStore, obj v1alpha1.Object, f string) (v1alpha1.Object, error) {
	if slices.Contains(obj.GetFinalizers(), f) {
		return obj, nil
	}
	next := obj.DeepCopyObject().(v1alpha1.Object)
	next.SetFinalizers(append(next.GetFinalizers(), f))
	out, err := st.Update(ctx, next)
	if err != nil {
		return nil, fmt.Errorf("adding finalizer %s: %w", f, err)
	}
	return out, nil
}

// RemoveFinalizer stores obj without finalizer f; the store deletes an
// object being deleted once its last finalizer goes.
func RemoveFinalizer(ctx context.Context, st ObjectStore, obj v1alpha1.Object, f string) error {
	if !slices.Contains(obj.GetFinalizers(), f) {
		return nil
	}
	next := obj.DeepCopyObject().(v1alpha1.Object)
	next.SetFinalizers(slices.DeleteFunc(next.GetFinalizers(), func(x string) bool { return x == f }))
	if _, err := st.Update(ctx, next); err != nil {
		return fmt.Errorf("removing finalizer %s: %w", f, err)
	}
	return nil
}
