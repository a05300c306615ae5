package reconcile

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/util/workqueue"
)

// Metrics are named and labelled as controller-runtime's
// (pkg/internal/controller/metrics, pkg/metrics/workqueue.go,
// pkg/metrics/leaderelection.go), so existing dashboards fit.
type Metrics struct {
	reconcileTotal  *prometheus.CounterVec
	reconcileErrors *prometheus.CounterVec
	terminalErrors  *prometheus.CounterVec
	panics          *prometheus.CounterVec
	reconcileTime   *prometheus.HistogramVec
	workers         *prometheus.GaugeVec
	activeWorkers   *prometheus.GaugeVec
	leader          *prometheus.GaugeVec

	depth, longest, unfinished *prometheus.GaugeVec
	adds, retries              *prometheus.CounterVec
	latency, workDuration      *prometheus.HistogramVec
}

// NewMetrics registers the controller metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	ctl := []string{"controller"}
	wq := []string{"name", "controller"}
	buckets := prometheus.ExponentialBuckets(10e-9, 10, 12)
	m := &Metrics{
		reconcileTotal:  counter("controller_runtime_reconcile_total", "Total number of reconciliations per controller.", "controller", "result"),
		reconcileErrors: counter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller.", ctl...),
		terminalErrors:  counter("controller_runtime_terminal_reconcile_errors_total", "Total number of terminal reconciliation errors per controller.", ctl...),
		panics:          counter("controller_runtime_reconcile_panics_total", "Total number of reconciliation panics per controller.", ctl...),
		reconcileTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "controller_runtime_reconcile_time_seconds",
			Help:    "Length of time per reconciliation per controller.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60}}, ctl),
		workers:       gauge("controller_runtime_max_concurrent_reconciles", "Maximum number of concurrent reconciles per controller.", ctl...),
		activeWorkers: gauge("controller_runtime_active_workers", "Number of currently used workers per controller.", ctl...),
		leader:        gauge("leader_election_master_status", "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.", "name"),
		depth:         gauge("workqueue_depth", "Current depth of workqueue.", wq...),
		adds:          counter("workqueue_adds_total", "Total number of adds handled by workqueue.", wq...),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "workqueue_queue_duration_seconds",
			Help: "How long in seconds an item stays in workqueue before being requested.", Buckets: buckets}, wq),
		workDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "workqueue_work_duration_seconds",
			Help: "How long in seconds processing an item from workqueue takes.", Buckets: buckets}, wq),
		unfinished: gauge("workqueue_unfinished_work_seconds", "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.", wq...),
		longest:    gauge("workqueue_longest_running_processor_seconds", "How many seconds has the longest running processor for workqueue been running.", wq...),
		retries:    counter("workqueue_retries_total", "Total number of retries handled by workqueue.", wq...),
	}
	for _, c := range []prometheus.Collector{m.reconcileTotal, m.reconcileErrors, m.terminalErrors, m.panics, m.reconcileTime,
		m.workers, m.activeWorkers, m.leader, m.depth, m.adds, m.latency, m.workDuration, m.unfinished, m.longest, m.retries} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering controller metrics: %w", err)
		}
	}
	return m, nil
}

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
}

// initController sets every series of a controller to zero, so that rates
// and alerts work before the first event (controller-runtime's initMetrics).
func (m *Metrics) initController(name string, workers int) {
	for _, r := range []string{"success", "error", "requeue_after"} {
		m.reconcileTotal.WithLabelValues(name, r)
	}
	m.reconcileErrors.WithLabelValues(name)
	m.terminalErrors.WithLabelValues(name)
	m.panics.WithLabelValues(name)
	m.workers.WithLabelValues(name).Set(float64(workers))
	m.activeWorkers.WithLabelValues(name).Set(0)
}

// SetLeader records whether this process leads the named lease.
func (m *Metrics) SetLeader(name string, leading bool) {
	v := 0.0
	if leading {
		v = 1
	}
	m.leader.WithLabelValues(name).Set(v)
}

// queueMetrics adapts Metrics to client-go's workqueue.MetricsProvider.
type queueMetrics struct {
	m          *Metrics
	controller string
}

func (q queueMetrics) NewDepthMetric(name string) workqueue.GaugeMetric {
	return q.m.depth.WithLabelValues(name, q.controller)
}
func (q queueMetrics) NewAddsMetric(name string) workqueue.CounterMetric {
	return q.m.adds.WithLabelValues(name, q.controller)
}
func (q queueMetrics) NewLatencyMetric(name string) workqueue.HistogramMetric {
	return q.m.latency.WithLabelValues(name, q.controller)
}
func (q queueMetrics) NewWorkDurationMetric(name string) workqueue.HistogramMetric {
	return q.m.workDuration.WithLabelValues(name, q.controller)
}
func (q queueMetrics) NewUnfinishedWorkSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return q.m.unfinished.WithLabelValues(name, q.controller)
}
func (q queueMetrics) NewLongestRunningProcessorSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return q.m.longest.WithLabelValues(name, q.controller)
}
func (q queueMetrics) NewRetriesMetric(name string) workqueue.CounterMetric {
	return q.m.retries.WithLabelValues(name, q.controller)
}
