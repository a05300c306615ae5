package store

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"minka/api/v1alpha1"
)

// Preconditions must hold for a Delete to proceed.
type Preconditions struct {
	UID             types.UID
	ResourceVersion string
}

// Delete removes an object. An object with finalizers is not removed: its
// deletionTimestamp is set (once) and it is returned still stored; it goes
// when an Update removes the last finalizer.
func (s *Store) Delete(ctx context.Context, k v1alpha1.Kind, ns, name string, pre *Preconditions) (v1alpha1.Object, error) {
	if k.Namespaced && ns == "" {
		ns = "default"
	}
	key := s.key(k, ns, name)
	for attempt := 0; ; attempt++ {
		cur, curData, err := s.get(ctx, k, ns, name)
		if err != nil {
			return nil, err
		}
		modRev, _ := parseRV(k, cur.GetResourceVersion())
		if err := checkPreconditions(k, cur, modRev, pre); err != nil {
			return nil, err
		}
		var (
			out v1alpha1.Object
			ok  bool
		)
		switch {
		case len(cur.GetFinalizers()) == 0:
			out, ok, err = s.deleteAt(ctx, k, key, modRev)
		case cur.GetDeletionTimestamp() != nil:
			return cur, nil
		default:
			next := cur.DeepCopyObject().(v1alpha1.Object)
			now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
			next.SetDeletionTimestamp(&now)
			out, ok, _, err = s.write(ctx, k, next, curData, modRev, true)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			if out == nil {
				out = cur
			}
			return out, nil
		}
		if attempt == maxRetries {
			return nil, conflict(k, ns, name, "too many concurrent writers")
		}
	}
}

func checkPreconditions(k v1alpha1.Kind, cur v1alpha1.Object, modRev int64, pre *Preconditions) error {
	if pre == nil {
		return nil
	}
	if pre.UID != "" && pre.UID != cur.GetUID() {
		return conflict(k, cur.GetNamespace(), cur.GetName(), fmt.Sprintf("uid precondition failed: stored %s, request %s", cur.GetUID(), pre.UID))
	}
	if pre.ResourceVersion != "" {
		want, err := parseRV(k, pre.ResourceVersion)
		if err != nil {
			return err
		}
		if want != modRev {
			return conflict(k, cur.GetNamespace(), cur.GetName(), "resourceVersion precondition failed")
		}
	}
	return nil
}

// deleteAt removes key if it is still at modRev. The returned object is nil:
// callers return the last stored state they hold.
func (s *Store) deleteAt(ctx context.Context, k v1alpha1.Kind, key string, modRev int64) (v1alpha1.Object, bool, error) {
	_, ok, err := s.commit(ctx, []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(key), "=", modRev)}, clientv3.OpDelete(key))
	if err != nil {
		return nil, false, fmt.Errorf("deleting %s %s: %w", k.Kind, key, err)
	}
	return nil, ok, nil
}
