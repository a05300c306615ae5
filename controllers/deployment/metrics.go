package deployment

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the controller's own, registered once per process (terms
// come and go with leadership; the counters stay).
type metrics struct {
	puts      *prometheus.CounterVec // by reason: create, update, drift
	rollbacks *prometheus.CounterVec // by backend
	orphans   *prometheus.GaugeVec   // by backend
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		puts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_deployment_marathon_puts_total",
			Help: "App PUTs sent to Marathon, by reason (create, update, drift)."}, []string{"marathon", "reason"}),
		rollbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_deployment_rollbacks_total",
			Help: "Rollouts rolled back (failed or past progressDeadlineSeconds)."}, []string{"marathon"}),
		orphans: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "minka_deployment_orphaned_apps",
			Help: "Marathon apps carrying minka's ownership labels whose Deployment no longer exists."}, []string{"marathon"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.puts, m.rollbacks, m.orphans} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
