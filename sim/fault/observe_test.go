package fault

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Observe sees every matched request with its body, and tells the ones
// whose reply a lost-reply failure swallowed from the ones answered.
func TestObserve(t *testing.T) {
	inj := New(1)
	defer inj.Close()
	var applied []string
	h := inj.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		applied = append(applied, string(b))
		_, _ = io.WriteString(w, "ok")
	}))
	var mu sync.Mutex
	seen := map[string]bool{}
	srv := httptest.NewServer(Observe(h, func(r *http.Request) bool { return r.Method == http.MethodPost },
		func(_ *http.Request, body []byte, replied bool) { mu.Lock(); seen[string(body)] = replied; mu.Unlock() }))
	defer srv.Close()
	hc := &http.Client{Timeout: 200 * time.Millisecond}
	for _, c := range []struct{ body, failure string }{{"answered", ""}, {"reset", AppliedReset}, {"hung", AppliedHang}} {
		if c.failure != "" {
			if err := inj.Set(Fault{Failure: c.failure, Count: 1}); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := hc.Post(srv.URL, "text/plain", strings.NewReader(c.body))
		if err == nil {
			resp.Body.Close()
		}
		if (err == nil) != (c.failure == "") {
			t.Errorf("%s: err %v", c.body, err)
		}
	}
	time.Sleep(50 * time.Millisecond) // the hung handler returns once its client left
	mu.Lock()
	defer mu.Unlock()
	want := map[string]bool{"answered": true, "reset": false, "hung": false}
	for k, v := range want {
		if got, ok := seen[k]; !ok || got != v {
			t.Errorf("%s: seen %v (present %v), want replied=%v", k, got, ok, v)
		}
	}
	if strings.Join(applied, ",") != "answered,reset,hung" {
		t.Errorf("applied %v, want every body once, in order", applied)
	}
}
