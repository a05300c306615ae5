// Package watchcache serves watches from memory: one etcd watch per kind
// feeds one decoded copy of every object and a bounded history of recent
// changes, and every client watch reads from that, as kube-apiserver's
// cacher does. A watch costs its client's socket and a bounded queue of
// shared, already encoded events, not a list of its own; a watcher that
// lets its queue fill is ended, and resumes (or relists) like any client
// whose watch closed.
package watchcache

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/v1alpha1"
	"minka/store"
)

// Source is what the cache reads: the store.
type Source interface {
	List(ctx context.Context, k v1alpha1.Kind, ns string, opts store.ListOptions) (v1alpha1.ObjectList, error)
	Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts store.WatchOptions) (<-chan store.WatchEvent, error)
	Revision(ctx context.Context) (int64, error)
	RequestProgress(ctx context.Context) error
}

// Defaults of Options.
const (
	DefaultHistory          = 1000
	DefaultHistoryBytes     = 32 << 20
	DefaultBuffer           = 100
	DefaultDispatchTimeout  = 100 * time.Millisecond
	DefaultFreshTimeout     = 3 * time.Second
	DefaultProgressInterval = time.Minute
)

// Options tune a Cache; zero values take the defaults.
type Options struct {
	// History is how many recent changes of a kind are kept, so that a
	// watch from a resourceVersion can be served (DefaultHistory), within
	// HistoryBytes of encoded objects (DefaultHistoryBytes). A watch from
	// before the oldest kept change gets 410 Gone and relists.
	History      int
	HistoryBytes int64
	// Buffer is each watcher's queue, in events (DefaultBuffer).
	Buffer int
	// DispatchTimeout is how long one change may wait, in all, for the
	// watchers whose queue is full; those still full then are ended
	// (DefaultDispatchTimeout). One stuck client never holds up the rest
	// longer than this per change.
	DispatchTimeout time.Duration
	// FreshTimeout bounds a new watch's wait for the cache to reach its
	// resourceVersion (or, with none, etcd's current revision), and for a
	// kind's first list (DefaultFreshTimeout, kube-apiserver's 3 s).
	FreshTimeout time.Duration
	// ProgressInterval is how often the cache asks etcd how far its
	// watches are, so that bookmarks move on a quiet kind
	// (DefaultProgressInterval).
	ProgressInterval time.Duration
	// Registry receives the cache's metrics (none if nil).
	Registry prometheus.Registerer
	Log      logr.Logger
}

func (o *Options) defaults() {
	if o.History <= 0 {
		o.History = DefaultHistory
	}
	if o.HistoryBytes <= 0 {
		o.HistoryBytes = DefaultHistoryBytes
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.DispatchTimeout <= 0 {
		o.DispatchTimeout = DefaultDispatchTimeout
	}
	if o.FreshTimeout <= 0 {
		o.FreshTimeout = DefaultFreshTimeout
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = DefaultProgressInterval
	}
}

// Cache holds one kindCache per kind, each started by the first watch of
// its kind (or by Start) and stopped by Close.
type Cache struct {
	src     Source
	opts    Options
	metrics *metrics

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	kinds  map[string]*kindCache
	closed bool

	progress progressRequester
}

// New returns a Cache over src. Close stops it.
func New(src Source, opts Options) (*Cache, error) {
	opts.defaults()
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cache{src: src, opts: opts, metrics: m, ctx: ctx, cancel: cancel, kinds: map[string]*kindCache{}}
	c.progress = progressRequester{src: src, log: opts.Log}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.askProgress(ctx)
	}()
	return c, nil
}

// Start starts the caches of kinds now rather than at their first watch,
// so that a client that lists and then watches from the list's
// resourceVersion finds that revision in the history.
func (c *Cache) Start(kinds ...v1alpha1.Kind) {
	for _, k := range kinds {
		c.kind(k)
	}
}

// WaitReady waits until every started kind has its first list, or ctx
// ends.
func (c *Cache) WaitReady(ctx context.Context) error {
	c.mu.Lock()
	kinds := make([]*kindCache, 0, len(c.kinds))
	for _, kc := range c.kinds {
		kinds = append(kinds, kc)
	}
	c.mu.Unlock()
	for _, kc := range kinds {
		if err := kc.waitFresh(ctx, 0); err != nil {
			return err
		}
	}
	return nil
}

// Close stops every kind's etcd watch and ends every watcher.
func (c *Cache) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
}

// kind returns k's cache, starting it if need be; nil once closed.
func (c *Cache) kind(k v1alpha1.Kind) *kindCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	kc, ok := c.kinds[k.Plural]
	if !ok {
		kc = newKindCache(c, k)
		c.kinds[k.Plural] = kc
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			kc.run(c.ctx)
		}()
	}
	return kc
}

// askProgress asks etcd for progress every ProgressInterval, so that
// watchers that asked for bookmarks get one on a quiet kind.
func (c *Cache) askProgress(ctx context.Context) {
	t := time.NewTicker(c.opts.ProgressInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.progress.request(ctx)
		}
	}
}

// progressRequester sends etcd at most one progress request per
// progressEvery: all kinds' watches share one etcd stream, and one request
// answers all of them, however many watches wait.
type progressRequester struct {
	src  Source
	log  logr.Logger
	mu   sync.Mutex
	last time.Time
}

const progressEvery = 50 * time.Millisecond

func (p *progressRequester) request(ctx context.Context) {
	p.mu.Lock()
	if time.Since(p.last) < progressEvery {
		p.mu.Unlock()
		return
	}
	p.last = time.Now()
	p.mu.Unlock()
	if err := p.src.RequestProgress(ctx); err != nil && ctx.Err() == nil {
		p.log.V(1).Info("watch cache: asking etcd for progress failed", "error", err.Error())
	}
}

// NotReadyError: a kind's cache has not (re)listed yet. The API answers
// 503 with Retry-After.
type NotReadyError struct {
	Resource string
	Err      error // the last list or watch failure, if any
}

func (e *NotReadyError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("the watch cache of %s is not ready yet", e.Resource)
	}
	return fmt.Sprintf("the watch cache of %s is not ready: %v", e.Resource, e.Err)
}

func (e *NotReadyError) Unwrap() error { return e.Err }

// TooLargeResourceVersionError: the cache did not reach the watch's
// resourceVersion within FreshTimeout (kube-apiserver's "Too large
// resource version"; the API answers 504 with Retry-After).
type TooLargeResourceVersionError struct {
	ResourceVersion, Current int64
}

func (e *TooLargeResourceVersionError) Error() string {
	return fmt.Sprintf("Too large resource version: %d, current: %d", e.ResourceVersion, e.Current)
}
