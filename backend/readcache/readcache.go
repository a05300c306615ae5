// Package readcache shares one backend read between the callers that want
// it at about the same time — the pools of one Jenkins all reading its
// queue, say — and forgets it after any write attempt to that backend.
//
// Forgetting after an attempt, not after a success, is the point: a write
// whose reply was lost (a timeout, a reset connection) may well have been
// applied, so the next caller must read the backend afresh rather than act
// on a list that predates it. That is how a lost create reply would
// otherwise become a second server of the same name.
//
// Reads run without any lock held (golang.org/x/sync/singleflight joins
// concurrent callers), so one hung backend call never blocks callers of
// another key or a Forget.
package readcache

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache holds the last value of one read, for at most the maxAge its
// callers allow.
type Cache[T any] struct {
	read  func(ctx context.Context) (T, error)
	now   func() time.Time
	group singleflight.Group

	mu    sync.Mutex
	gen   uint64 // bumped by Forget: reads begun before it are not kept
	val   T
	taken time.Time
	ok    bool
}

// New returns a cache over read. now defaults to time.Now.
func New[T any](read func(ctx context.Context) (T, error), now func() time.Time) *Cache[T] {
	if now == nil {
		now = time.Now
	}
	return &Cache[T]{read: read, now: now}
}

// Get returns a value read at most maxAge ago, or reads it (joining a read
// already in flight that began after the last Forget). maxAge 0 always
// reads, though it still joins a concurrent read.
func (c *Cache[T]) Get(ctx context.Context, maxAge time.Duration) (T, time.Time, error) {
	c.mu.Lock()
	gen := c.gen
	if c.ok && maxAge > 0 && c.now().Sub(c.taken) <= maxAge {
		v, t := c.val, c.taken
		c.mu.Unlock()
		return v, t, nil
	}
	c.mu.Unlock()
	type result struct {
		v T
		t time.Time
	}
	ch := c.group.DoChan(strconv.FormatUint(gen, 10), func() (any, error) {
		// The read outlives a caller that gives up, so that the others
		// joined to it still get an answer; its own deadline comes from
		// the backend's transport.
		rctx := context.WithoutCancel(ctx)
		v, err := c.read(rctx)
		if err != nil {
			return nil, err
		}
		t := c.now()
		c.mu.Lock()
		if c.gen == gen {
			c.val, c.taken, c.ok = v, t, true
		}
		c.mu.Unlock()
		return result{v, t}, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			var zero T
			return zero, time.Time{}, r.Err
		}
		res := r.Val.(result)
		return res.v, res.t, nil
	case <-ctx.Done():
		var zero T
		return zero, time.Time{}, ctx.Err()
	}
}

// Forget drops the cached value and detaches reads in flight: call it
// before (and after) every write attempt, whatever its outcome.
func (c *Cache[T]) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.ok = false
	var zero T
	c.val = zero
}
