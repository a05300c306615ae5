package chacra

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the node health metrics of every pool of a process.
type Metrics struct {
	healthy *prometheus.GaugeVec
	checks  *prometheus.CounterVec
}

// NewMetrics registers minka_chacra_node_healthy and
// minka_chacra_health_checks_total on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "minka_chacra_node_healthy",
			Help: "1 when the chacra node passed its last health check, by backend and node."}, []string{"backend", "node"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_chacra_health_checks_total",
			Help: "Health checks of chacra nodes, by backend, node and result (ok, failed)."}, []string{"backend", "node", "result"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.healthy, m.checks} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering chacra metrics: %w", err)
			}
		}
	}
	return m, nil
}

func (m *Metrics) observe(backend string, n *Node, ok bool) {
	if m == nil {
		return
	}
	v, result := 0.0, "failed"
	if ok {
		v, result = 1, "ok"
	}
	m.healthy.WithLabelValues(backend, n.Name).Set(v)
	m.checks.WithLabelValues(backend, n.Name, result).Inc()
}
