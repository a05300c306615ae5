package webhook

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	deliveries *prometheus.CounterVec
	duration   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_webhook_deliveries_total",
			Help: "Git webhook deliveries, by sender style and outcome (Built, Duplicate, Ignored, unauthorized, invalid, refused, too-large, error)."},
			[]string{"style", "outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "minka_webhook_request_duration_seconds",
			Help: "Time to answer a git webhook delivery (the Build stored, when one is made).", Buckets: prometheus.DefBuckets}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.deliveries, m.duration} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering webhook metrics: %w", err)
			}
		}
	}
	return m, nil
}

func (m *metrics) observe(style, outcome string, d time.Duration) {
	m.deliveries.WithLabelValues(style, outcome).Inc()
	m.duration.Observe(d.Seconds())
}
