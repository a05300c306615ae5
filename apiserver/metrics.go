package apiserver

import (
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are named as kube-apiserver's, so its dashboards fit.
type metrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	inflightG    *prometheus.GaugeVec
	longrunningG *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiserver_request_total", Help: "API requests by verb, resource, subresource and HTTP code.",
		}, []string{"verb", "resource", "subresource", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "apiserver_request_duration_seconds", Help: "API request latency, watches excluded.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"verb", "resource", "subresource"}),
		inflightG: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_current_inflight_requests", Help: "Requests being served, by kind (readOnly or mutating).",
		}, []string{"request_kind"}),
		longrunningG: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_longrunning_requests", Help: "Open watch streams by resource.",
		}, []string{"verb", "resource"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inflightG, m.longrunningG} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering API metrics: %w", err)
		}
	}
	m.inflightG.WithLabelValues("readOnly")
	m.inflightG.WithLabelValues("mutating")
	return m, nil
}

func (m *metrics) observe(info *requestInfo, code int, d time.Duration) {
	verb, resource, sub := "unknown", "unknown", ""
	if info != nil {
		verb, resource, sub = info.Verb, info.Resource, info.Subresource
	}
	m.requests.WithLabelValues(verb, resource, sub, strconv.Itoa(code)).Inc()
	if verb != "watch" {
		m.duration.WithLabelValues(verb, resource, sub).Observe(d.Seconds())
	}
}

func (m *metrics) inflight(info *requestInfo) func() {
	kind := "mutating"
	if info.Verb == "get" || info.Verb == "list" || info.Verb == "watch" {
		kind = "readOnly"
	}
	g := m.inflightG.WithLabelValues(kind)
	g.Inc()
	return g.Dec
}

func (m *metrics) longrunning(info *requestInfo) func() {
	g := m.longrunningG.WithLabelValues(info.Verb, info.Resource)
	g.Inc()
	return g.Dec
}

// inflightMetrics are the in-flight limit's (inflight.go), kube-apiserver's
// apiserver_current_inflight_requests and apiserver_dropped_requests_total
// under minka's prefix: unlike apiserver_current_inflight_requests above,
// the gauge counts only the requests that hold a slot, watches excluded.
type inflightMetrics struct {
	current *prometheus.GaugeVec
	dropped *prometheus.CounterVec
}

func newInflightMetrics(reg prometheus.Registerer) (*inflightMetrics, error) {
	m := &inflightMetrics{
		current: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "minka_apiserver_current_inflight_requests",
			Help: "Requests being served under the in-flight limits, by kind (readOnly or mutating); watches excluded.",
		}, []string{"request_kind"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minka_apiserver_dropped_requests_total",
			Help: "Requests answered 429 because the in-flight limit of their kind (readOnly or mutating) or a watch limit (watch) was reached.",
		}, []string{"request_kind"}),
	}
	for _, c := range []prometheus.Collector{m.current, m.dropped} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering in-flight metrics: %w", err)
		}
	}
	for _, kind := range []string{readOnlyKind, mutatingKind} {
		m.current.WithLabelValues(kind)
		m.dropped.WithLabelValues(kind)
	}
	m.dropped.WithLabelValues(watchKind)
	return m, nil
}

func (m *inflightMetrics) serving(kind string) func() {
	g := m.current.WithLabelValues(kind)
	g.Inc()
	return g.Dec
}

func (m *inflightMetrics) drop(kind string) { m.dropped.WithLabelValues(kind).Inc() }
