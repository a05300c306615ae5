package fault

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func server(t *testing.T, inj *Injector) *httptest.Server {
	hs := httptest.NewServer(inj.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})))
	t.Cleanup(func() { inj.Close(); hs.Close() })
	return hs
}

func status(t *testing.T, url string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestFaults(t *testing.T) {
	inj := New(1)
	inj.Define("locked", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"App is locked by one or more deployments."}`, http.StatusConflict)
	})
	hs := server(t, inj)
	cases := []struct {
		reason string
		fault  Fault
		code   int
		errIs  error
	}{
		{"no fault", Fault{}, 200, nil},
		{"500", Fault{Failure: Internal}, 500, nil},
		{"503 on a matching path only", Fault{Failure: Unavailable, Match: "GET /v2"}, 200, nil},
		{"a simulator's own failure", Fault{Failure: "locked"}, 409, nil},
		{"reset", Fault{Failure: Reset}, 0, errors.New("any")},
		{"hang until the client gives up", Fault{Failure: Hang}, 0, context.DeadlineExceeded},
	}
	for _, c := range cases {
		inj.Clear()
		if err := inj.Set(c.fault); err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		code, err := status(t, hs.URL+"/ping")
		switch {
		case c.errIs == nil && (err != nil || code != c.code):
			t.Errorf("%s: %d %v, want %d", c.reason, code, err, c.code)
		case c.errIs != nil && err == nil:
			t.Errorf("%s: got %d, want a transport error", c.reason, code)
		case errors.Is(c.errIs, context.DeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded):
			t.Errorf("%s: %v, want a deadline", c.reason, err)
		}
	}
	inj.Clear()
	if err := inj.Set(Fault{Failure: "nonsense"}); err == nil {
		t.Errorf("an unknown failure name was accepted")
	}
}

func TestLatencyCountAndSeed(t *testing.T) {
	inj := New(7)
	hs := server(t, inj)
	_ = inj.Set(Fault{Latency: 100 * time.Millisecond})
	start := time.Now()
	if code, _ := status(t, hs.URL); code != 200 || time.Since(start) < 100*time.Millisecond {
		t.Errorf("latency: %d after %v", code, time.Since(start))
	}
	inj.Clear()
	_ = inj.Set(Fault{Failure: Internal, Count: 2})
	var codes []int
	for k := 0; k < 3; k++ {
		c, _ := status(t, hs.URL)
		codes = append(codes, c)
	}
	if codes[0] != 500 || codes[1] != 500 || codes[2] != 200 {
		t.Errorf("count 2: %v, want 500 500 200", codes)
	}
	seq := func(seed int64) string {
		inj := New(seed)
		hs := server(t, inj)
		_ = inj.Set(Fault{ErrorRate: 0.5})
		var b strings.Builder
		for k := 0; k < 20; k++ {
			if c, _ := status(t, hs.URL); c == 500 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	if a, b := seq(3), seq(3); a != b || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("error rate 0.5 under one seed: %s vs %s, want equal and mixed", a, b)
	}
}

func TestAdminEndpoint(t *testing.T) {
	inj := New(1)
	hs := server(t, inj)
	resp, err := http.Post(hs.URL+"/__sim/faults", "application/json", strings.NewReader(`{"failure":"503","match":"GET /api"}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("POST fault: %v %v", err, resp)
	}
	if code, _ := status(t, hs.URL+"/api/json"); code != 503 {
		t.Errorf("after POST: %d, want 503", code)
	}
	req, _ := http.NewRequest("DELETE", hs.URL+"/__sim/faults", nil)
	_, _ = http.DefaultClient.Do(req)
	if code, _ := status(t, hs.URL+"/api/json"); code != 200 {
		t.Errorf("after DELETE: %d, want 200", code)
	}
}

// recorder is a handler that counts the requests it serves, keeps their
// bodies, and reports whether their context ended while it worked.
type recorder struct {
	work   time.Duration // how long each request takes
	mu     sync.Mutex
	bodies []string
	ctxErr []error
	served chan struct{}
}

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		body = []byte("read error: " + err.Error())
	}
	if r.Method == http.MethodPost {
		select {
		case <-time.After(h.work):
		case <-r.Context().Done():
		}
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, string(body))
	h.ctxErr = append(h.ctxErr, r.Context().Err())
	h.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte("created " + string(body)))
	h.served <- struct{}{}
}

func (h *recorder) calls() ([]string, []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...), append([]error(nil), h.ctxErr...)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isClosed: the connection ended without a response (EOF or RST).
func isClosed(err error) bool {
	return err != nil && !isTimeout(err) &&
		(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET))
}

// TestAppliedFailures: applied-hang and applied-reset serve the request to
// the real handler exactly once, with its body and a live context, then
// lose the reply; set from Go or over HTTP, with Count 1 the next request
// is answered.
func TestAppliedFailures(t *testing.T) {
	cases := []struct {
		name    string
		failure string
		viaHTTP bool          // POST /__sim/faults rather than Set
		work    time.Duration // the handler's time: past the client's timeout when > 300ms
		lost    func(error) bool
	}{
		{"applied-hang: the client times out", AppliedHang, false, 0, isTimeout},
		{"applied-reset: the connection closes", AppliedReset, false, 0, isClosed},
		{"applied-hang set over HTTP", AppliedHang, true, 0, isTimeout},
		{"applied-reset set over HTTP", AppliedReset, true, 0, isClosed},
		{"applied-hang: a handler slower than the client still finishes", AppliedHang, false, 600 * time.Millisecond, isTimeout},
		{"applied-reset: a handler slower than the client still finishes", AppliedReset, false, 600 * time.Millisecond, isTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inj := New(1)
			h := &recorder{work: tc.work, served: make(chan struct{}, 4)}
			hs := httptest.NewServer(inj.Wrap(h))
			t.Cleanup(func() { inj.Close(); hs.Close() })
			client := &http.Client{Timeout: 300 * time.Millisecond}
			post := func(client *http.Client, body string) (*http.Response, error) {
				resp, err := client.Post(hs.URL+"/servers", "text/plain", strings.NewReader(body))
				if err == nil {
					defer resp.Body.Close()
					_, err = io.ReadAll(resp.Body)
				}
				return resp, err
			}
			// A first request, unfaulted, so that the faulted one goes
			// over a kept-alive connection: net/http retries some
			// requests by itself there, and must not retry these.
			if resp, err := client.Get(hs.URL + "/warm"); err != nil {
				t.Fatal(err)
			} else {
				_, _ = io.Copy(io.Discard, resp.Body) // read to EOF, else the connection is not kept
				resp.Body.Close()
				<-h.served
			}
			f := Fault{Match: "POST /servers", Failure: tc.failure, Count: 1}
			if tc.viaHTTP {
				resp, err := http.Post(hs.URL+"/__sim/faults", "application/json",
					strings.NewReader(`{"match":"POST /servers","failure":"`+tc.failure+`","count":1}`))
				if err != nil || resp.StatusCode != http.StatusCreated {
					t.Fatalf("POST /__sim/faults: %v %v", err, resp)
				}
				resp.Body.Close()
			} else if err := inj.Set(f); err != nil {
				t.Fatal(err)
			}
			body := `{"server":{"name":"a"}}`
			if resp, err := post(client, body); !tc.lost(err) {
				t.Fatalf("POST with %s: %v %v, want the reply lost", tc.failure, resp, err)
			}
			select {
			case <-h.served:
			case <-time.After(5 * time.Second):
				t.Fatal("the handler never finished the request")
			}
			bodies, ctxErr := h.calls()
			if len(bodies) != 2 || bodies[1] != body || ctxErr[1] != nil {
				t.Fatalf("handler calls %q, context errors %v; want the warm-up and %q once, its context live", bodies, ctxErr, body)
			}
			if resp, err := post(&http.Client{Timeout: 5 * time.Second}, "second"); err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("after Count 1: %v %v, want 201", resp, err)
			}
			<-h.served
			if bodies, _ := h.calls(); len(bodies) != 3 || bodies[2] != "second" {
				t.Errorf("handler calls %q, want 3, the last %q", bodies, "second")
			}
		})
	}
}

// TestAppliedErrorRateFollowsSeed: with an error rate, applied-reset loses
// the replies the seed picks, and every request is applied once.
func TestAppliedErrorRateFollowsSeed(t *testing.T) {
	seq := func(seed int64) string {
		inj := New(seed)
		h := &recorder{served: make(chan struct{}, 20)}
		hs := httptest.NewServer(inj.Wrap(h))
		defer func() { inj.Close(); hs.Close() }()
		if err := inj.Set(Fault{Match: "POST", Failure: AppliedReset, ErrorRate: 0.5}); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for k := range 20 {
			resp, err := http.Post(hs.URL, "text/plain", strings.NewReader(strconv.Itoa(k)))
			switch {
			case err == nil:
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				b.WriteByte('.')
			case isClosed(err):
				b.WriteByte('x')
			default:
				t.Fatalf("POST %d: %v", k, err)
			}
		}
		if bodies, _ := h.calls(); len(bodies) != 20 || bodies[19] != "19" {
			t.Errorf("seed %d: the handler served %q, want each of 20 requests once", seed, bodies)
		}
		return b.String()
	}
	a, b := seq(3), seq(3)
	if a != b || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("applied-reset at 0.5 under one seed: %s vs %s, want equal and mixed", a, b)
	}
}

// TestAppliedHangReleasedByClose: closing the injector releases a held
// applied-hang by closing the connection, never with a response.
func TestAppliedHangReleasedByClose(t *testing.T) {
	inj := New(1)
	h := &recorder{served: make(chan struct{}, 1)}
	hs := httptest.NewServer(inj.Wrap(h))
	defer hs.Close()
	_ = inj.Set(Fault{Failure: AppliedHang})
	errc := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Post(hs.URL, "text/plain", strings.NewReader("x"))
		if err == nil {
			resp.Body.Close()
			err = errors.New("answered " + resp.Status)
		}
		errc <- err
	}()
	<-h.served
	inj.Close()
	select {
	case err := <-errc:
		if !isClosed(err) {
			t.Errorf("after Close: %v, want the connection closed without a response", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the request")
	}
}

// TestAppliedHangOfAStream: a handler that streams (flushes, then serves
// until its context ends, as Marathon's /v2/events) under applied-hang
// ends when its client goes, as it would without the fault.
func TestAppliedHangOfAStream(t *testing.T) {
	inj := New(1)
	ended := make(chan struct{})
	hs := httptest.NewServer(inj.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(ended)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})))
	t.Cleanup(func() { inj.Close(); hs.Close() })
	_ = inj.Set(Fault{Failure: AppliedHang})
	if _, err := (&http.Client{Timeout: 300 * time.Millisecond}).Get(hs.URL + "/v2/events"); !isTimeout(err) {
		t.Fatalf("GET of a stream under applied-hang: %v, want a timeout", err)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream's handler outlived its client")
	}
}

// TestAppliedResetOfAGetOnAKeptAliveConnection pins a trap: net/http's
// Transport resends a GET (HEAD, OPTIONS, TRACE, or any request with an
// Idempotency-Key) once by itself when a reused connection closes before
// the first response byte. Under applied-reset with Count 1 the handler
// runs twice and the client sees only the second, healthy answer.
func TestAppliedResetOfAGetOnAKeptAliveConnection(t *testing.T) {
	inj := New(1)
	h := &recorder{served: make(chan struct{}, 4)}
	hs := httptest.NewServer(inj.Wrap(h))
	t.Cleanup(func() { inj.Close(); hs.Close() })
	client := &http.Client{Timeout: time.Second}
	get := func() error {
		resp, err := client.Get(hs.URL + "/x")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body) // read to EOF, else the connection is not kept
			resp.Body.Close()
		}
		return err
	}
	if err := get(); err != nil { // keeps a connection alive
		t.Fatal(err)
	}
	_ = inj.Set(Fault{Failure: AppliedReset, Count: 1})
	if err := get(); err != nil {
		b, _ := h.calls()
		t.Fatalf("GET: %v (%d calls); net/http no longer retries it", err, len(b))
	}
	if bodies, _ := h.calls(); len(bodies) != 3 {
		t.Errorf("handler ran %d times, want 3 (warm-up, lost, resent)", len(bodies))
	}
}

// Each garbage answer reaches a real client as a 200 it cannot use.
func TestGarbageAnswers(t *testing.T) {
	cases := []struct {
		failure, contentType string
		readErr              bool // reading the body fails
		body                 string
	}{
		{Truncated, "application/json", true, `{"items":[`},
		{InvalidJSON, "application/json", false, `{"items": [}`},
		{HTMLPage, "text/html;charset=utf-8", false, "<!DOCTYPE html>"},
		{StreamClose, "text/event-stream", false, ""},
	}
	for _, c := range cases {
		t.Run(c.failure, func(t *testing.T) {
			inj := New(1)
			defer inj.Close()
			served := 0
			srv := httptest.NewServer(inj.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ })))
			defer srv.Close()
			if err := inj.Set(Fault{Failure: c.failure}); err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(srv.URL + "/queue/api/json")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, rerr := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.contentType || (rerr != nil) != c.readErr || !strings.HasPrefix(string(b), c.body) {
				t.Errorf("%d %q body %.60q read error %v; want 200 %q starting %q, read error %v", resp.StatusCode, resp.Header.Get("Content-Type"), b, rerr, c.contentType, c.body, c.readErr)
			}
			if served != 0 {
				t.Errorf("the simulator served the request %d times; a garbage answer serves nothing", served)
			}
			var v any
			if json.Unmarshal(b, &v) == nil && c.body != "" {
				t.Errorf("the body decodes as JSON: %q", b)
			}
		})
	}
}
