package store

import (
	"context"
	"fmt"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/api/v1alpha1"
)

// listPage bounds one etcd range read, so a large list never holds the
// whole keyspace in one response.
const listPage = 1000

// Get returns one object.
func (s *Store) Get(ctx context.Context, k v1alpha1.Kind, ns, name string) (v1alpha1.Object, error) {
	obj, _, err := s.get(ctx, k, ns, name)
	return obj, err
}

// get also returns the stored bytes, for the unchanged-write check.
func (s *Store) get(ctx context.Context, k v1alpha1.Kind, ns, name string) (v1alpha1.Object, []byte, error) {
	resp, err := s.cli.Get(ctx, s.key(k, ns, name))
	if err != nil {
		return nil, nil, fmt.Errorf("getting %s %s/%s: %w", k.Kind, ns, name, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, nil, notFound(k, ns, name)
	}
	kv := resp.Kvs[0]
	obj, err := decode(k, kv.Value, kv.ModRevision)
	return obj, kv.Value, err
}

// List returns the objects of a kind in one namespace ("" = all) that
// match opts, read at one etcd revision, which the list carries as its
// resourceVersion (the point to start a watch from).
func (s *Store) List(ctx context.Context, k v1alpha1.Kind, ns string, opts ListOptions) (v1alpha1.ObjectList, error) {
	prefix := s.nsPrefix(k, ns)
	end := clientv3.GetPrefixRangeEnd(prefix)
	var (
		items []v1alpha1.Object
		rev   int64
		from  = prefix
	)
	for {
		ops := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(listPage)}
		if rev > 0 {
			ops = append(ops, clientv3.WithRev(rev))
		}
		resp, err := s.cli.Get(ctx, from, ops...)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", k.Plural, err)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			obj, err := decode(k, kv.Value, kv.ModRevision)
			if err != nil {
				return nil, err
			}
			if opts.matches(obj) {
				items = append(items, obj)
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	list := k.NewList()
	list.SetItems(items)
	list.SetResourceVersion(strconv.FormatInt(rev, 10))
	list.GetObjectKind().SetGroupVersionKind(v1alpha1.SchemeGroupVersion.WithKind(k.ListKind))
	return list, nil
}
