// Package fault injects failures into a simulator's HTTP handler: added
// latency, a random error rate (deterministic under a seed), and named
// failures (500, 503, a reset connection, a request that hangs, or one a
// simulator defines, such as Nova's quota error or Marathon's 409 "app is
// locked"). Faults are set from Go or over HTTP at /__sim/faults.
//
// Two failures lose the reply of a request the simulator did apply:
// applied-reset and applied-hang serve the request to the simulator
// exactly once, in full (its body intact, its context not cancelled by
// the client going away), into a writer that discards the answer; then
// applied-reset closes the connection without a response and applied-hang
// holds it without one until the client gives up. The client sees a reset
// or a timeout, as for reset and hang, but the create, update or delete
// took effect: this is how a client's retry of a non-idempotent request is
// tested.
//
// Four answer garbage with a 200, as a proxy or a half-started server
// does: truncated (a body short of its Content-Length, then the
// connection closed), invalid-json, html-200 (an HTML error page) and
// stream-close (an event stream that closes as soon as it opens).
package fault

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is one injected behaviour. Match restricts it to requests whose
// "METHOD /path" starts with it ("" = all, "POST /v2/apps" = creates).
type Fault struct {
	Match string `json:"match,omitempty"`
	// Latency is added before the request is served.
	Latency time.Duration `json:"latency,omitempty"`
	// ErrorRate in [0,1] fails that share of requests with Failure
	// (default "500"); 0 with a Failure set fails every request. Failure
	// is a built-in ("500", "503", "reset", "hang", "applied-reset",
	// "applied-hang", "truncated", "invalid-json", "html-200",
	// "stream-close") or a name given to Define.
	ErrorRate float64 `json:"errorRate,omitempty"`
	Failure   string  `json:"failure,omitempty"`
	// Count > 0 lifts the fault after that many failures.
	Count int `json:"count,omitempty"`
}

// Built-in failures.
const (
	Internal    = "500"
	Unavailable = "503"
	Reset       = "reset" // the TCP connection is closed without a response
	Hang        = "hang"  // no response until the client gives up
	// AppliedReset serves the request to the simulator, discarding its
	// answer, then closes the TCP connection without a response.
	AppliedReset = "applied-reset"
	// AppliedHang serves the request to the simulator, discarding its
	// answer, then sends nothing until the client gives up; closing the
	// injector closes the connection, still without a response.
	AppliedHang = "applied-hang"

	// Garbage answers, as a proxy, a half-dead server or a load balancer
	// gives them; the request is not served.

	// Truncated answers 200 application/json whose body stops short of
	// its Content-Length, then closes the connection.
	Truncated = "truncated"
	// InvalidJSON answers 200 application/json with a body that is not
	// JSON.
	InvalidJSON = "invalid-json"
	// HTMLPage answers 200 text/html with an error page, as a proxy or a
	// Jenkins that is starting does.
	HTMLPage = "html-200"
	// StreamClose answers 200 with the headers of an event stream and
	// closes it at once.
	StreamClose = "stream-close"
)

// Injector wraps a handler with the faults set on it.
type Injector struct {
	mu      sync.Mutex
	rng     *rand.Rand
	faults  []*Fault
	custom  map[string]http.HandlerFunc
	stopped chan struct{}
}

// New returns an injector whose random draws follow seed.
func New(seed int64) *Injector {
	return &Injector{rng: rand.New(rand.NewSource(seed)), custom: map[string]http.HandlerFunc{}, stopped: make(chan struct{})}
}

// Define names a failure a simulator knows how to answer.
func (i *Injector) Define(name string, h http.HandlerFunc) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.custom[name] = h
}

// Set adds a fault; an unknown failure name is an error.
func (i *Injector) Set(f Fault) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if f.Failure != "" && !builtin(f.Failure) && i.custom[f.Failure] == nil {
		return fmt.Errorf("unknown failure %q", f.Failure)
	}
	if f.ErrorRate < 0 || f.ErrorRate > 1 {
		return fmt.Errorf("errorRate %v is not in [0,1]", f.ErrorRate)
	}
	i.faults = append(i.faults, &f)
	return nil
}

// Clear lifts every fault.
func (i *Injector) Clear() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.faults = nil
}

// Close releases hanging requests (for a simulator's shutdown).
func (i *Injector) Close() {
	i.mu.Lock()
	defer i.mu.Unlock()
	select {
	case <-i.stopped:
	default:
		close(i.stopped)
	}
}

func builtin(name string) bool {
	switch name {
	case Internal, Unavailable, Reset, Hang, AppliedReset, AppliedHang, Truncated, InvalidJSON, HTMLPage, StreamClose:
		return true
	}
	return false
}

// Wrap returns h with the faults applied, and /__sim/faults served.
func (i *Injector) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/__sim/faults" {
			i.admin(w, r)
			return
		}
		latency, failure := i.draw(r.Method + " " + r.URL.Path)
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
		if failure == "" {
			h.ServeHTTP(w, r)
			return
		}
		i.fail(w, r, h, failure)
	})
}

// draw decides, under the lock so that the seed alone fixes the sequence,
// what happens to one request.
func (i *Injector) draw(req string) (time.Duration, string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	var latency time.Duration
	failure := ""
	for _, f := range i.faults {
		if !strings.HasPrefix(req, f.Match) {
			continue
		}
		latency += f.Latency
		if failure != "" || (f.Failure == "" && f.ErrorRate == 0) {
			continue
		}
		if f.ErrorRate > 0 && i.rng.Float64() >= f.ErrorRate {
			continue
		}
		failure = f.Failure
		if failure == "" {
			failure = Internal
		}
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				f.Failure, f.ErrorRate = "", 0
			}
		}
	}
	return latency, failure
}

// fail answers r with failure; h is the simulator, for the failures that
// apply the request before losing its reply.
func (i *Injector) fail(w http.ResponseWriter, r *http.Request, h http.Handler, failure string) {
	switch failure {
	case Internal:
		http.Error(w, "injected fault: internal server error", http.StatusInternalServerError)
	case Unavailable:
		http.Error(w, "injected fault: service unavailable", http.StatusServiceUnavailable)
	case Reset:
		abort(w)
	case Hang:
		select {
		case <-r.Context().Done():
		case <-i.stopped:
		}
	case AppliedReset:
		i.apply(h, r)
		abort(w)
	case Truncated:
		body := `{"items":[{"id":1,"why":"There are no nodes`
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+100))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		abort(w)
	case InvalidJSON:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"items": [}, "injected fault": invalid JSON`)
	case HTMLPage:
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>Starting</title></head><body><h1>Please wait while the service is getting ready to work ...</h1><p>injected fault: an HTML page with 200</p></body></html>\n")
	case StreamClose:
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	case AppliedHang:
		i.apply(h, r)
		select {
		case <-r.Context().Done():
		case <-i.stopped:
		}
		abort(w) // released by Close: still no response
	default:
		i.mu.Lock()
		h := i.custom[failure]
		i.mu.Unlock()
		h(w, r)
	}
}

// abort closes the client's connection without a response.
func abort(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection (HTTP/2: resets the stream)
}

// apply serves r to h as if nothing were wrong, into a writer that drops
// the answer. h reads r's body itself and sees r's context values, but
// not the client's cancellation while it works: what the server received
// is applied in full, once, as a server applies a request whose client has
// gone. Once h starts answering (a stream such as Marathon's /v2/events),
// the client leaving ends its context as it would without the fault.
// Closing the injector ends it too.
func (i *Injector) apply(h http.Handler, r *http.Request) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	d := &discard{header: http.Header{}, answering: make(chan struct{})}
	go func() {
		select {
		case <-d.answering:
			select {
			case <-r.Context().Done():
			case <-i.stopped:
			case <-ctx.Done():
			}
		case <-i.stopped:
		case <-ctx.Done():
		}
		cancel()
	}()
	h.ServeHTTP(d, r.WithContext(ctx))
}

// discard is the http.ResponseWriter (and http.Flusher) of a lost reply:
// it takes the handler's headers, status and body and sends nothing.
type discard struct {
	header    http.Header
	once      sync.Once
	answering chan struct{} // closed when the handler starts its answer
}

func (d *discard) Header() http.Header { return d.header }

func (d *discard) WriteHeader(code int) {
	if code >= 200 { // 1xx are interim, not the answer
		d.answer()
	}
}

func (d *discard) Write(p []byte) (int, error) {
	d.answer()
	return len(p), nil
}

func (d *discard) Flush() { d.answer() }

func (d *discard) answer() { d.once.Do(func() { close(d.answering) }) }

// admin serves GET (list), POST (add a Fault as JSON) and DELETE (clear).
func (i *Injector) admin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		i.mu.Lock()
		data, _ := json.Marshal(i.faults)
		i.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	case http.MethodPost:
		var f Fault
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			http.Error(w, "fault: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := i.Set(f); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	case http.MethodDelete:
		i.Clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "GET, POST or DELETE", http.StatusMethodNotAllowed)
	}
}
