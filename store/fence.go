package store

import (
	"context"
	"errors"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// ErrFenced: the write was refused because the fence key is no longer held
// at the fence's create revision (leadership was lost).
var ErrFenced = errors.New("fenced: leadership lost")

// Fence conditions writes on a leader key still existing with the create
// revision it had when leadership was won, as etcd's election Proclaim and
// Resign do. A deposed leader's in-flight writes then fail instead of
// racing the new leader's.
type Fence struct {
	Key            string
	CreateRevision int64
}

// WithFence returns a view of the store whose every write carries the fence.
// Reads are unaffected.
func (s *Store) WithFence(f Fence) *Store {
	c := *s
	c.fence = &f
	return &c
}

// commit runs a write transaction: the compares, plus the fence if any.
// When it fails because of the fence, the error is ErrFenced; otherwise a
// failed compare is reported as ok=false for the caller to interpret.
func (s *Store) commit(ctx context.Context, cmps []clientv3.Cmp, ops ...clientv3.Op) (*clientv3.TxnResponse, bool, error) {
	return s.commitElse(ctx, cmps, nil, ops...)
}

// commitElse is commit running els when a compare fails: a read of what
// beat the write, so that its retry needs no read of its own.
func (s *Store) commitElse(ctx context.Context, cmps []clientv3.Cmp, els []clientv3.Op, ops ...clientv3.Op) (*clientv3.TxnResponse, bool, error) {
	if s.fence != nil {
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(s.fence.Key), "=", s.fence.CreateRevision))
	}
	if IsDryRun(ctx) {
		ops = nil // the compares alone: a read-only transaction
	}
	resp, err := s.cli.Txn(ctx).If(cmps...).Then(ops...).Else(els...).Commit()
	if err != nil {
		return nil, false, err
	}
	if resp.Succeeded || s.fence == nil {
		return resp, resp.Succeeded, nil
	}
	held, err := s.cli.Get(ctx, s.fence.Key)
	if err != nil {
		return nil, false, fmt.Errorf("checking fence %s: %w", s.fence.Key, err)
	}
	if len(held.Kvs) == 0 || held.Kvs[0].CreateRevision != s.fence.CreateRevision {
		return nil, false, &Error{Err: ErrFenced, Msg: fmt.Sprintf("leader key %s is no longer held at create revision %d", s.fence.Key, s.fence.CreateRevision)}
	}
	return resp, false, nil
}
