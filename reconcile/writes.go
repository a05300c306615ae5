package reconcile

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"

	"minka/api/v1alpha1"
)

// Writes remembers, per object, the resourceVersion of one controller's
// last write of it. Two things follow. The watch event that echoes such a
// write tells the controller nothing (the pass that wrote it had already
// chosen its next step), so EnqueueObjectExceptOwn drops it: without this
// every status write costs one more reconcile that finds nothing to do.
// And the informer's cache may stand in for the store in Begin as soon as
// it holds that write or a later one (BeginCached): the read from the
// store exists only so that a pass never acts on a cache that has not
// seen what the last pass wrote.
type Writes struct {
	mu sync.Mutex
	rv map[Request]int64
	// A watch event can arrive before the write it echoes has returned
	// its resourceVersion: updates seen while a write of the object is in
	// flight are held, and enqueued when the write's answer shows they
	// were not its echo.
	inFlight map[Request]int
	held     map[Request][]int64
	enqueue  func(Request)
}

// NewWrites returns an empty record.
func NewWrites() *Writes {
	return &Writes{rv: map[Request]int64{}, inFlight: map[Request]int{}, held: map[Request][]int64{}}
}

func reqOf(o v1alpha1.Object) Request { return Request{Namespace: o.GetNamespace(), Name: o.GetName()} }

func revision(o v1alpha1.Object) int64 {
	n, _ := strconv.ParseInt(o.GetResourceVersion(), 10, 64)
	return n
}

// gone marks an object this controller deleted: only the store is read
// for it, until the informer reports the delete or a new object.
const gone = math.MaxInt64

// write runs one write of the object req names and notes its outcome.
func (w *Writes) write(req Request, do func() (v1alpha1.Object, error)) (v1alpha1.Object, error) {
	w.mu.Lock()
	w.inFlight[req]++
	w.mu.Unlock()
	out, err := do()
	w.mu.Lock()
	var wrote int64
	switch {
	case err != nil:
	case out.GetDeletionTimestamp() != nil && len(out.GetFinalizers()) == 0:
		// The last finalizer went, so the object did: until the
		// informer sees it go, its cached copy is older than any read.
		wrote = gone
		w.rv[req] = gone
	default:
		if wrote = revision(out); wrote > w.rv[req] {
			w.rv[req] = wrote
		}
	}
	others := false
	for _, rv := range w.held[req] {
		others = others || rv != wrote
	}
	if w.inFlight[req]--; w.inFlight[req] == 0 {
		delete(w.inFlight, req)
		delete(w.held, req)
	}
	enqueue := w.enqueue
	w.mu.Unlock()
	if others && enqueue != nil {
		enqueue(req)
	}
	return out, err
}

// echo says whether an update to rv is w's own write (or may be, while
// one is in flight: then it is held until the write answers).
func (w *Writes) echo(req Request, rv int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if rv == w.rv[req] {
		return true
	}
	if w.inFlight[req] > 0 {
		w.held[req] = append(w.held[req], rv)
		return true
	}
	return false
}

func (w *Writes) last(r Request) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rv[r]
}

func (w *Writes) forget(o v1alpha1.Object) {
	w.mu.Lock()
	delete(w.rv, reqOf(o))
	w.mu.Unlock()
}

// Store wraps st so that its updates are noted.
func (w *Writes) Store(st ObjectStore) ObjectStore { return &notingStore{ObjectStore: st, w: w} }

type notingStore struct {
	ObjectStore
	w *Writes
}

func (s *notingStore) Update(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error) {
	return s.w.write(reqOf(obj), func() (v1alpha1.Object, error) { return s.ObjectStore.Update(ctx, obj) })
}

func (s *notingStore) UpdateStatus(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error) {
	return s.w.write(reqOf(obj), func() (v1alpha1.Object, error) { return s.ObjectStore.UpdateStatus(ctx, obj) })
}

// EnqueueObjectExceptOwn is EnqueueObject without the echoes of w's
// writes: an update to the very resourceVersion the controller wrote
// enqueues nothing. A resync (old and new alike) still enqueues, and so
// does any write of another client, which has a resourceVersion of its own.
func EnqueueObjectExceptOwn(c *Controller, w *Writes) EventHandler {
	h := EnqueueObject(c)
	w.mu.Lock()
	w.enqueue = c.Enqueue
	w.mu.Unlock()
	return EventHandler{
		Add: func(o v1alpha1.Object) {
			if w.last(reqOf(o)) == gone { // one of that name created anew
				w.forget(o)
			}
			h.Add(o)
		},
		Update: func(old, o v1alpha1.Object) {
			if old.GetResourceVersion() != o.GetResourceVersion() && w.echo(reqOf(o), revision(o)) {
				return
			}
			h.Update(old, o)
		},
		Delete: func(o v1alpha1.Object) {
			w.forget(o)
			h.Delete(o)
		},
	}
}

// BeginCached is Begin reading the object from inf's cache when the cache
// holds w's last write of it or a later version, and from the store
// otherwise (the cache lags behind that write, or lacks the object). A
// pass on a cached object that another client has changed since meets a
// conflict on its status write and is retried, as with any informer-fed
// controller; what it must never do, act on less than it wrote itself, the
// resourceVersion check rules out. st should be w.Store(...), so that the
// pass's own writes are noted.
func BeginCached[T v1alpha1.Object](ctx context.Context, st ObjectStore, inf *Informer, w *Writes, k v1alpha1.Kind, req Request) (*Pass[T], error) {
	obj, ok := inf.Get(req.Namespace, req.Name)
	if !ok || revision(obj) < w.last(req) {
		return Begin[T](ctx, st, k, req)
	}
	orig, ok := obj.(T)
	if !ok {
		return nil, fmt.Errorf("reconcile: %s is a %T, not the controller's kind", req, obj)
	}
	return &Pass[T]{st: st, Orig: orig, Obj: orig.DeepCopyObject().(T)}, nil
}
