// Package slavepool is the SlavePool controller: Jenkins agents on
// OpenStack, what ceph's mita does, done declaratively. A pool's size
// comes from spec.replicas or, with autoscale, from the Jenkins queue;
// each agent is a Jenkins JNLP node and a Nova server of the same
// deterministic name; the truth is what Jenkins and Nova hold, read fresh
// on every pass (a read shared by the pools of a backend for a moment, and
// forgotten after any write attempt), so a crash at any point, or a reply
// that never came, is finished or undone by the next one.
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

// Options configure the controller.
type Options struct {
	Backends backend.Config
	// Jenkins are the process's Jenkins clients by backend name, shared
	// with the other controllers that use them.
	Jenkins map[string]*jenkins.Client
	// BackendMetrics count every backend request (nil: not counted).
	BackendMetrics *transport.Metrics
	// Poll is how often an autoscaled pool reads the Jenkins queue
	// (default 2s; mita polls every 30s).
	Poll     time.Duration
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
	poll    time.Duration
	now     func() time.Time
}

// New builds the OpenStack clients and metrics once per process and
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
			jenkins: jk, clouds: clouds, metrics: m, poll: opts.Poll, now: opts.Now}
		ctl := t.NewController(Name, r, reconcile.BackendRateLimiter())
		r.inf.AddEventHandler(reconcile.EnqueueObject(ctl))
		return nil
	}, nil
}
