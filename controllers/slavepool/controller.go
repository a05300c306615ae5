// Package slavepool is the SlavePool controller: Jenkins agents on
// OpenStack, what ceph's mita does, done declaratively. A pool's size
// comes from spec.replicas or, with autoscale, from the Jenkins queue;
// each agent is a Jenkins JNLP node and a Nova server of the same
// deterministic name; the truth is what Jenkins and Nova hold, read fresh
// on every pass, so a crash at any point is finished or undone by the
// next one.
package slavepool

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/reconcile"
	"minka/store"
)

// Name is the controller's name for --controllers.
const Name = "slavepool"

// Finalizer holds a SlavePool until its agents are gone.
const Finalizer = "minka.dev/agents"

// Options configure the controller.
type Options struct {
	Backends backend.Config
	// Poll is how often an autoscaled pool reads the Jenkins queue
	// (default 2s; mita polls every 30s).
	Poll     time.Duration
	Registry prometheus.Registerer
	Log      logr.Logger
	Now      func() time.Time
}

// jenkinsBackend shares one queue-and-nodes snapshot between the pools of
// a Jenkins for a moment, so N pools cost one read, not N.
type jenkinsBackend struct {
	name string
	api  Jenkins
	mu   sync.Mutex
	last *Snapshot
}

func (j *jenkinsBackend) snapshot(ctx context.Context, maxAge time.Duration, now time.Time) (*Snapshot, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.last != nil && now.Sub(j.last.Taken) <= maxAge {
		return j.last, nil
	}
	s, err := j.api.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	s.Taken = now
	j.last = s
	return s, nil
}

// forget drops the shared snapshot after this controller changed Jenkins.
func (j *jenkinsBackend) forget() { j.mu.Lock(); j.last = nil; j.mu.Unlock() }

// cloudBackend shares one server list between the pools of a cloud for a
// moment, as jenkinsBackend does the queue.
type cloudBackend struct {
	Cloud
	mu    sync.Mutex
	last  []Server
	taken time.Time
}

func (c *cloudBackend) servers(ctx context.Context, maxAge time.Duration, now time.Time) ([]Server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil && now.Sub(c.taken) <= maxAge {
		return c.last, nil
	}
	list, err := c.Servers(ctx, "")
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []Server{}
	}
	c.last, c.taken = list, now
	return list, nil
}

func (c *cloudBackend) forget() { c.mu.Lock(); c.last = nil; c.mu.Unlock() }

type reconciler struct {
	st      *store.Store
	kind    v1alpha1.Kind
	inf     *reconcile.Informer
	rec     *reconcile.Recorder
	log     logr.Logger
	jenkins map[string]*jenkinsBackend
	clouds  map[string]*cloudBackend
	metrics *metrics
	poll    time.Duration
	now     func() time.Time
}

// New builds the backend clients and metrics once per process and
// returns the SetupFunc run on every leadership term.
func New(opts Options) (reconcile.SetupFunc, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	jenkins := map[string]*jenkinsBackend{}
	for _, cfg := range opts.Backends.Jenkins {
		c, err := newJenkinsClient(cfg)
		if err != nil {
			return nil, err
		}
		jenkins[cfg.Name] = &jenkinsBackend{name: cfg.Name, api: c}
	}
	clouds := map[string]*cloudBackend{}
	for _, cfg := range opts.Backends.OpenStack {
		clouds[cfg.Name] = &cloudBackend{Cloud: &cloudClient{cfg: cfg}}
	}
	kind, err := v1alpha1.KindOf(&v1alpha1.SlavePool{})
	if err != nil {
		return nil, err
	}
	return func(t *reconcile.Term) error {
		r := &reconciler{st: t.Store, kind: kind, inf: t.Informer(kind), rec: t.Recorder(Name), log: t.Log.WithValues("controller", Name),
			jenkins: jenkins, clouds: clouds, metrics: m, poll: opts.Poll, now: opts.Now}
		ctl := t.NewController(Name, r, reconcile.BackendRateLimiter())
		r.inf.AddEventHandler(reconcile.EnqueueObject(ctl))
		return nil
	}, nil
}

type metrics struct {
	creates  *prometheus.CounterVec // by cloud
	removals *prometheus.CounterVec // by reason
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		creates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_slavepool_server_creates_total",
			Help: "Nova server create calls for pool agents."}, []string{"cloud"}),
		removals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_slavepool_agent_removals_total",
			Help: "Agents removed, by reason (scale-down, boot-timeout, server-error, half-made, pool-deleted)."}, []string{"reason"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.creates, m.removals} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering slavepool metrics: %w", err)
			}
		}
	}
	return m, nil
}
