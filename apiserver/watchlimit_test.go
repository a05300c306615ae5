package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"minka/store/storetest"
)

// openWatch starts a watch of Deployments as token's user and returns its
// response, open until closed.
func openWatch(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url+deployPath+"?watch=true", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestWatchLimits: past --max-watches-per-client a client's next watch
// is a 429 with Retry-After naming that limit, while other clients still
// watch; past --max-watches anyone's is; a closed watch gives its slot
// back. Refusals are counted as dropped watch requests.
func TestWatchLimits(t *testing.T) {
	st, _ := storetest.Store(t)
	reg := prometheus.NewRegistry()
	srv, err := New(st, Options{Config: tokenConfig(), Log: logr.Discard(), Registry: reg, MaxWatches: 4, MaxWatchesPerClient: 2})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })

	steps := []struct {
		token string
		code  int
		msg   string // in the 429's message
	}{
		{viewToken, 200, ""},
		{viewToken, 200, ""},
		{viewToken, 429, "user viewer has 2 open, the limit per client (--max-watches-per-client)"},
		{editToken, 200, ""},
		{editToken, 200, ""},
		{adminToken, 429, "4 are open, the server's limit (--max-watches)"},
	}
	var open []*http.Response
	for i, s := range steps {
		resp := openWatch(t, hs.URL, s.token)
		if resp.StatusCode != s.code {
			t.Fatalf("step %d: %s", i, resp.Status)
		}
		if s.code == 200 {
			open = append(open, resp)
			continue
		}
		raw, _ := io.ReadAll(resp.Body)
		var status struct {
			Reason, Message string
			Details         struct{ RetryAfterSeconds int }
		}
		_ = json.Unmarshal(raw, &status)
		if status.Reason != "TooManyRequests" || !strings.Contains(status.Message, s.msg) ||
			resp.Header.Get("Retry-After") != "1" || status.Details.RetryAfterSeconds != 1 {
			t.Errorf("step %d: %s Retry-After %q %s\nwant TooManyRequests with Retry-After 1 and %q", i, resp.Status, resp.Header.Get("Retry-After"), raw, s.msg)
		}
	}
	if got := testutil.ToFloat64(srv.limits.metrics.dropped.WithLabelValues(watchKind)); got != 2 {
		t.Errorf(`minka_apiserver_dropped_requests_total{request_kind="watch"} = %v, want 2`, got)
	}
	open[0].Body.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp := openWatch(t, hs.URL, viewToken)
		if resp.StatusCode == 200 {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("a closed watch did not give its slot back within 5s: %s", resp.Status)
		}
	}
}

// TestWatchClient: watches count against the user when tokens are
// configured, else against the remote address.
func TestWatchClient(t *testing.T) {
	cases := []struct {
		user       *User
		remoteAddr string
		want       string
	}{
		{&User{Name: "ci-bot", Role: RoleEdit}, "10.0.0.1:5000", "user ci-bot"},
		{&User{Name: Anonymous, Role: RoleAdmin}, "10.0.0.1:5000", "address 10.0.0.1"},
		{nil, "[::1]:5000", "address ::1"},
		{nil, "pipe", "address pipe"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remoteAddr
		if c.user != nil {
			r = r.WithContext(withAuthenticated(r.Context(), *c.user))
		}
		if got := watchClient(r); got != c.want {
			t.Errorf("user %v from %s: %q, want %q", c.user, c.remoteAddr, got, c.want)
		}
	}
}
