package reconcile

import (
	"context"
	"errors"
	"slices"

	"minka/api/v1alpha1"
	"minka/store"
)

// Fetch reads the object a request names from the store, not from an
// informer's cache: a controller whose next step depends on the status it
// wrote a moment ago must not act on a cache that has not seen it yet.
// A missing object is (nil, nil).
func Fetch(ctx context.Context, st *store.Store, k v1alpha1.Kind, req Request) (v1alpha1.Object, error) {
	obj, err := st.Get(ctx, k, req.Namespace, req.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return obj, err
}

// AddFinalizer stores obj with finalizer f, if it lacks it, and returns
// the object as stored (its new resourceVersion). A controller adds its
// finalizer before it makes anything outside that the finalizer guards.
func AddFinalizer(ctx context.Context, st *store.Store, obj v1alpha1.Object, f string) (v1alpha1.Object, error) {
	if slices.Contains(obj.GetFinalizers(), f) {
		return obj, nil
	}
	next := obj.DeepCopyObject().(v1alpha1.Object)
	next.SetFinalizers(append(next.GetFinalizers(), f))
	return st.Update(ctx, next)
}

// RemoveFinalizer stores obj without finalizer f; the store deletes an
// object being deleted once its last finalizer goes.
func RemoveFinalizer(ctx context.Context, st *store.Store, obj v1alpha1.Object, f string) error {
	if !slices.Contains(obj.GetFinalizers(), f) {
		return nil
	}
	next := obj.DeepCopyObject().(v1alpha1.Object)
	next.SetFinalizers(slices.DeleteFunc(next.GetFinalizers(), func(x string) bool { return x == f }))
	_, err := st.Update(ctx, next)
	return err
}
