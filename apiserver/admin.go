package apiserver

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minka/api/admin"
)

// The admin endpoints bring etcd back when it is out of space: its
// NOSPACE alarm refuses every write but deletes until history is
// compacted, the freed pages are returned by a defragmentation, and the
// alarm is disarmed (etcd's own recovery, in its maintenance guide).
// `minka admin etcd` calls them. Paths under /admin/ are the admin role's
// only (auth.go).
//
//	GET  /admin/etcd             status: members' database sizes and quota, alarms
//	POST /admin/etcd/compact     compact at the current revision
//	POST /admin/etcd/defragment  defragment every member, one by one
//	POST /admin/etcd/disarm      disarm NOSPACE (409 while a member is still at its quota)
const adminPrefix = "/admin/"

// etcdMaintainer is what the admin endpoints need of the store
// (store.Store has it).
type etcdMaintainer interface {
	EtcdStatus(ctx context.Context) (*admin.EtcdStatus, error)
	Compact(ctx context.Context) (*admin.EtcdStatus, error)
	Defragment(ctx context.Context) (*admin.EtcdStatus, error)
	DisarmNoSpace(ctx context.Context) (*admin.EtcdStatus, error)
}

// adminTimeout bounds one maintenance step: a defragmentation rewrites
// the whole database file.
const adminTimeout = 5 * time.Minute

func isAdminPath(p string) bool { return strings.HasPrefix(p, adminPrefix) }

// mountAdmin mounts the admin endpoints and the etcd metrics, if the
// store can maintain etcd.
func (s *Server) mountAdmin(reg prometheus.Registerer) error {
	m, ok := s.store.(etcdMaintainer)
	if !ok {
		return nil
	}
	step := func(f func(context.Context) (*admin.EtcdStatus, error)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), adminTimeout)
			defer cancel()
			st, err := f(ctx)
			if err != nil {
				s.writeError(w, r, nil, err)
				return
			}
			if st.Step != "" {
				s.log.Info("etcd maintenance", "step", st.Step, "revision", st.Revision, "alarms", len(st.Alarms), "disarmed", len(st.Disarmed))
			}
			writeJSON(w, http.StatusOK, st)
		})
	}
	s.Handle("GET /admin/etcd", step(m.EtcdStatus))
	s.Handle("POST /admin/etcd/compact", step(m.Compact))
	s.Handle("POST /admin/etcd/defragment", step(m.Defragment))
	s.Handle("POST /admin/etcd/disarm", step(m.DisarmNoSpace))
	return reg.Register(&etcdCollector{m: m})
}

// etcdCollector reads etcd's sizes, quota and alarms at each scrape (the
// embedded etcd's own metrics are not in this registry).
type etcdCollector struct{ m etcdMaintainer }

var (
	etcdDBSize = prometheus.NewDesc("minka_etcd_db_size_bytes",
		"Size of the etcd member's database file, which its quota is checked against.", []string{"endpoint"}, nil)
	etcdDBInUse = prometheus.NewDesc("minka_etcd_db_size_in_use_bytes",
		"What live data and history occupy of the etcd member's database file.", []string{"endpoint"}, nil)
	etcdQuota = prometheus.NewDesc("minka_etcd_db_quota_bytes",
		"The etcd member's database quota (--quota-backend-bytes).", []string{"endpoint"}, nil)
	etcdAlarm = prometheus.NewDesc("minka_etcd_alarm",
		"1 while an etcd member has raised the alarm (NOSPACE: writes refused; CORRUPT: data inconsistent), else 0.", []string{"alarm"}, nil)
	etcdScrapeError = prometheus.NewDesc("minka_etcd_status_scrape_error",
		"1 if etcd's status could not be read for this scrape.", nil, nil)
)

// etcdScrapeTimeout bounds the status read of one scrape.
const etcdScrapeTimeout = 2 * time.Second

func (c *etcdCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{etcdDBSize, etcdDBInUse, etcdQuota, etcdAlarm, etcdScrapeError} {
		ch <- d
	}
}

func (c *etcdCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), etcdScrapeTimeout)
	defer cancel()
	st, err := c.m.EtcdStatus(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(etcdScrapeError, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(etcdScrapeError, prometheus.GaugeValue, 0)
	for _, m := range st.Members {
		if m.Error != "" {
			continue
		}
		ch <- prometheus.MustNewConstMetric(etcdDBSize, prometheus.GaugeValue, float64(m.DBSize), m.Endpoint)
		ch <- prometheus.MustNewConstMetric(etcdDBInUse, prometheus.GaugeValue, float64(m.DBSizeInUse), m.Endpoint)
		ch <- prometheus.MustNewConstMetric(etcdQuota, prometheus.GaugeValue, float64(m.QuotaBytes), m.Endpoint)
	}
	for _, alarm := range []string{admin.AlarmNoSpace, admin.AlarmCorrupt} {
		raised := 0.0
		for _, a := range st.Alarms {
			if a.Alarm == alarm {
				raised = 1
			}
		}
		ch <- prometheus.MustNewConstMetric(etcdAlarm, prometheus.GaugeValue, raised, alarm)
	}
}
