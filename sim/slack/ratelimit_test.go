package slack

import (
	"net/http"
	"testing"
	"time"
)

// TestRateLimit: a burst passes, the next is 429 "rate_limited" with the
// whole seconds until a token is back, which shrink as time passes; a
// refused request costs nothing, so waiting Retry-After is enough.
func TestRateLimit(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(slackHook, WithRateLimit(RateLimit{Burst: 2, Interval: 3 * time.Second}))
	steps := []struct {
		advance    time.Duration
		code       int
		retryAfter string
	}{
		{0, 200, ""},
		{0, 200, ""},
		{0, 429, "3"},
		{time.Second, 429, "2"},
		{1500 * time.Millisecond, 429, "1"}, // 0.5 s left: rounded up, never 0
		{500 * time.Millisecond, 200, ""},
		{0, 429, "3"},
	}
	for i, st := range steps {
		e.clock.Add(st.advance)
		got := e.post(t, slackHook, jsonType, `{"text":"hi"}`)
		if got.code != st.code || got.header.Get("Retry-After") != st.retryAfter {
			t.Fatalf("step %d: %d Retry-After %q %q, want %d %q", i, got.code, got.header.Get("Retry-After"), got.body, st.code, st.retryAfter)
		}
		if st.code == 429 && got.body != "rate_limited" {
			t.Fatalf("step %d: body %q, want rate_limited", i, got.body)
		}
	}
	if n := len(e.srv.Messages()); n != 3 {
		t.Fatalf("%d messages, want the 3 let through", n)
	}
}

// TestRateLimitDefaults: Options.RateLimit covers hooks without their
// own; a zero WithRateLimit lifts it for one hook.
func TestRateLimitDefaults(t *testing.T) {
	e := setup(t, Options{RateLimit: RateLimit{Burst: 1, Interval: time.Second}})
	limited := e.srv.AddHook(slackHook)
	free := e.srv.AddHook("/services/T0002/B0002/tok2", WithRateLimit(RateLimit{}))
	for _, tc := range []struct {
		path  string
		codes []int
	}{{limited, []int{200, 429}}, {free, []int{200, 200, 200}}} {
		for i, want := range tc.codes {
			if got := e.post(t, tc.path, jsonType, `{"text":"hi"}`); got.code != want {
				t.Fatalf("%s request %d: %d, want %d", tc.path, i, got.code, want)
			}
		}
	}
}

// TestRateLimitShapes: Mattermost's and Rocket.Chat's 429s, with the
// X-RateLimit-* headers both send (Rocket.Chat: no Retry-After).
func TestRateLimitShapes(t *testing.T) {
	cases := []struct {
		name, path, wantType, wantBody, retryAfter, reset string
	}{
		{"mattermost", mmHook, "text/plain; charset=utf-8", "limit exceeded\n", "2", "2"},
		{"rocketchat", rocketHook, jsonType,
			`{"error":"Error, too many requests. Please slow down. You must wait 2 seconds before trying this endpoint again. [error-too-many-requests]","success":false}`,
			"", "1777888802000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, Options{})
			e.srv.AddHook(tc.path, WithRateLimit(RateLimit{Burst: 1, Interval: 2 * time.Second}))
			if got := e.post(t, tc.path, jsonType, `{"text":"hi"}`); got.code != http.StatusOK || got.header.Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("first: %d remaining %q, want 200 and 0 left", got.code, got.header.Get("X-RateLimit-Remaining"))
			}
			got := e.post(t, tc.path, jsonType, `{"text":"hi"}`)
			h := got.header
			if got.code != http.StatusTooManyRequests || h.Get("Content-Type") != tc.wantType || got.body != tc.wantBody {
				t.Fatalf("second: %d %q %q, want 429 %q %q", got.code, h.Get("Content-Type"), got.body, tc.wantType, tc.wantBody)
			}
			if h.Get("Retry-After") != tc.retryAfter || h.Get("X-RateLimit-Limit") != "1" || h.Get("X-RateLimit-Reset") != tc.reset {
				t.Fatalf("headers %v, want Retry-After %q, limit 1, reset %q", h, tc.retryAfter, tc.reset)
			}
		})
	}
}
