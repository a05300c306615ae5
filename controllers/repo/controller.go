// Package repo is the Repo controller: package repositories of one
// project at one sha1 built on a chacra node, what ceph's shaman
// coordinates, done declaratively. A Repo is placed once on the least
// recently used healthy node (or the one spec.node pins) and kept there;
// every pass reads each distro's repo JSON and binaries from the node
// and derives the state from chacra's flags, so that a crash at any
// point is finished by the next pass and a build chacra will start on
// its own is never requested twice. chacra never reports a failed build:
// one that stays queued or building past spec.buildTimeout is declared
// stalled and recreated, with backoff, up to spec.maxRetries.
package repo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/backend/chacra"
	"minka/backend/transport"
	"minka/reconcile"
	"minka/store"
)

// Name is the controller's name for --controllers.
const Name = "repo"

// Finalizer holds a Repo with deletePolicy Delete until its binaries and
// repositories are gone from the node.
const Finalizer = "minka.dev/chacra-data"

// Options configure the controller.
type Options struct {
	Backends backend.Config
	// Pools are the chacra pools by backend name, shared with the shaman
	// endpoints; a backend missing here gets its own, health-checked
	// for the term.
	Pools          map[string]*chacra.Pool
	BackendMetrics *transport.Metrics
	// Poll is how often a Repo that is not Ready is read from chacra,
	// the fallback to callbacks (default 15s).
	Poll time.Duration
	// ReadyPoll is how often a Ready Repo is checked for changed
	// binaries (default 5m).
	ReadyPoll time.Duration
	// RetryBackoff is the wait before the first recreate of a stalled
	// build, doubling per retry up to 10 times itself (default 1m).
	RetryBackoff time.Duration
	Registry     prometheus.Registerer
	Log          logr.Logger
	Now          func() time.Time
}

type reconciler struct {
	st      *store.Store
	kind    v1alpha1.Kind
	rec     *reconcile.Recorder
	log     logr.Logger
	pools   map[string]*chacra.Pool
	metrics *metrics
	poll    time.Duration
	ready   time.Duration
	backoff time.Duration
	now     func() time.Time
	// place serializes placement: two Repos placed at once must not
	// both get the node that was least recently used before either.
	placing sync.Mutex
}

// New builds the pools the caller did not pass and the metrics once per
// process, and returns the SetupFunc run on every leadership term.
func New(opts Options) (reconcile.SetupFunc, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.Poll, 15*time.Second)
	def(&opts.ReadyPoll, 5*time.Minute)
	def(&opts.RetryBackoff, time.Minute)
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	pools := map[string]*chacra.Pool{}
	var own []*chacra.Pool
	for _, cfg := range opts.Backends.Chacra {
		p := opts.Pools[cfg.Name]
		if p == nil {
			if p, err = chacra.NewPool(cfg, chacra.Options{BackendMetrics: opts.BackendMetrics, Log: opts.Log}); err != nil {
				return nil, fmt.Errorf("repo: %w", err)
			}
			own = append(own, p)
		}
		pools[cfg.Name] = p
	}
	kind, err := v1alpha1.KindOf(&v1alpha1.Repo{})
	if err != nil {
		return nil, fmt.Errorf("repo: %w", err)
	}
	return func(t *reconcile.Term) error {
		r := &reconciler{st: t.Store, kind: kind, rec: t.Recorder(Name), log: t.Log.WithValues("controller", Name),
			pools: pools, metrics: m, poll: opts.Poll, ready: opts.ReadyPoll, backoff: opts.RetryBackoff, now: opts.Now}
		for _, p := range own {
			t.Go(p.Run)
		}
		ctl := t.NewController(Name, r, reconcile.BackendRateLimiter())
		inf := t.Informer(kind)
		inf.AddEventHandler(reconcile.EnqueueObject(ctl))
		inf.AddEventHandler(reconcile.EventHandler{Add: m.observe, Update: func(_, o v1alpha1.Object) { m.observe(o) }, Delete: m.forget})
		// A node whose health flips gets its Repos looked at now, not
		// after their backoff: one that recovers is used again at once.
		for backend, p := range pools {
			t.Go(func(ctx context.Context) {
				cancel := p.Subscribe(func(n chacra.Node) {
					for _, o := range inf.List("", nil) {
						if rp := o.(*v1alpha1.Repo); rp.Spec.Chacra == backend && rp.Status.Node == n.Name {
							ctl.Enqueue(reconcile.Request{Namespace: rp.Namespace, Name: rp.Name})
						}
					}
				})
				defer cancel()
				<-ctx.Done()
			})
		}
		return nil
	}, nil
}
