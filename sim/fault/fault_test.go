package fault

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
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
