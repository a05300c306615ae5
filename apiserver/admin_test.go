package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/admin"
	"minka/store/storetest"
)

// TestAdminEndpointsAreAdminOnly: etcd's status and maintenance are for
// the admin role alone: view and edit get 403 on every admin path, also
// to read; admin gets the status, and /metrics carries etcd's sizes.
func TestAdminEndpointsAreAdminOnly(t *testing.T) {
	st, _ := storetest.Store(t)
	reg := prometheus.NewRegistry()
	srv, err := New(st, Options{Config: tokenConfig(), Log: logr.Discard(), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	paths := []struct{ method, path string }{
		{"GET", "/admin/etcd"}, {"POST", "/admin/etcd/compact"}, {"POST", "/admin/etcd/defragment"}, {"POST", "/admin/etcd/disarm"},
	}
	for _, token := range []string{viewToken, editToken} {
		for _, p := range paths {
			if r := do(t, p.method, hs.URL+p.path, token, "", ""); r.code != http.StatusForbidden || r.reason != "Forbidden" {
				t.Errorf("%s %s as %s: %d %s, want 403 Forbidden", p.method, p.path, token, r.code, r.raw)
			}
		}
	}
	r := do(t, "GET", hs.URL+"/admin/etcd", adminToken, "", "")
	var status admin.EtcdStatus
	if err := json.Unmarshal([]byte(r.raw), &status); err != nil || r.code != 200 || len(status.Members) != 1 ||
		status.Members[0].QuotaBytes != 2<<30 || status.Revision == 0 || status.NoSpace() {
		t.Errorf("GET /admin/etcd as admin: %d %s (%v), want one member with etcd's 2 GiB quota and no alarm", r.code, r.raw, err)
	}
	if r := do(t, "POST", hs.URL+"/admin/etcd/disarm", adminToken, "", ""); r.code != 200 || !strings.Contains(r.raw, `"step":"disarm"`) {
		t.Errorf("disarm without an alarm: %d %s, want 200 with nothing disarmed", r.code, r.raw)
	}
	req, _ := http.NewRequest("GET", hs.URL+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`minka_etcd_db_quota_bytes{endpoint="`, `minka_etcd_alarm{alarm="NOSPACE"} 0`, `minka_etcd_alarm{alarm="CORRUPT"} 0`,
		"minka_etcd_status_scrape_error 0", `minka_etcd_db_size_bytes{endpoint="`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}
