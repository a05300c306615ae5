// Package slavepool is the SlavePool controller: Jenkins agents on
// OpenStack, what ceph's mita does, done declaratively. A pool's size
// comes from spec.replicas or, with autoscale, from the Jenkins queue;
// each agent is a Jenkins JNLP node and a Nova server of the same
// deterministic name; the truth is what Jenkins and Nova hold, read fresh
// on every pass (a read shared by the pools of a backend for a moment, and
// forgotten after any write attempt), so a crash at any point, or a reply
// that never came, is finished or undone by the next one. Jenkins has no
// event stream: one poller per Jenkins reads its queue and nodes for all
// its pools, often while builds wait or agents change and seldom at rest,
// and wakes the pools whose part of what it read changed.
package slavepool

import (
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/backend/jenkins"
	"minka/backend/transport"
	"minka/reconcile"
	"minka/store"
)

// Name is the controller's name for --controllers.
const Name = "slavepool"

// Finalizer holds a SlavePool until its agents are gone.
const Finalizer = "minka.dev/agents"

// DefaultPoll is Options.Poll's default: the period of the queue read of
// a Jenkins at rest, Poll/2 that of both reads while builds wait or
// agents change, 4×Poll that of the nodes at rest (so that a build of a
// few seconds shows as busy), 60×Poll a pool's resync at rest.
const DefaultPoll = 500 * time.Millisecond

// Options configure the controller.
type Options struct {
	Backends backend.Config
	// Jenkins are the process's Jenkins clients by backend name, shared
	// with the other controllers that use them.
	Jenkins map[string]*jenkins.Client
	// BackendMetrics count every backend request (nil: not counted).
	BackendMetrics *transport.Metrics
	// Poll is how often the queue of a Jenkins is read at rest (default
	// 500ms; mita polls every 30s): a build stuck at rest waits at most
	// this long to be seen. PollBusy is the period of both reads while
	// builds wait for a pool or agents change (default Poll/2); NodesPoll
	// that of the nodes at rest (default 4×Poll).
	Poll, PollBusy, NodesPoll time.Duration
	// Resync is how often a pool at rest is examined again for what only
	// Nova shows, and how old the server list it reads may be (default
	// 60×Poll): one list per Resync per cloud at rest.
	Resync   time.Duration
	Registry prometheus.Registerer
	Log      logr.Logger
	Now      func() time.Time
}

type reconciler struct {
	st      *store.Store
	kind    v1alpha1.Kind
	inf     *reconcile.Informer
	rec     *reconcile.Recorder
	log     logr.Logger
	jenkins map[string]Jenkins
	clouds  map[string]Cloud
	metrics *metrics
	pollers map[string]*poller // by Jenkins name
	poll    polling
	now     func() time.Time
}

// polling are the periods of Options, defaults filled in.
type polling struct{ queue, busy, nodes, resync time.Duration }

// New builds the OpenStack clients and metrics once per process and
// returns the SetupFunc run on every leadership term.
func New(opts Options) (reconcile.SetupFunc, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	pl := polling{queue: opts.Poll, busy: opts.PollBusy, nodes: opts.NodesPoll, resync: opts.Resync}
	if pl.busy <= 0 {
		pl.busy = opts.Poll / 2
	}
	if pl.nodes <= 0 {
		pl.nodes = 4 * opts.Poll
	}
	if pl.resync <= 0 {
		pl.resync = 60 * opts.Poll
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	clients, err := jenkins.Clients(opts.Backends.Jenkins, opts.Jenkins, opts.BackendMetrics)
	if err != nil {
		return nil, err
	}
	jk := map[string]Jenkins{}
	for name, c := range clients {
		jk[name] = c
	}
	clouds := map[string]Cloud{}
	for _, cfg := range opts.Backends.OpenStack {
		clouds[cfg.Name] = newCloudClient(cfg, opts.BackendMetrics)
	}
	kind, err := v1alpha1.KindOf(&v1alpha1.SlavePool{})
	if err != nil {
		return nil, fmt.Errorf("slavepool: %w", err)
	}
	return func(t *reconcile.Term) error {
		r := &reconciler{st: t.Store, kind: kind, inf: t.Informer(kind), rec: t.Recorder(Name), log: t.Log.WithValues("controller", Name),
			jenkins: jk, clouds: clouds, metrics: m, pollers: map[string]*poller{}, poll: pl, now: opts.Now}
		ctl := t.NewController(Name, r, reconcile.BackendRateLimiter())
		r.inf.AddEventHandler(reconcile.EnqueueObject(ctl))
		for _, j := range jk {
			p := &poller{r: r, jk: j, ctl: ctl}
			r.pollers[j.Name()] = p
			t.Go(p.run)
		}
		return nil
	}, nil
}
