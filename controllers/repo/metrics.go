package repo

import (
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"minka/api/v1alpha1"
)

type metrics struct {
	started *prometheus.CounterVec // by backend, node, call
	stalled *prometheus.CounterVec // by backend, node
	retries *prometheus.CounterVec // by backend, node
	distros *prometheus.GaugeVec   // by state

	mu sync.Mutex
	// states is what each Repo adds to the distros gauge, so that an
	// informer's relist replaces a Repo's share instead of adding to it.
	states map[string]map[string]int
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		started: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_repo_builds_started_total",
			Help: "Builds minka asked chacra for, by backend, node and call (update, recreate)."}, []string{"backend", "node", "call"}),
		stalled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_repo_builds_stalled_total",
			Help: "Builds declared stalled (queued or building past spec.buildTimeout), by backend and node."}, []string{"backend", "node"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_repo_build_retries_total",
			Help: "Recreates of stalled builds, by backend and node."}, []string{"backend", "node"}),
		distros: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "minka_repo_distros",
			Help: "Distros of all Repos, by state."}, []string{"state"}),
		states: map[string]map[string]int{},
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.started, m.stalled, m.retries, m.distros} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering repo metrics: %w", err)
			}
		}
	}
	return m, nil
}

// observe sets a Repo's share of the distros gauge.
func (m *metrics) observe(o v1alpha1.Object) {
	r, ok := o.(*v1alpha1.Repo)
	if !ok {
		return
	}
	now := map[string]int{}
	for _, d := range r.Status.Distros {
		now[d.State]++
	}
	m.replace(r.Namespace+"/"+r.Name, now)
}

// forget removes a deleted Repo's share.
func (m *metrics) forget(o v1alpha1.Object) { m.replace(o.GetNamespace()+"/"+o.GetName(), nil) }

func (m *metrics) replace(key string, now map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s, n := range m.states[key] {
		m.distros.WithLabelValues(s).Sub(float64(n))
	}
	for s, n := range now {
		m.distros.WithLabelValues(s).Add(float64(n))
	}
	if now == nil {
		delete(m.states, key)
	} else {
		m.states[key] = now
	}
}
