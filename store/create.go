package store

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"

	"minka/api/v1alpha1"
)

// Create stores a new object: it assigns uid, creationTimestamp and
// generation 1, clears status, defaults and validates, and fails with
// ErrAlreadyExists when the name is taken, with ErrTooLarge when it is
// larger than MaxObjectBytes encoded. Events get the event lease.
func (s *Store) Create(ctx context.Context, in v1alpha1.Object) (v1alpha1.Object, error) {
	k, err := v1alpha1.KindOf(in)
	if err != nil {
		return nil, &Error{Err: ErrInvalid, Msg: err.Error()}
	}
	obj := in.DeepCopyObject().(v1alpha1.Object)
	prepareCreate(k, obj)
	v1alpha1.Default(obj)
	if errs := v1alpha1.Validate(obj); len(errs) > 0 {
		return nil, &InvalidError{Kind: k, Name: obj.GetName(), Errs: errs}
	}
	if err := admit(ctx, nil, obj); err != nil {
		return nil, err
	}
	if keepManaged(ctx) {
		obj.SetManagedFields(in.GetManagedFields())
	} else if obj, err = track(ctx, "", nil, obj); err != nil {
		return nil, err
	}
	data, err := encode(obj)
	if err != nil {
		return nil, err
	}
	if err := s.checkSize(k.Kind, obj.GetNamespace(), obj.GetName(), data); err != nil {
		return nil, err
	}
	var opts []clientv3.OpOption
	if k.Kind == "Event" && !IsDryRun(ctx) {
		id, err := s.leases.get(ctx)
		if err != nil {
			return nil, err
		}
		opts = append(opts, clientv3.WithLease(id))
	}
	key := s.key(k, obj.GetNamespace(), obj.GetName())
	resp, ok, err := s.commit(ctx, []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(key), "=", 0)},
		clientv3.OpPut(key, string(data), opts...))
	if err != nil {
		err = etcdTooLarge(err, k.Kind, obj.GetNamespace(), obj.GetName(), data)
		return nil, fmt.Errorf("creating %s %s/%s: %w", k.Kind, obj.GetNamespace(), obj.GetName(), err)
	}
	if !ok {
		return nil, &Error{Err: ErrAlreadyExists, Kind: k.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
	}
	if !IsDryRun(ctx) { // a dry-run create answers without a resourceVersion, as kube-apiserver's
		obj.SetResourceVersion(fmt.Sprint(resp.Header.Revision))
	}
	return obj, nil
}

// prepareCreate sets what the server owns on a new object, whatever the
// caller sent: identity, timestamps, generation, an empty status.
func prepareCreate(k v1alpha1.Kind, obj v1alpha1.Object) {
	if !k.Namespaced {
		obj.SetNamespace("")
	} else if obj.GetNamespace() == "" {
		obj.SetNamespace("default")
	}
	obj.SetUID(uuid.NewUUID())
	obj.SetCreationTimestamp(metav1.NewTime(time.Now().UTC().Truncate(time.Second)))
	obj.SetResourceVersion("")
	obj.SetGeneration(1)
	obj.SetDeletionTimestamp(nil)
	obj.SetDeletionGracePeriodSeconds(nil)
	obj.SetManagedFields(nil)
	if ss, ok := obj.(v1alpha1.SpecStatus); ok {
		ss.CopyStatusFrom(k.New())
	}
}
