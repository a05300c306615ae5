// Package transport is the one HTTP transport under every backend client
// (Marathon, Mesos, Jenkins, OpenStack, chacra): each request gets the
// backend's deadline, is counted and timed by backend, operation and
// result, and the last failure is kept so that a condition can say why a
// backend is unavailable even when the client library only says "down".
//
// The deadline is put on the request's context, so it bounds the body read
// as well as the headers, and a caller's shorter deadline still wins.
package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultTimeout bounds a backend request when the config names none.
const DefaultTimeout = 10 * time.Second

// Metrics are the backend request metrics, registered once per process
// and shared by every Transport.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers minka_backend_requests_total and
// minka_backend_request_duration_seconds on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minka_backend_requests_total",
			Help: "Requests to backends, by backend kind, backend name, operation and result (2xx..5xx, timeout, error)."},
			[]string{"backend", "name", "operation", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "minka_backend_request_duration_seconds",
			Help:    "Time to a backend's response headers, by backend kind, backend name and operation.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
			[]string{"backend", "name", "operation"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.duration} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering backend metrics: %w", err)
			}
		}
	}
	return m, nil
}

// Options configure a Transport.
type Options struct {
	// Backend is the kind ("marathon", "jenkins", "openstack", ...) and
	// Name the backend's name in the server config.
	Backend, Name string
	// Timeout bounds each request (DefaultTimeout when 0).
	Timeout time.Duration
	// Base is the transport that sends (a clone of
	// http.DefaultTransport when nil).
	Base http.RoundTripper
	// Metrics, when set, count the requests.
	Metrics *Metrics
	// Operation names a request for the metrics when its context carries
	// none (WithOperation); the default is the method and the first two
	// path segments, e.g. "GET /v2/apps".
	Operation func(*http.Request) string
}

// Transport is an http.RoundTripper for one backend.
type Transport struct {
	opts Options

	mu       sync.Mutex
	last     string
	lastTime time.Time
}

// New returns a Transport; its zero options are defaulted.
func New(o Options) *Transport {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Base == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32 // a controller's workers share the client
		o.Base = tr
	}
	if o.Operation == nil {
		o.Operation = pathOperation
	}
	return &Transport{opts: o}
}

// Client is an http.Client over the transport. It has no Timeout of its
// own: the transport's deadline covers headers and body.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// Timeout is the per-request deadline.
func (t *Transport) Timeout() time.Duration { return t.opts.Timeout }

type opKey struct{}
type noDeadlineKey struct{}

// WithOperation names the requests made with ctx, for the metrics.
func WithOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

// WithoutDeadline marks a long-lived request (an event stream) that the
// per-request deadline must not end; the caller's context still does.
func WithoutDeadline(ctx context.Context) context.Context {
	return context.WithValue(ctx, noDeadlineKey{}, true)
}

// RoundTrip sends the request with the backend's deadline.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	op, _ := req.Context().Value(opKey{}).(string)
	if op == "" {
		op = t.opts.Operation(req)
	}
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if ctx.Value(noDeadlineKey{}) == nil {
		ctx, cancel = context.WithTimeout(ctx, t.opts.Timeout)
	}
	start := time.Now()
	resp, err := t.opts.Base.RoundTrip(req.WithContext(ctx))
	elapsed := time.Since(start)
	result := ""
	switch {
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)) && req.Context().Err() == nil:
		result = "timeout"
		t.fail(fmt.Sprintf("%s %s: no answer within %v (timeout)", req.Method, req.URL.Redacted(), t.opts.Timeout))
	case err != nil:
		result = "error"
		if req.Context().Err() == nil {
			t.fail(fmt.Sprintf("%s %s: %v", req.Method, req.URL.Redacted(), err))
		}
	default:
		result = fmt.Sprintf("%dxx", resp.StatusCode/100)
		if resp.StatusCode >= 500 {
			t.fail(fmt.Sprintf("%s %s: %s", req.Method, req.URL.Redacted(), resp.Status))
		}
	}
	if m := t.opts.Metrics; m != nil {
		m.requests.WithLabelValues(t.opts.Backend, t.opts.Name, op, result).Inc()
		m.duration.WithLabelValues(t.opts.Backend, t.opts.Name, op).Observe(elapsed.Seconds())
	}
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// LastFailure is the last timeout, transport error or 5xx, and when it
// happened ("" when there was none).
func (t *Transport) LastFailure() (string, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last, t.lastTime
}

func (t *Transport) fail(msg string) {
	t.mu.Lock()
	t.last, t.lastTime = msg, time.Now()
	t.mu.Unlock()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// pathOperation is "METHOD /first/second".
func pathOperation(r *http.Request) string {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3)
	if len(parts) > 2 {
		parts = parts[:2]
	}
	return r.Method + " /" + strings.Join(parts, "/")
}

// cancelOnClose ends the request's deadline context once the body is
// closed, not when RoundTrip returns (that would cut the body short).
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// Requests is the counter of one series, for tests and dashboards that
// read it in-process.
func (m *Metrics) Requests(backend, name, operation, result string) prometheus.Counter {
	return m.requests.WithLabelValues(backend, name, operation, result)
}
