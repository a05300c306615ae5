package apiserver

import (
	"context"
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

	"minka/api/v1alpha1"
	"minka/store"
)

// gateStore is a Store whose reads and writes report that they were
// reached on entered, then block until gate closes: a request that gets
// to it holds its in-flight slot. A watch reaches it by Revision (the
// watch cache's list and watch pass).
type gateStore struct {
	Store   // nil: the methods not overridden are not used
	entered chan struct{}
	gate    chan struct{}
}

func (g *gateStore) wait(ctx context.Context) error {
	select {
	case g.entered <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-g.gate:
		return store.ErrNotFound
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gateStore) Get(ctx context.Context, _ v1alpha1.Kind, _, _ string) (v1alpha1.Object, error) {
	return nil, g.wait(ctx)
}

// List answers the watch cache's list (of every namespace) at once and
// holds the requests' lists (of one namespace).
func (g *gateStore) List(ctx context.Context, k v1alpha1.Kind, ns string, _ store.ListOptions) (v1alpha1.ObjectList, error) {
	if ns == "" {
		list := k.NewList()
		list.SetResourceVersion("1")
		return list, nil
	}
	return nil, g.wait(ctx)
}

func (g *gateStore) Create(ctx context.Context, _ v1alpha1.Object) (v1alpha1.Object, error) {
	return nil, g.wait(ctx)
}

func (g *gateStore) Delete(ctx context.Context, _ v1alpha1.Kind, _, _ string, _ *store.Preconditions) (v1alpha1.Object, error) {
	return nil, g.wait(ctx)
}

// Watch is the watch cache's: a stream that stays open.
func (g *gateStore) Watch(ctx context.Context, _ v1alpha1.Kind, _ string, _ store.WatchOptions) (<-chan store.WatchEvent, error) {
	ch := make(chan store.WatchEvent)
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

// Revision is where a watch request meets the store: a watch without a
// resourceVersion asks for etcd's revision, which is held.
func (g *gateStore) Revision(ctx context.Context) (int64, error) { return 0, g.wait(ctx) }

func (g *gateStore) RequestProgress(context.Context) error { return nil }

func (g *gateStore) Ready(context.Context) error { return nil }

const limitPath = "/apis/minka.dev/v1alpha1/namespaces/ci/slavepools"

// limitRequests are the requests of the cases, by name.
var limitRequests = map[string]struct{ method, path, body string }{
	"get":     {"GET", limitPath + "/a", ""},
	"list":    {"GET", limitPath, ""},
	"watch":   {"GET", limitPath + "?watch=true", ""},
	"create":  {"POST", limitPath, `{"apiVersion":"minka.dev/v1alpha1","kind":"SlavePool","metadata":{"name":"a"},"spec":{"labels":["amd64"],"template":{"image":"u","flavor":"f"}}}`},
	"delete":  {"DELETE", limitPath + "/a", ""},
	"healthz": {"GET", "/healthz", ""},
	"readyz":  {"GET", "/readyz", ""},
	"metrics": {"GET", "/metrics", ""},
}

// outcome is what became of a request: admitted (it reached the store,
// where it now waits), or its answer.
type outcome struct {
	admitted   bool
	code       int
	reason     string // of a kind: Status
	retryAfter string // the header
	seconds    int32  // details.retryAfterSeconds
}

// start sends the named request and returns its outcome: admitted as soon
// as it reaches the store, else its answer.
func start(ctx context.Context, t *testing.T, g *gateStore, url, name string) outcome {
	t.Helper()
	spec := limitRequests[name]
	req, _ := http.NewRequestWithContext(ctx, spec.method, url+spec.path, strings.NewReader(spec.body))
	if spec.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	answered := make(chan outcome, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- outcome{code: -1, reason: err.Error()}
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var st struct {
			Kind, Reason string
			Details      struct{ RetryAfterSeconds int32 }
		}
		o := outcome{code: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
		if json.Unmarshal(raw, &st) == nil && st.Kind == "Status" {
			o.reason, o.seconds = st.Reason, st.Details.RetryAfterSeconds
		}
		answered <- o
	}()
	select {
	case <-g.entered:
		return outcome{admitted: true}
	case o := <-answered:
		return o
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: neither admitted nor answered in 10s", name)
		return outcome{}
	}
}

var (
	admitted = outcome{admitted: true}
	refused  = outcome{code: http.StatusTooManyRequests, reason: "TooManyRequests", retryAfter: "1", seconds: 1}
	served   = outcome{code: http.StatusOK}
)

// TestInFlightLimits holds requests in flight at a store that blocks and
// shows what the next one gets: past its kind's limit a 429 at once, with
// Retry-After; read-only and mutating counted apart; watches, probes and
// metrics never limited; 0 no limit. The metrics follow.
func TestInFlightLimits(t *testing.T) {
	cases := []struct {
		reason             string
		readOnly, mutating int
		hold               []string // held in flight, in order
		probe              string
		want               outcome
	}{
		{"the read-only limit+1th get is refused", 2, 2, []string{"get", "list"}, "get", refused},
		{"the read-only limit+1th list is refused", 1, 2, []string{"get"}, "list", refused},
		{"under the read-only limit a get is served", 3, 2, []string{"get", "list"}, "get", admitted},
		{"the mutating limit+1th create is refused", 2, 2, []string{"create", "delete"}, "create", refused},
		{"the mutating limit+1th delete is refused", 2, 1, []string{"create"}, "delete", refused},
		{"full read-only slots leave the mutating ones", 2, 2, []string{"get", "list"}, "create", admitted},
		{"full mutating slots leave the read-only ones", 2, 2, []string{"create", "delete"}, "get", admitted},
		{"a watch is not limited", 1, 1, []string{"get", "create"}, "watch", admitted},
		{"watches take no read-only slot", 1, 1, []string{"watch", "watch", "watch"}, "get", admitted},
		{"/healthz is not limited", 1, 1, []string{"get", "create"}, "healthz", served},
		{"/readyz is not limited", 1, 1, []string{"get", "create"}, "readyz", served},
		{"/metrics is not limited", 1, 1, []string{"get", "create"}, "metrics", served},
		{"0 is no read-only limit", 0, 1, []string{"get", "get", "list", "list", "get"}, "get", admitted},
		{"0 is no mutating limit", 1, 0, []string{"create", "create", "delete", "delete"}, "create", admitted},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			g := &gateStore{entered: make(chan struct{}), gate: make(chan struct{})}
			reg := prometheus.NewRegistry()
			srv, err := New(g, Options{Log: logr.Discard(), Registry: reg,
				MaxRequestsInFlight: c.readOnly, MaxMutatingRequestsInFlight: c.mutating})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv)
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(func() { close(g.gate); cancel(); hs.Close(); srv.Close() })

			held := map[string]float64{}
			for _, name := range c.hold {
				if got := start(ctx, t, g, hs.URL, name); got != admitted {
					t.Fatalf("holding %s: %+v, want it admitted", name, got)
				}
				if kind := limitKind(name); kind != "" {
					held[kind]++
				}
			}
			began := time.Now()
			got := start(ctx, t, g, hs.URL, c.probe)
			if took := time.Since(began); c.want == refused && took > time.Second {
				t.Errorf("%s was refused after %v: a refusal must not wait", c.probe, took)
			}
			if got != c.want {
				t.Errorf("%s with %v in flight (limits %d read-only, %d mutating): -want +got\n- %+v\n+ %+v",
					c.probe, c.hold, c.readOnly, c.mutating, c.want, got)
			}
			for _, kind := range []string{readOnlyKind, mutatingKind} {
				want := held[kind]
				if c.want == admitted && limitKind(c.probe) == kind {
					want++
				}
				if got := testutil.ToFloat64(srv.limits.metrics.current.WithLabelValues(kind)); got != want {
					t.Errorf("minka_apiserver_current_inflight_requests{request_kind=%q} = %v, want %v", kind, got, want)
				}
				wantDropped := 0.0
				if c.want == refused && limitKind(c.probe) == kind {
					wantDropped = 1
				}
				if got := testutil.ToFloat64(srv.limits.metrics.dropped.WithLabelValues(kind)); got != wantDropped {
					t.Errorf("minka_apiserver_dropped_requests_total{request_kind=%q} = %v, want %v", kind, got, wantDropped)
				}
			}
		})
	}
}

// limitKind is the request kind of a named request, "" when unlimited.
func limitKind(name string) string {
	switch name {
	case "get", "list":
		return readOnlyKind
	case "create", "delete":
		return mutatingKind
	}
	return ""
}

// TestInFlightSlotsAreReturned: a refused request takes no slot, and a
// finished one gives its slot back.
func TestInFlightSlotsAreReturned(t *testing.T) {
	g := &gateStore{entered: make(chan struct{}), gate: make(chan struct{})}
	srv, err := New(g, Options{Log: logr.Discard(), MaxRequestsInFlight: 1, MaxMutatingRequestsInFlight: 1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); hs.Close(); srv.Close() }()
	if got := start(ctx, t, g, hs.URL, "create"); got != admitted {
		t.Fatalf("first create: %+v, want admitted", got)
	}
	for i := range 3 {
		if got := start(ctx, t, g, hs.URL, "delete"); got != refused {
			t.Fatalf("delete %d with the slot taken: %+v, want refused", i, got)
		}
	}
	close(g.gate) // the first create is answered and gives its slot back
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(srv.limits.metrics.current.WithLabelValues(mutatingKind)) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the create's slot was not given back within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// With the gate open the store answers NotFound at once: the slot is free.
	if got := start(ctx, t, g, hs.URL, "delete"); got.code != http.StatusNotFound && got != admitted {
		t.Errorf("delete after the slot came back: %+v, want it served", got)
	}
	if got := testutil.ToFloat64(srv.limits.metrics.dropped.WithLabelValues(mutatingKind)); got != 3 {
		t.Errorf("dropped mutating = %v, want 3", got)
	}
}
