package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// tracker tracks one update's manager across its retries. A retry that
// lost only to a status write (controllers write status all the time)
// reuses the managedFields it computed: recomputing them would widen the
// window in which the next status write wins again. The comparison is
// made only on a retry, so a write that wins at once pays nothing for it.
type tracker struct {
	subresource string
	cur, next   v1alpha1.Object // the last attempt's stored and merged objects
	managed     []metav1.ManagedFieldsEntry
}

func (t *tracker) track(ctx context.Context, cur, next v1alpha1.Object) (v1alpha1.Object, error) {
	if fieldManager(ctx) == "" || t.subresource != "" {
		return track(ctx, t.subresource, cur, next)
	}
	if t.cur != nil {
		before, err := statusless(t.cur, t.next)
		if err != nil {
			return nil, err
		}
		now, err := statusless(cur, next)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(before, now) {
			next.SetManagedFields(t.managed)
			return next, nil
		}
	}
	out, err := track(ctx, "", cur, next) // a new object: next stays as merged
	if err != nil {
		return nil, err
	}
	t.cur, t.next, t.managed = cur, next, out.GetManagedFields()
	return out, nil
}

// statusless is the objects' JSON without status and resourceVersion:
// what the main resource's managedFields depend on.
func statusless(objs ...v1alpha1.Object) ([]byte, error) {
	var b bytes.Buffer
	for _, o := range objs {
		c := o.DeepCopyObject().(v1alpha1.Object)
		c.SetResourceVersion("")
		if ss, ok := c.(v1alpha1.SpecStatus); ok {
			k, _ := v1alpha1.KindOf(c)
			ss.CopyStatusFrom(k.New())
		}
		if err := json.NewEncoder(&b).Encode(c); err != nil {
			return nil, fmt.Errorf("encoding for managedFields: %w", err)
		}
	}
	return b.Bytes(), nil
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
