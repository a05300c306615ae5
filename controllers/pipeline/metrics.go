package pipeline

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	triggers *prometheus.CounterVec
	finished *prometheus.CounterVec
	// latency is a Build's creation to its Jenkins trigger being sent:
	// what a push waits for before Jenkins hears of it.
	latency prometheus.Histogram
	gc      prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		triggers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_build_triggers_total",
			Help: "Jenkins triggers of Builds, by outcome: sent, adopted (found in Jenkins by MINKA_BUILD instead of sent again), failed."},
			[]string{"jenkins", "outcome"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_builds_finished_total",
			Help: "Builds that reached a final phase, by phase and reason."}, []string{"phase", "reason"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "minka_build_trigger_latency_seconds",
			Help:    "From a Build's creation to its Jenkins trigger being sent.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}),
		gc: prometheus.NewCounter(prometheus.CounterOpts{Name: "minka_builds_collected_total",
			Help: "Finished Builds deleted past their Pipeline's historyLimit."}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.triggers, m.finished, m.latency, m.gc} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering pipeline metrics: %w", err)
			}
		}
	}
	return m, nil
}
