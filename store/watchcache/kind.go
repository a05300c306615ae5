package watchcache

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
)

// Object is a stored object as every watcher sees it: encoded once, never
// modified after. It keeps the encoding and what selectors read (labels,
// and the selectable fields beyond name and namespace, which only Events
// have), not a decoded copy: the controllers' informers hold one of every
// object already, and a second here was half of the cache's memory (see
// README "Measured", scale at rest). Object decodes on demand.
type Object struct {
	key    string // namespace/name
	ns     string
	newObj func() v1alpha1.Object
	labels labels.Set
	fields fields.Set // nil: metadata.name and metadata.namespace only
	json   []byte
}

func newObject(k v1alpha1.Kind, obj v1alpha1.Object) (*Object, error) {
	v1alpha1.SetTypeMeta(obj)
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s/%s: %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetNamespace(), obj.GetName(), err)
	}
	o := &Object{key: obj.GetNamespace() + "/" + obj.GetName(), ns: obj.GetNamespace(), newObj: k.New, labels: obj.GetLabels(), json: b}
	if f := store.FieldsOf(obj); len(f) > 2 {
		o.fields = f
	}
	return o, nil
}

// Object decodes the object, a copy of the caller's own: each call
// decodes anew, so read it once per event.
func (o *Object) Object() v1alpha1.Object {
	obj := o.newObj()
	if err := json.Unmarshal(o.json, obj); err != nil {
		// The cache encoded these bytes from this very type.
		panic(fmt.Sprintf("watch cache: decoding its own encoding of %s: %v", o.key, err))
	}
	return obj
}

// JSON is the object encoded as the API sends it, shared by every
// watcher: never modify it.
func (o *Object) JSON() []byte { return o.json }

// matches says whether o passes sel's label and field selectors.
func (o *Object) matches(sel store.ListOptions) bool {
	if sel.Labels != nil && !sel.Labels.Matches(o.labels) {
		return false
	}
	if sel.Fields == nil {
		return true
	}
	f := o.fields
	if f == nil {
		name := o.key[len(o.ns)+1:]
		f = fields.Set{"metadata.name": name, "metadata.namespace": o.ns}
	}
	return sel.Fields.Matches(f)
}

// change is one etcd change of a kind, as the cache applied it.
type change struct {
	typ  watch.EventType // Added, Modified or Deleted
	obj  *Object         // the new state; for Deleted the last state, at the deletion's revision
	prev *Object         // the state before, nil for Added
	rv   int64
}

// kindCache is one kind's objects, history and watchers, fed by one etcd
// watch (run).
type kindCache struct {
	c *Cache
	k v1alpha1.Kind

	mu       sync.Mutex
	ready    bool
	lastErr  error // why the cache is not ready, while it is not
	rv       int64 // every change up to rv is applied
	objects  map[string]*Object
	hist     history
	watchers map[*Watcher]struct{}
	// moved is closed and replaced when rv or readiness changes.
	moved chan struct{}
}

func newKindCache(c *Cache, k v1alpha1.Kind) *kindCache {
	return &kindCache{c: c, k: k, objects: map[string]*Object{}, watchers: map[*Watcher]struct{}{},
		hist: history{maxLen: c.opts.History, maxBytes: c.opts.HistoryBytes}, moved: make(chan struct{})}
}

// Backoff between failed lists or watches of the source.
const (
	minRetry = 100 * time.Millisecond
	maxRetry = 10 * time.Second
)

// run lists, then follows etcd from the list's revision; a watch that
// fails resumes from the last applied revision, and one whose revision
// was compacted relists. It ends every watcher when ctx ends.
func (kc *kindCache) run(ctx context.Context) {
	defer kc.endAll()
	retry := minRetry
	wait := func() bool {
		t := time.NewTimer(retry)
		defer t.Stop()
		retry = min(2*retry, maxRetry)
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for ctx.Err() == nil {
		if err := kc.list(ctx); err != nil {
			kc.failed(err)
			if !wait() {
				return
			}
			continue
		}
		retry = minRetry
		for ctx.Err() == nil {
			err := kc.follow(ctx)
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, store.ErrGone) {
				kc.c.opts.Log.Info("watch cache: revision compacted, relisting", "resource", kc.k.Plural, "error", err.Error())
				kc.unready(err)
				break
			}
			kc.c.opts.Log.V(1).Info("watch cache: watch ended, resuming", "resource", kc.k.Plural, "resourceVersion", kc.revision(), "error", fmt.Sprint(err))
			if !wait() {
				return
			}
		}
	}
}

// list replaces the cache's state with a fresh list. Watchers of the old
// state cannot be told what changed in between, so they are ended; they
// resume from their resourceVersion (410 if it is older than the new list)
// or relist.
func (kc *kindCache) list(ctx context.Context) error {
	list, err := kc.c.src.List(ctx, kc.k, "", store.ListOptions{})
	if err != nil {
		return err
	}
	rv, err := strconv.ParseInt(list.GetResourceVersion(), 10, 64)
	if err != nil {
		return fmt.Errorf("listing %s: resourceVersion %q: %w", kc.k.Plural, list.GetResourceVersion(), err)
	}
	objects := map[string]*Object{}
	for _, obj := range list.GetItems() {
		o, err := newObject(kc.k, obj)
		if err != nil {
			return err
		}
		objects[o.key] = o
	}
	kc.mu.Lock()
	defer kc.mu.Unlock()
	for w := range kc.watchers {
		kc.end(w, false)
	}
	kc.objects, kc.rv, kc.ready, kc.lastErr = objects, rv, true, nil
	kc.hist.reset(rv)
	kc.broadcast()
	kc.c.metrics.initializations.WithLabelValues(kc.k.Plural).Inc()
	return nil
}

// follow applies etcd's changes from kc.rv until the watch fails.
func (kc *kindCache) follow(ctx context.Context) error {
	ch, err := kc.c.src.Watch(ctx, kc.k, "", store.WatchOptions{ResourceVersion: strconv.FormatInt(kc.revision(), 10), Bookmarks: true})
	if err != nil {
		return err
	}
	for ev := range ch {
		switch ev.Type {
		case watch.Error:
			return ev.Err
		case watch.Bookmark:
			kc.progressed(ev.Object)
		default:
			if err := kc.apply(ev); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

func (kc *kindCache) revision() int64 {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	return kc.rv
}

// apply records one change and hands it to the watchers registered before
// it; later ones got it in their snapshot or history.
func (kc *kindCache) apply(ev store.WatchEvent) error {
	rv, err := strconv.ParseInt(ev.Object.GetResourceVersion(), 10, 64)
	if err != nil {
		return fmt.Errorf("watching %s: resourceVersion %q: %w", kc.k.Plural, ev.Object.GetResourceVersion(), err)
	}
	o, err := newObject(kc.k, ev.Object)
	if err != nil {
		return err
	}
	kc.mu.Lock()
	ch := change{obj: o, prev: kc.objects[o.key], rv: rv}
	switch {
	case ev.Type == watch.Deleted:
		ch.typ = watch.Deleted
		delete(kc.objects, o.key)
	case ch.prev != nil:
		ch.typ = watch.Modified
		kc.objects[o.key] = o
	default:
		ch.typ = watch.Added
		kc.objects[o.key] = o
	}
	kc.hist.add(&ch)
	kc.rv = max(kc.rv, rv)
	kc.broadcast()
	ws := kc.watcherList()
	kc.mu.Unlock()
	kc.c.metrics.events.WithLabelValues(kc.k.Plural).Inc()
	kc.dispatch(&ch, ws)
	return nil
}

// progressed moves rv to a bookmark's revision (etcd has sent every change
// up to it) and passes a bookmark to the watchers that asked for them.
func (kc *kindCache) progressed(obj v1alpha1.Object) {
	rv, err := strconv.ParseInt(obj.GetResourceVersion(), 10, 64)
	if err != nil {
		return
	}
	kc.mu.Lock()
	if rv > kc.rv {
		kc.rv = rv
		kc.broadcast()
	}
	ws := kc.watcherList()
	kc.mu.Unlock()
	bm, err := newObject(kc.k, obj)
	if err != nil {
		return
	}
	for _, w := range ws {
		if w.bookmarks {
			w.offer(Event{Type: watch.Bookmark, Object: bm}) // a bookmark is a hint: a full queue skips it
		}
	}
}

// dispatch hands ch to each watcher that sees it. A full queue gets what
// is left of DispatchTimeout, shared by every full queue of this change;
// a watcher still full then is ended.
func (kc *kindCache) dispatch(ch *change, ws []*Watcher) {
	var timer *time.Timer
	expired := false
	for _, w := range ws {
		ev, ok := w.translate(ch)
		if !ok || w.offer(ev) {
			continue
		}
		if !expired {
			if timer == nil {
				timer = time.NewTimer(kc.c.opts.DispatchTimeout)
				defer timer.Stop()
			}
			select {
			case w.ch <- ev:
				continue
			case <-w.ctx.Done():
				continue
			case <-timer.C:
				expired = true
			}
		}
		kc.mu.Lock()
		kc.end(w, true)
		kc.mu.Unlock()
	}
}

// watcherList is the registered watchers; kc.mu held.
func (kc *kindCache) watcherList() []*Watcher {
	ws := make([]*Watcher, 0, len(kc.watchers))
	for w := range kc.watchers {
		ws = append(ws, w)
	}
	return ws
}

// end unregisters w and closes its queue; kc.mu held, and only run's
// goroutine calls it, the one that sends to queues. A slow watcher is
// also cancelled, which unblocks a write to its client at once.
func (kc *kindCache) end(w *Watcher, slow bool) {
	if _, ok := kc.watchers[w]; !ok {
		return
	}
	delete(kc.watchers, w)
	close(w.ch)
	kc.c.metrics.watchers.WithLabelValues(kc.k.Plural).Dec()
	if slow {
		kc.c.metrics.terminated.WithLabelValues(kc.k.Plural).Inc()
		w.cancel()
	}
}

func (kc *kindCache) endAll() {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	for w := range kc.watchers {
		kc.end(w, false)
	}
	kc.ready = false
	kc.broadcast()
}

func (kc *kindCache) failed(err error) {
	kc.c.opts.Log.V(1).Info("watch cache: list failed", "resource", kc.k.Plural, "error", err.Error())
	kc.mu.Lock()
	defer kc.mu.Unlock()
	kc.lastErr = err
	kc.broadcast()
}

func (kc *kindCache) unready(err error) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	kc.ready, kc.lastErr = false, err
	kc.broadcast()
}

// broadcast wakes every waiter on rv or readiness; kc.mu held.
func (kc *kindCache) broadcast() {
	close(kc.moved)
	kc.moved = make(chan struct{})
}

// waitFresh waits until the cache is ready and has applied every change
// up to rv (0: any revision), asking etcd for progress meanwhile: the
// cache cannot otherwise know that a revision other kinds moved holds
// nothing of its own. A ctx ended by errSetupTimeout says why the cache
// is not there yet.
func (kc *kindCache) waitFresh(ctx context.Context, rv int64) error {
	tick := time.NewTicker(2 * progressEvery)
	defer tick.Stop()
	for {
		kc.mu.Lock()
		ready, cur, lastErr, moved := kc.ready, kc.rv, kc.lastErr, kc.moved
		kc.mu.Unlock()
		if ready && cur >= rv {
			return nil
		}
		if ready {
			kc.c.progress.request(ctx)
		}
		select {
		case <-moved:
		case <-tick.C:
		case <-ctx.Done():
			switch {
			case context.Cause(ctx) != errSetupTimeout:
				return fmt.Errorf("waiting for the watch cache of %s: %w", kc.k.Plural, ctx.Err())
			case !ready:
				return &NotReadyError{Resource: kc.k.Plural, Err: lastErr}
			}
			return &TooLargeResourceVersionError{ResourceVersion: rv, Current: cur}
		}
	}
}

// snapshot is every object w sees, by key, as ADDED; kc.mu held.
func (kc *kindCache) snapshot(w *Watcher) []Event {
	var evs []Event
	for _, o := range kc.objects {
		if w.sees(o) {
			evs = append(evs, Event{Type: watch.Added, Object: o})
		}
	}
	slices.SortFunc(evs, func(a, b Event) int { return cmp.Compare(a.Object.key, b.Object.key) })
	return evs
}
