package slack

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"minka/sim/fault"
)

// TestFaultSequence: faults of Count 1 set in order fail consecutive
// requests in that order (500, then 429), then the hook posts again;
// only the posted requests are messages, all of them attempts.
func TestFaultSequence(t *testing.T) {
	cases := []struct {
		name       string
		opts       Options
		retryAfter string
	}{
		{"default Retry-After", Options{}, "1"},
		{"FaultRetryAfter", Options{FaultRetryAfter: 6500 * time.Millisecond}, "7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, tc.opts)
			e.srv.AddHook(slackHook)
			other := e.srv.AddHook("/services/T0002/B0002/tok2")
			// The first over HTTP, as a minka dev user sets it; the second from Go.
			b, _ := json.Marshal(fault.Fault{Match: "POST " + slackHook, Failure: RollupError, Count: 1})
			if resp, err := http.Post(e.base+"/__sim/faults", jsonType, bytes.NewReader(b)); err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST /__sim/faults: %v %v", resp, err)
			}
			if err := e.srv.Faults.Set(fault.Fault{Match: "POST " + slackHook, Failure: RateLimited, Count: 1}); err != nil {
				t.Fatal(err)
			}
			if got := e.post(t, other, jsonType, `{"text":"other"}`); got.code != http.StatusOK {
				t.Fatalf("another hook: %d, want 200 (the faults match one path)", got.code)
			}
			want := []struct {
				code             int
				body, retryAfter string
			}{
				{500, "rollup_error", ""}, {429, "rate_limited", tc.retryAfter}, {200, "ok", ""}, {200, "ok", ""},
			}
			for i, w := range want {
				got := e.post(t, slackHook, jsonType, `{"text":"hi"}`)
				if got.code != w.code || got.body != w.body || got.header.Get("Retry-After") != w.retryAfter {
					t.Fatalf("request %d: %d %q Retry-After %q, want %d %q %q", i, got.code, got.body, got.header.Get("Retry-After"), w.code, w.body, w.retryAfter)
				}
			}
			if n := len(e.srv.MessagesFor(slackHook)); n != 2 {
				t.Fatalf("%d messages, want the 2 answered 200", n)
			}
			var statuses []int
			for _, a := range e.srv.Attempts() {
				statuses = append(statuses, a.Status)
			}
			if want := []int{200, 500, 429, 200, 200}; !slices.Equal(statuses, want) {
				t.Fatalf("attempt statuses %v, want %v", statuses, want)
			}
		})
	}
}

// TestFaultShapes: the named failures answer in the hook's service's
// shape, so a Mattermost client sees a Mattermost 429.
func TestFaultShapes(t *testing.T) {
	cases := []struct {
		path, failure string
		code          int
		body          string
	}{
		{mmHook, RateLimited, 429, "limit exceeded\n"},
		{rocketHook, RollupError, 500, `{"error":"Internal server error","success":false}`},
	}
	for _, tc := range cases {
		e := setup(t, Options{})
		e.srv.AddHook(tc.path)
		_ = e.srv.Faults.Set(fault.Fault{Failure: tc.failure, Count: 1})
		if got := e.post(t, tc.path, jsonType, `{"text":"hi"}`); got.code != tc.code || got.body != tc.body {
			t.Errorf("%s %s: %d %q, want %d %q", tc.path, tc.failure, got.code, got.body, tc.code, tc.body)
		}
	}
}

// TestCloseReleasesHang: Close ends a request held by a hang fault, so
// the test server can shut down; a hung request posts nothing.
func TestCloseReleasesHang(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(slackHook)
	_ = e.srv.Faults.Set(fault.Fault{Failure: fault.Hang})
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Post(e.base+slackHook, jsonType, bytes.NewReader([]byte(`{"text":"hi"}`)))
		if err == nil {
			resp.Body.Close()
		}
	}()
	for len(e.srv.Attempts()) == 0 { // the request has arrived
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
		t.Fatal("the hang fault answered before Close")
	case <-time.After(50 * time.Millisecond):
	}
	e.srv.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the hanging request")
	}
	if n := len(e.srv.Messages()); n != 0 {
		t.Fatalf("%d messages, want none", n)
	}
}
