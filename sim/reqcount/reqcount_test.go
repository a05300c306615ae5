package reqcount

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCounter(t *testing.T) {
	var c Counter
	h := c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	for _, u := range []string{"/queue/api/json?tree=items[id]", "/queue/api/json", "/computer/api/json"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, u, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/computer/doCreateItem", nil))
	got := c.Counts()
	want := map[string]int64{"GET /queue/api/json": 2, "GET /computer/api/json": 1, "POST /computer/doCreateItem": 1}
	if len(got) != len(want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	c.Reset()
	if n := len(c.Counts()); n != 0 {
		t.Errorf("after Reset: %d paths counted", n)
	}
}
