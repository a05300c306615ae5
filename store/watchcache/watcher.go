package watchcache

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
)

// Event is one watch event. Its Object is shared by every watcher.
type Event struct {
	Type   watch.EventType
	Object *Object
}

// Watcher is one client's watch of a kind in a namespace ("" = all),
// through selectors. Next reads it; Stop, or the end of the context given
// to Watch, ends it.
type Watcher struct {
	kc        *kindCache
	ns        string
	sel       store.ListOptions
	all       bool // no selector: every object of ns
	bookmarks bool

	initial []Event // the snapshot or history replay, sent before ch
	ch      chan Event

	ctx      context.Context
	cancel   context.CancelFunc
	stopOnce sync.Once
}

// Watch starts a watch of kind k in namespace ns ("" = all) with the
// store's options:
//   - resourceVersion "": every current object as ADDED, then the
//     changes; "current" is etcd's revision now, which the cache waits
//     to reach (kube-apiserver's consistent watch).
//   - "0": the same from whatever the cache holds, without waiting.
//   - N: the changes after N, from the history; 410 Gone when N is older
//     than it. The cache first waits to reach N.
//
// The watch ends when ctx does, on Stop, when its client falls behind
// (its queue stays full for DispatchTimeout), and when the cache relists.
func (c *Cache) Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts store.WatchOptions) (*Watcher, error) {
	rv, err := store.ParseResourceVersion(k, opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	kc := c.kind(k)
	if kc == nil {
		return nil, &NotReadyError{Resource: k.Plural, Err: fmt.Errorf("the watch cache is closed")}
	}
	if !k.Namespaced {
		ns = ""
	}
	if err := c.waitFresh(ctx, kc, opts.ResourceVersion, rv); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	w := &Watcher{kc: kc, ns: ns, sel: store.ListOptions{Labels: opts.Labels, Fields: opts.Fields},
		all:       (opts.Labels == nil || opts.Labels.Empty()) && (opts.Fields == nil || opts.Fields.Empty()),
		bookmarks: opts.Bookmarks, ch: make(chan Event, c.opts.Buffer), ctx: wctx, cancel: cancel}
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if !kc.ready {
		cancel()
		return nil, &NotReadyError{Resource: k.Plural, Err: kc.lastErr}
	}
	if rv == 0 {
		w.initial = kc.snapshot(w)
	} else {
		if rv < kc.hist.start {
			cancel()
			return nil, &store.Error{Err: store.ErrGone, Kind: k.Kind,
				Msg: fmt.Sprintf("too old resource version: %d (%d)", rv, kc.hist.start)}
		}
		for _, ch := range kc.hist.since(rv) {
			if ev, ok := w.translate(ch); ok {
				w.initial = append(w.initial, ev)
			}
		}
	}
	kc.watchers[w] = struct{}{}
	c.metrics.watchers.WithLabelValues(k.Plural).Inc()
	context.AfterFunc(wctx, w.Stop)
	return w, nil
}

// errSetupTimeout ends a watch's wait for the cache after FreshTimeout.
var errSetupTimeout = errors.New("the watch cache's wait timed out")

// waitFresh waits, for FreshTimeout at most, until kc has applied every
// change up to rv, or with no resourceVersion up to etcd's revision now.
func (c *Cache) waitFresh(ctx context.Context, kc *kindCache, given string, rv int64) error {
	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.FreshTimeout, errSetupTimeout)
	defer cancel()
	if given == "" {
		if err := kc.waitFresh(ctx, 0); err != nil { // ready first: a kind's first list may still run
			return err
		}
		var err error
		if rv, err = c.src.Revision(ctx); err != nil {
			return err
		}
	}
	return kc.waitFresh(ctx, rv)
}

// Next returns the next event, waiting for it; false when the watch is
// over. Only one goroutine may call it.
func (w *Watcher) Next() (Event, bool) {
	if len(w.initial) > 0 {
		ev := w.initial[0]
		w.initial[0] = Event{}
		w.initial = w.initial[1:]
		return ev, true
	}
	select {
	case ev, ok := <-w.ch:
		return ev, ok
	case <-w.ctx.Done():
		return Event{}, false
	}
}

// Context ends when the watch is stopped or its client fell behind, or
// when the context given to Watch does: a writer blocked on a client that
// does not read may give up then. (A watch ended by a relist only closes
// its queue: Next returns what was queued, then false.)
func (w *Watcher) Context() context.Context { return w.ctx }

// Stop ends the watch; it may be called more than once.
func (w *Watcher) Stop() {
	w.stopOnce.Do(func() {
		w.cancel()
		kc := w.kc
		kc.mu.Lock()
		defer kc.mu.Unlock()
		if _, ok := kc.watchers[w]; ok {
			// The queue stays open: only the cache's goroutine closes
			// queues, and it may be sending to this one.
			delete(kc.watchers, w)
			kc.c.metrics.watchers.WithLabelValues(kc.k.Plural).Dec()
		}
	})
}

// offer queues ev unless the queue is full.
func (w *Watcher) offer(ev Event) bool {
	select {
	case w.ch <- ev:
		return true
	default:
		return false
	}
}

// sees says whether o is in w's namespace and selectors.
func (w *Watcher) sees(o *Object) bool {
	if w.ns != "" && o.ns != w.ns {
		return false
	}
	return w.all || o.matches(w.sel)
}

// translate is ch as w sees it through its selectors: an object that
// starts matching is ADDED, one that stops matching is DELETED (with its
// new state), as kube-apiserver's cacher does.
func (w *Watcher) translate(ch *change) (Event, bool) {
	if ch.typ == watch.Deleted {
		return Event{Type: watch.Deleted, Object: ch.obj}, w.sees(ch.obj)
	}
	cur := w.sees(ch.obj)
	prev := ch.prev != nil && w.sees(ch.prev)
	switch {
	case cur && prev:
		return Event{Type: watch.Modified, Object: ch.obj}, true
	case cur:
		return Event{Type: watch.Added, Object: ch.obj}, true
	case prev:
		return Event{Type: watch.Deleted, Object: ch.obj}, true
	}
	return Event{}, false
}
