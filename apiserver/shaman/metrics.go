package shaman

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests  *prometheus.CounterVec
	callbacks *prometheus.CounterVec
	latest    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_shaman_requests_total",
			Help: "Requests to the shaman-compatible endpoints, by endpoint and HTTP code."}, []string{"endpoint", "code"}),
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_shaman_callbacks_total",
			Help: "chacra callbacks, by their status and what became of them (applied, unchanged, discovered, ignored, invalid, error)."},
			[]string{"status", "result"}),
		latest: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "minka_shaman_latest_duration_seconds",
			Help: "Time to answer a latest query from the Repo index.", Buckets: prometheus.ExponentialBuckets(1e-6, 4, 12)}),
	}
	if reg == nil {
		return m, nil
	}
	// A second handler on one registry (a restarted server in a test)
	// shares the first one's collectors.
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.callbacks, err = register(reg, m.callbacks); err != nil {
		return nil, err
	}
	if m.latest, err = register(reg, m.latest); err != nil {
		return nil, err
	}
	return m, nil
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
