package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
)

// Source is what an informer reads: the store's list and watch.
type Source interface {
	List(ctx context.Context, k v1alpha1.Kind, ns string, opts store.ListOptions) (v1alpha1.ObjectList, error)
	Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts store.WatchOptions) (<-chan store.WatchEvent, error)
}

// EventHandler receives cache changes. Update gets old == new on a resync.
// Handlers run on the informer's goroutine: they should only enqueue.
type EventHandler struct {
	Add    func(obj v1alpha1.Object)
	Update func(old, obj v1alpha1.Object)
	Delete func(obj v1alpha1.Object)
}

// Informer keeps an indexed cache of one kind in step with the store: it
// lists, then watches from the list's revision; a compacted revision
// (Gone) relists, a broken watch resumes from the last revision seen.
type Informer struct {
	src      Source
	kind     v1alpha1.Kind
	resync   time.Duration
	log      logr.Logger
	cache    *cache
	handlers []EventHandler

	synced   chan struct{}
	syncOnce sync.Once
}

// InformerOptions tune an Informer.
type InformerOptions struct {
	// Resync replays every cached object to the handlers this often (0 = never),
	// the fallback that heals anything a handler missed.
	Resync time.Duration
	Log    logr.Logger
}

// NewInformer builds an informer; add handlers before Start.
func NewInformer(src Source, k v1alpha1.Kind, opts InformerOptions) *Informer {
	return &Informer{src: src, kind: k, resync: opts.Resync, log: opts.Log.WithValues("informer", k.Plural),
		cache: newCache(), synced: make(chan struct{})}
}

// AddEventHandler registers h; call it before Start.
func (i *Informer) AddEventHandler(h EventHandler) { i.handlers = append(i.handlers, h) }

// HasSynced reports whether the first list is in the cache.
func (i *Informer) HasSynced() bool {
	select {
	case <-i.synced:
		return true
	default:
		return false
	}
}

// WaitForSync blocks until the first list is in the cache or ctx ends.
func (i *Informer) WaitForSync(ctx context.Context) bool {
	select {
	case <-i.synced:
		return true
	case <-ctx.Done():
		return false
	}
}

// Get returns the cached object; do not mutate it.
func (i *Informer) Get(ns, name string) (v1alpha1.Object, bool) { return i.cache.get(ns, name) }

// List returns cached objects of ns ("" = all) matching sel (nil = all).
func (i *Informer) List(ns string, sel labels.Selector) []v1alpha1.Object {
	return i.cache.list(ns, sel)
}

// ByOwner returns the cached objects with an ownerReference to uid.
func (i *Informer) ByOwner(uid types.UID) []v1alpha1.Object { return i.cache.byOwnerUID(uid) }

// Len is the number of cached objects.
func (i *Informer) Len() int { return i.cache.len() }

// retryDelay spaces attempts against a store that fails.
const retryDelay = time.Second

// Start fills the cache and keeps it current until ctx ends.
func (i *Informer) Start(ctx context.Context) error {
	var tick <-chan time.Time
	if i.resync > 0 {
		t := time.NewTicker(i.resync)
		defer t.Stop()
		tick = t.C
	}
	rv := ""
	for ctx.Err() == nil {
		if rv == "" {
			var err error
			if rv, err = i.relist(ctx); err != nil {
				i.log.Error(err, "list failed; retrying", "after", retryDelay)
				sleep(ctx, retryDelay)
				continue
			}
		}
		next, err := i.watch(ctx, rv, tick)
		switch {
		case errors.Is(err, store.ErrGone):
			i.log.Info("watch revision compacted; relisting", "resourceVersion", rv)
			rv = ""
		case err != nil && ctx.Err() == nil:
			i.log.Error(err, "watch failed; resuming", "resourceVersion", next, "after", retryDelay)
			rv = next
			sleep(ctx, retryDelay)
		default:
			rv = next
		}
	}
	return nil
}

// relist replaces the cache with a fresh list, telling handlers what was
// added, changed or deleted since the cache last knew.
func (i *Informer) relist(ctx context.Context) (string, error) {
	list, err := i.src.List(ctx, i.kind, "", store.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("listing %s: %w", i.kind.Plural, err)
	}
	seen := map[string]bool{}
	for _, o := range list.GetItems() {
		seen[keyOf(o)] = true
		i.apply(watch.Modified, o)
	}
	for _, o := range i.cache.all() {
		if !seen[keyOf(o)] {
			i.apply(watch.Deleted, o)
		}
	}
	i.syncOnce.Do(func() { close(i.synced) })
	return list.GetResourceVersion(), nil
}

// watch streams changes after rv into the cache; it returns the last
// revision seen and why it stopped.
func (i *Informer) watch(ctx context.Context, rv string, tick <-chan time.Time) (string, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := i.src.Watch(wctx, i.kind, "", store.WatchOptions{ResourceVersion: rv, Bookmarks: true})
	if err != nil {
		return rv, err
	}
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return rv, errors.New("watch closed")
			}
			if ev.Type == watch.Error {
				return rv, ev.Err
			}
			rv = ev.Object.GetResourceVersion()
			if ev.Type != watch.Bookmark {
				i.apply(ev.Type, ev.Object)
			}
		case <-tick:
			for _, o := range i.cache.all() {
				i.notifyUpdate(o, o)
			}
		case <-ctx.Done():
			return rv, nil
		}
	}
}

// apply puts a change into the cache and tells the handlers; a put of an
// object the cache holds at the same resourceVersion is not a change.
func (i *Informer) apply(t watch.EventType, o v1alpha1.Object) {
	if t == watch.Deleted {
		if old := i.cache.remove(o); old != nil {
			for _, h := range i.handlers {
				if h.Delete != nil {
					h.Delete(o)
				}
			}
		}
		return
	}
	old := i.cache.put(o)
	switch {
	case old == nil:
		for _, h := range i.handlers {
			if h.Add != nil {
				h.Add(o)
			}
		}
	case old.GetResourceVersion() != o.GetResourceVersion():
		i.notifyUpdate(old, o)
	}
}

func (i *Informer) notifyUpdate(old, o v1alpha1.Object) {
	for _, h := range i.handlers {
		if h.Update != nil {
			h.Update(old, o)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
