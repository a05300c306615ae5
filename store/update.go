package store

import (
	"bytes"
	"context"
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/v1alpha1"
)

// maxRetries bounds the retries of an unconditional write that keeps losing
// races; a conditional write never retries (its caller must re-read).
const maxRetries = 16

// Update replaces an object's metadata and spec. A non-empty
// resourceVersion must be current (else ErrConflict); an empty one means
// "whatever is stored now". Status, uid, creationTimestamp and
// deletionTimestamp are kept from the stored object; generation moves only
// when the spec changes; unchanged bytes are not written, and the stored
// object comes back with its old resourceVersion. Removing the last
// finalizer of an object being deleted deletes it.
func (s *Store) Update(ctx context.Context, in v1alpha1.Object) (v1alpha1.Object, error) {
	return s.update(ctx, in, "", mergeSpec)
}

// UpdateStatus replaces only the status; metadata and spec stay as stored.
// A non-empty resourceVersion must be current.
func (s *Store) UpdateStatus(ctx context.Context, in v1alpha1.Object) (v1alpha1.Object, error) {
	if _, ok := in.(v1alpha1.SpecStatus); !ok {
		return nil, &Error{Err: ErrInvalid, Kind: fmt.Sprintf("%T", in), Name: in.GetName(), Msg: "kind has no status"}
	}
	return s.update(ctx, in, "status", mergeStatus)
}

// UpdateReplicas sets spec.replicas on the stored object: the scale
// subresource. With rv "" it applies to whatever is stored, re-reading
// when another writer (a controller writing status) got there first, and
// never overwrites a concurrent spec edit; with rv it must be current.
func (s *Store) UpdateReplicas(ctx context.Context, k v1alpha1.Kind, ns, name string, replicas int32, rv string) (v1alpha1.Object, error) {
	if !k.Scale {
		return nil, &Error{Err: ErrInvalid, Kind: k.Kind, Name: name, Msg: "kind has no replicas"}
	}
	key := k.New()
	key.SetNamespace(ns)
	key.SetName(name)
	key.SetResourceVersion(rv)
	return s.update(ctx, key, "", func(k v1alpha1.Kind, cur, _ v1alpha1.Object) (v1alpha1.Object, field.ErrorList, error) {
		in := cur.DeepCopyObject().(v1alpha1.Scalable)
		in.SetReplicas(replicas)
		return mergeSpec(k, cur, in)
	})
}

// UpdateWith writes what f makes of the stored object, as Update
// writes it (metadata and spec; status, uid and the rest kept). f runs
// on each attempt's fresh read, inside the guarded write: another
// write landing between (a controller's status, most often) runs f
// again on the new object rather than failing or being overwritten,
// as kube-apiserver's GuaranteedUpdate does. A non-empty rv must be
// current. An error from f stops the write and is returned as it is.
func (s *Store) UpdateWith(ctx context.Context, k v1alpha1.Kind, ns, name, rv string, f func(cur v1alpha1.Object) (v1alpha1.Object, error)) (v1alpha1.Object, error) {
	key := k.New()
	key.SetNamespace(ns)
	key.SetName(name)
	key.SetResourceVersion(rv)
	return s.update(ctx, key, "", func(k v1alpha1.Kind, cur, _ v1alpha1.Object) (v1alpha1.Object, field.ErrorList, error) {
		in, err := f(cur.DeepCopyObject().(v1alpha1.Object))
		if err != nil {
			return nil, nil, err
		}
		return mergeSpec(k, cur, in)
	})
}

// merger builds the object to store from the stored one and the caller's,
// and validates the result; an error stops the write.
type merger func(k v1alpha1.Kind, cur, in v1alpha1.Object) (v1alpha1.Object, field.ErrorList, error)

// mergeSpec keeps the caller's managedFields: track (or apply) decides.
func mergeSpec(k v1alpha1.Kind, cur, in v1alpha1.Object) (v1alpha1.Object, field.ErrorList, error) {
	next := in.DeepCopyObject().(v1alpha1.Object)
	next.SetNamespace(cur.GetNamespace())
	next.SetUID(cur.GetUID())
	next.SetCreationTimestamp(cur.GetCreationTimestamp())
	next.SetDeletionTimestamp(cur.GetDeletionTimestamp())
	next.SetDeletionGracePeriodSeconds(cur.GetDeletionGracePeriodSeconds())
	next.SetGeneration(cur.GetGeneration())
	if b, ok := next.(*v1alpha1.Build); ok && b.Spec.Number == 0 {
		// The number the server gave keeps: a manifest that says none
		// (re-applied as written) means "the one it has".
		b.Spec.Number = cur.(*v1alpha1.Build).Spec.Number
	}
	v1alpha1.Default(next)
	if ss, ok := next.(v1alpha1.SpecStatus); ok {
		ss.CopyStatusFrom(cur)
		if !equality.Semantic.DeepEqual(ss.SpecValue(), cur.(v1alpha1.SpecStatus).SpecValue()) {
			next.SetGeneration(cur.GetGeneration() + 1)
		}
	}
	errs := v1alpha1.ValidateUpdate(next, cur)
	if cur.GetDeletionTimestamp() != nil {
		added := sets.New(next.GetFinalizers()...).Difference(sets.New(cur.GetFinalizers()...))
		if added.Len() > 0 {
			errs = append(errs, field.Forbidden(field.NewPath("metadata", "finalizers"),
				fmt.Sprintf("no new finalizers can be added while the object is being deleted: %v", sets.List(added))))
		}
	}
	return next, errs, nil
}

func mergeStatus(k v1alpha1.Kind, cur, in v1alpha1.Object) (v1alpha1.Object, field.ErrorList, error) {
	next := cur.DeepCopyObject().(v1alpha1.SpecStatus)
	next.CopyStatusFrom(in)
	return next, v1alpha1.ValidateStatus(next), nil
}

// update writes merge's object over the stored one; subresource ("",
// status, or apply, which sets managedFields itself) says how the write's
// field manager is recorded.
func (s *Store) update(ctx context.Context, in v1alpha1.Object, subresource string, merge merger) (v1alpha1.Object, error) {
	k, err := v1alpha1.KindOf(in)
	if err != nil {
		return nil, &Error{Err: ErrInvalid, Msg: err.Error()}
	}
	ns, name := in.GetNamespace(), in.GetName()
	if k.Namespaced && ns == "" {
		ns = "default"
	}
	want, err := parseRV(k, in.GetResourceVersion())
	if err != nil {
		return nil, err
	}
	tr := &tracker{subresource: subresource}
	var beat []*mvccpb.KeyValue // what a failed write's transaction read back
	for attempt := 0; ; attempt++ {
		cur, curData, modRev, verified, err := s.current(ctx, k, ns, name, want, attempt, beat)
		if err != nil {
			return nil, err
		}
		if want != 0 && want != modRev {
			return nil, conflict(k, ns, name, "the object has been modified; please apply your changes to the latest version and try again")
		}
		if uid := in.GetUID(); uid != "" && uid != cur.GetUID() {
			return nil, conflict(k, ns, name, fmt.Sprintf("uid precondition failed: stored %s, request %s", cur.GetUID(), uid))
		}
		next, errs, err := merge(k, cur, in)
		if err != nil {
			return nil, err
		}
		if len(errs) > 0 {
			return nil, &InvalidError{Kind: k, Name: name, Errs: errs}
		}
		if subresource != "status" {
			if err := admit(ctx, cur, next); err != nil {
				return nil, err
			}
		}
		if subresource != "apply" {
			if next, err = tr.track(ctx, cur, next); err != nil {
				return nil, err
			}
		}
		out, ok, read, err := s.write(ctx, k, next, curData, modRev, verified)
		if err != nil || ok {
			return out, err
		}
		beat = read
		if want != 0 || attempt == maxRetries {
			return nil, conflict(k, ns, name, "the object has been modified; please apply your changes to the latest version and try again")
		}
	}
}

// write stores next over the revision modRev. ok is false when another
// writer got there first; beat is then what the write's transaction read
// of the key instead (empty: deleted; nil: not read). Identical bytes are
// not written; bytes past MaxObjectBytes are ErrTooLarge (for spec,
// status and scale writes alike); an object being deleted whose last
// finalizer is gone is removed. verified says curData was read from etcd
// (not a cached copy, which a no-op must first check is current).
func (s *Store) write(ctx context.Context, k v1alpha1.Kind, next v1alpha1.Object, curData []byte, modRev int64, verified bool) (out v1alpha1.Object, ok bool, beat []*mvccpb.KeyValue, err error) {
	key := s.key(k, next.GetNamespace(), next.GetName())
	if next.GetDeletionTimestamp() != nil && len(next.GetFinalizers()) == 0 {
		out, ok, err := s.deleteAt(ctx, k, key, modRev)
		if ok {
			out = next
		}
		return out, ok, nil, err
	}
	data, err := encode(next)
	if err != nil {
		return nil, false, nil, err
	}
	if bytes.Equal(data, curData) {
		if !verified {
			// A cached copy may be stale: "no change" holds only if etcd
			// still has it, which a compare-only transaction asks.
			resp, same, err := s.commitElse(ctx, []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(key), "=", modRev)},
				[]clientv3.Op{clientv3.OpGet(key)})
			if err != nil {
				return nil, false, nil, fmt.Errorf("checking %s %s/%s: %w", k.Kind, next.GetNamespace(), next.GetName(), err)
			}
			if !same {
				return nil, false, elseRead(resp), nil
			}
		}
		next.SetResourceVersion(fmt.Sprint(modRev))
		return next, true, nil, nil
	}
	if err := s.checkSize(k.Kind, next.GetNamespace(), next.GetName(), data); err != nil {
		return nil, false, nil, err
	}
	// WithIgnoreLease keeps an Event's lease: an update must not make it immortal.
	var opts []clientv3.OpOption
	if k.Kind == "Event" {
		opts = append(opts, clientv3.WithIgnoreLease())
	}
	resp, ok, err := s.commitElse(ctx, []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(key), "=", modRev)},
		[]clientv3.Op{clientv3.OpGet(key)}, clientv3.OpPut(key, string(data), opts...))
	if err != nil {
		err = etcdTooLarge(err, k.Kind, next.GetNamespace(), next.GetName(), data)
		return nil, false, nil, fmt.Errorf("updating %s %s/%s: %w", k.Kind, next.GetNamespace(), next.GetName(), err)
	}
	if !ok {
		return nil, false, elseRead(resp), nil
	}
	rv := resp.Header.Revision
	if IsDryRun(ctx) {
		rv = modRev // nothing was written: the stored version stands
	}
	next.SetResourceVersion(fmt.Sprint(rv))
	return next, true, nil, nil
}

// elseRead is the key a failed transaction's else branch read, as a
// non-nil slice (empty when the key is gone).
func elseRead(resp *clientv3.TxnResponse) []*mvccpb.KeyValue {
	if resp == nil || len(resp.Responses) != 1 {
		return nil
	}
	r := resp.Responses[0].GetResponseRange()
	if r == nil {
		return nil
	}
	return append([]*mvccpb.KeyValue{}, r.Kvs...)
}

// current is the stored object an update attempt builds on, its stored
// bytes and mod revision: on the first attempt the suggester's copy when
// it is the version asked for; after a lost race what that write's
// transaction read back; else a read of etcd. verified is false for the
// cached copy.
func (s *Store) current(ctx context.Context, k v1alpha1.Kind, ns, name string, want int64, attempt int, beat []*mvccpb.KeyValue) (cur v1alpha1.Object, data []byte, rev int64, verified bool, err error) {
	switch {
	case attempt == 0:
		if cur, data, rev, ok := s.suggested(k, ns, name, want); ok {
			return cur, data, rev, false, nil
		}
	case beat != nil:
		if len(beat) == 0 {
			return nil, nil, 0, false, notFound(k, ns, name)
		}
		cur, err := decode(k, beat[0].Value, beat[0].ModRevision)
		return cur, beat[0].Value, beat[0].ModRevision, true, err
	}
	cur, data, err = s.get(ctx, k, ns, name)
	if err != nil {
		return nil, nil, 0, false, err
	}
	rev, _ = parseRV(k, cur.GetResourceVersion())
	return cur, data, rev, true, nil
}
