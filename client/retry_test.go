package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// TestRetries: a request the server did not take is sent again after its
// Retry-After, as client-go does: a 429 whatever the method, a 503 or 504
// only for a GET; without Retry-After, or past maxRetries, the error is
// the caller's.
func TestRetries(t *testing.T) {
	cases := []struct {
		reason     string
		method     string
		code       int
		retryAfter string
		refusals   int // answers with code before a 200
		wantCalls  int32
		wantErr    int // 0: success
	}{
		{"a GET past the in-flight limit", "GET", 429, "0", 2, 3, 0},
		{"a POST past the in-flight limit", "POST", 429, "0", 1, 2, 0},
		{"a GET while etcd is unavailable", "GET", 503, "0", 1, 2, 0},
		{"a GET while etcd is slow", "GET", 504, "0", 1, 2, 0},
		{"a POST while etcd is unavailable may have been applied", "POST", 503, "0", 1, 1, 503},
		{"a 429 without Retry-After", "GET", 429, "", 1, 1, 429},
		{"a 500 with Retry-After", "GET", 500, "0", 1, 1, 500},
		{"a 429 that never ends", "PUT", 429, "0", 100, 1 + maxRetries, 429},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			var calls atomic.Int32
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != c.method {
					t.Errorf("method %s, want %s", r.Method, c.method)
				}
				if n := calls.Add(1); int(n) <= c.refusals {
					if c.retryAfter != "" {
						w.Header().Set("Retry-After", c.retryAfter)
					}
					http.Error(w, "refused", c.code)
					return
				}
				_, _ = w.Write([]byte(`{}`))
			}))
			defer hs.Close()
			cl, err := New(Config{Server: hs.URL})
			if err != nil {
				t.Fatal(err)
			}
			var body any
			if c.method != "GET" {
				body = map[string]string{"a": "b"}
			}
			err = cl.do(context.Background(), c.method, "/x", nil, body, nil)
			if got := calls.Load(); got != c.wantCalls {
				t.Errorf("%d requests, want %d", got, c.wantCalls)
			}
			var se *apierrors.StatusError
			switch {
			case c.wantErr == 0 && err != nil:
				t.Errorf("error %v, want success", err)
			case c.wantErr != 0 && (!errors.As(err, &se) || int(se.ErrStatus.Code) != c.wantErr):
				t.Errorf("error %v, want a %d", err, c.wantErr)
			}
		})
	}
}

// TestRetryStopsWithTheContext: a Retry-After longer than the caller's
// deadline ends the wait with the refusal.
func TestRetryStopsWithTheContext(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "busy", http.StatusTooManyRequests)
	}))
	defer hs.Close()
	cl, _ := New(Config{Server: hs.URL})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := cl.do(ctx, "GET", "/x", nil, nil, nil)
	if d := time.Since(start); d > 2*time.Second || !apierrors.IsTooManyRequests(err) {
		t.Errorf("after %v: %v, want the 429 once the 300ms deadline passed", d, err)
	}
}
