package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestTransport(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/apps/ci/web":
			_, _ = io.WriteString(w, "{}")
		case "/v2/broken":
			http.Error(w, "down", http.StatusServiceUnavailable)
		case "/v2/hang":
			select {
			case <-r.Context().Done():
			case <-release:
			}
		case "/v2/slowbody":
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	defer srv.Close()
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	tr := New(Options{Backend: "marathon", Name: "default", Timeout: 200 * time.Millisecond, Metrics: m})
	hc := tr.Client()
	get := func(ctx context.Context, path string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		return hc.Do(req)
	}
	cases := []struct {
		reason, path, op, result, lastFailure string
		err                                   bool
	}{
		{"a 200 is counted by its path's operation", "/v2/apps/ci/web", "GET /v2/apps", "2xx", "", false},
		{"a 503 is kept as the last failure", "/v2/broken", "GET /v2/broken", "5xx", "503 Service Unavailable", false},
		{"a hung request ends at the deadline and says so", "/v2/hang", "GET /v2/hang", "timeout", "no answer within 200ms (timeout)", true},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			start := time.Now()
			resp, err := get(context.Background(), tc.path)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if resp != nil {
				_, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v: the deadline did not bound it", d)
			}
			if got := testutil.ToFloat64(m.requests.WithLabelValues("marathon", "default", tc.op, tc.result)); got != 1 {
				t.Errorf("minka_backend_requests_total{operation=%q,result=%q} = %v, want 1", tc.op, tc.result, got)
			}
			if last, _ := tr.LastFailure(); tc.lastFailure != "" && !strings.Contains(last, tc.lastFailure) {
				t.Errorf("last failure %q, want it to contain %q", last, tc.lastFailure)
			}
		})
	}
	t.Run("the deadline bounds a body that never ends", func(t *testing.T) {
		resp, err := get(context.Background(), "/v2/slowbody")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		start := time.Now()
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Fatal("reading a body that never ends: no error")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("body read took %v", d)
		}
	})
	t.Run("WithOperation names the operation; WithoutDeadline lets a stream run past it", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(WithoutDeadline(WithOperation(context.Background(), "events")), 600*time.Millisecond)
		defer cancel()
		start := time.Now()
		resp, err := get(ctx, "/v2/slowbody")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if d := time.Since(start); d < 500*time.Millisecond {
			t.Fatalf("a stream without the deadline ended after %v, before its caller's 600ms", d)
		}
		if got := testutil.ToFloat64(m.requests.WithLabelValues("marathon", "default", "events", "2xx")); got != 1 {
			t.Errorf("requests{operation=events} = %v, want 1", got)
		}
	})
	t.Run("a caller's own cancellation is not a backend failure", func(t *testing.T) {
		tr2 := New(Options{Backend: "jenkins", Name: "x", Timeout: time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v2/hang", nil)
		if _, err := tr2.Client().Do(req); err == nil {
			t.Fatal("want an error")
		}
		if last, _ := tr2.LastFailure(); last != "" {
			t.Errorf("last failure %q after the caller gave up, want none", last)
		}
	})
}
