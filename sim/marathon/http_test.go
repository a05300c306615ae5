package marathon

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// reply is one plain-HTTP answer.
type reply struct {
	code int
	hdr  http.Header
	body []byte
}

func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%d %s: not a JSON object: %v", r.code, r.body, err)
	}
	return m
}

func (r reply) message(t *testing.T) string {
	t.Helper()
	s, _ := r.obj(t)["message"].(string)
	return s
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send makes one request with exactly this path (nothing cleans it) and
// headers ("Content-Type" and "Accept" among them, as given).
func send(t *testing.T, base, method, path string, hdr map[string]string, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

// asJSON are the headers go-marathon and most clients send.
var asJSON = map[string]string{"Content-Type": "application/json", "Accept": "application/json"}

// newSim is a cluster on a fixed clock, served over HTTP.
func newSim(t *testing.T) (*Cluster, *httptest.Server, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	c := New(Options{Now: clk.Now})
	hs := httptest.NewServer(c.Marathon())
	t.Cleanup(func() { c.Close(); hs.Close() })
	return c, hs, clk
}

// putApp creates or updates an app through PUT /v2/apps<path>.
func putApp(t *testing.T, base, path, body string) reply {
	t.Helper()
	r := send(t, base, http.MethodPut, "/v2/apps"+path, asJSON, body)
	if r.code != http.StatusOK && r.code != http.StatusCreated {
		t.Fatalf("PUT /v2/apps%s: %d %s", path, r.code, r.body)
	}
	return r
}
