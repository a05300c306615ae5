package slavepool

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	creates  *prometheus.CounterVec // by cloud
	removals *prometheus.CounterVec // by reason
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		creates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_slavepool_server_creates_total",
			Help: "Nova server create calls for pool agents."}, []string{"cloud"}),
		removals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_slavepool_agent_removals_total",
			Help: "Agents removed, by reason (scale-down, boot-timeout, server-error, half-made, duplicate, pool-deleted)."}, []string{"reason"}),
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
