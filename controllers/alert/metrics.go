package alert

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	messages *prometheus.CounterVec
	duration *prometheus.HistogramVec
	failing  *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_notifications_total",
			Help: "Messages posted to receivers, by receiver and outcome (sent, rejected: refused for good, failed: to be tried again)."},
			[]string{"receiver", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "minka_notification_request_duration_seconds",
			Help: "How long a receiver took to answer a message.", Buckets: prometheus.DefBuckets}, []string{"receiver"}),
		failing: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "minka_notification_receiver_failing",
			Help: "1 while the receiver's last answer was a failure to be tried again, else 0."}, []string{"receiver"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.messages, m.duration, m.failing} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
