package watchcache

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are kube-apiserver's watch cache metrics under minka's prefix.
type metrics struct {
	watchers        *prometheus.GaugeVec
	terminated      *prometheus.CounterVec
	events          *prometheus.CounterVec
	initializations *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		watchers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "minka_apiserver_registered_watchers", Help: "Watches served from the watch cache, by resource.",
		}, []string{"resource"}),
		terminated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minka_apiserver_terminated_watchers_total",
			Help: "Watches ended because their client did not keep up (its queue stayed full), by resource.",
		}, []string{"resource"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minka_apiserver_watch_cache_events_received_total", Help: "Changes the watch cache received from etcd, by resource.",
		}, []string{"resource"}),
		initializations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minka_apiserver_watch_cache_initializations_total", Help: "Lists that (re)filled the watch cache, by resource.",
		}, []string{"resource"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.watchers, m.terminated, m.events, m.initializations} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering watch cache metrics: %w", err)
		}
	}
	return m, nil
}
