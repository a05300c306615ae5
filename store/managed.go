package store

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/managed"
	"minka/api/v1alpha1"
)

type managerKey struct{}
type keepManagedKey struct{}

// WithFieldManager makes the writes through ctx record manager as the
// owner of the fields they change, in metadata.managedFields (operation
// Update), as kube-apiserver does for every write but apply. Writes
// without one (the controllers') leave managedFields as stored.
func WithFieldManager(ctx context.Context, manager string) context.Context {
	return context.WithValue(ctx, managerKey{}, manager)
}

func fieldManager(ctx context.Context) string { m, _ := ctx.Value(managerKey{}).(string); return m }

// WithManagedFields makes a create through ctx keep the managedFields the
// object carries: a server-side apply that creates computed them.
func WithManagedFields(ctx context.Context) context.Context {
	return context.WithValue(ctx, keepManagedKey{}, true)
}

func keepManaged(ctx context.Context) bool { v, _ := ctx.Value(keepManagedKey{}).(bool); return v }

// track sets next's managedFields after a write of subresource ("" or
// status) merged it over cur (nil for a create).
func track(ctx context.Context, subresource string, cur, next v1alpha1.Object) (v1alpha1.Object, error) {
	manager := fieldManager(ctx)
	if manager == "" {
		if cur == nil {
			next.SetManagedFields(nil)
		} else {
			next.SetManagedFields(cur.GetManagedFields())
		}
		return next, nil
	}
	f, err := managed.Shared()
	if err != nil {
		return nil, err
	}
	return f.Update(subresource, cur, next, manager)
}

// Apply is server-side apply of the configuration applied by manager to
// the stored object: the field manager merges it by field ownership (409
// on a field another manager set differently, unless force), then the
// result is defaulted, validated and written conditioned on the revision
// read, retrying a lost race. ErrNotFound means nothing is stored: the
// caller creates the object from Fields.Apply over nothing.
func (s *Store) Apply(ctx context.Context, k v1alpha1.Kind, applied *unstructured.Unstructured, manager string, force bool) (v1alpha1.Object, error) {
	f, err := managed.Shared()
	if err != nil {
		return nil, err
	}
	key := k.New()
	key.SetNamespace(applied.GetNamespace())
	key.SetName(applied.GetName())
	return s.update(ctx, key, "apply", func(k v1alpha1.Kind, cur, _ v1alpha1.Object) (v1alpha1.Object, field.ErrorList, error) {
		merged, err := f.Apply(cur, applied, manager, force)
		if err != nil {
			var se apierrors.APIStatus
			if errors.As(err, &se) {
				return nil, nil, err
			}
			return nil, nil, &Error{Err: ErrInvalid, Kind: k.Kind, Namespace: cur.GetNamespace(), Name: cur.GetName(), Msg: fmt.Sprintf("applying: %v", err)}
		}
		return mergeSpec(k, cur, merged)
	})
}
