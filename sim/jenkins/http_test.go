package jenkins

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// rq is one raw HTTP request to the simulator; redirects are not followed.
type rq struct {
	method, path, body, ctype string
	auth                      string // "" = the API token, "none", "password", "bad"
	header                    map[string]string
}

type rs struct {
	code int
	h    http.Header
	body string
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func send(t *testing.T, base string, q rq) rs {
	t.Helper()
	if q.method == "" {
		q.method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(context.Background(), q.method, base+q.path, strings.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	switch q.auth {
	case "":
		req.SetBasicAuth("admin", "token")
	case "password":
		req.SetBasicAuth("admin", "secret")
	case "bad":
		req.SetBasicAuth("admin", "nope")
	}
	if q.ctype != "" {
		req.Header.Set("Content-Type", q.ctype)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rs{resp.StatusCode, resp.Header, string(b)}
}

// world is a simulator with a job "webapp" (parameter DISTRO, label
// trusty&&amd64) whose build #1 runs on the JNLP agent "agent-1" (2
// executors, connected), a plain job "plain", and an offline JNLP agent
// "agent-2", reached at base.
func world(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = newClock().Now
	}
	if opts.BuildDuration == 0 {
		opts.BuildDuration = 1e12 // builds outlast the test
	}
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })
	for _, r := range []rq{
		{method: "POST", path: "/createItem?name=webapp", body: trustyJob, ctype: "application/xml"},
		{method: "POST", path: "/createItem?name=plain", body: "<project><builders/></project>", ctype: "text/xml; charset=utf-8"},
		{method: "POST", path: "/computer/doCreateItem?" + newNodeForm("agent-1").Encode()},
		{method: "POST", path: "/computer/doCreateItem?" + newNodeForm("agent-2").Encode()},
		{method: "POST", path: "/job/webapp/buildWithParameters?DISTRO=xenial"}, // #1, runs on agent-1
	} {
		if got := send(t, hs.URL, r); got.code >= 400 {
			t.Fatalf("setup %s %s: %d %s", r.method, r.path, got.code, got.body)
		}
	}
	secret, _ := s.Secret("agent-1")
	if err := s.Connect("agent-1", secret); err != nil {
		t.Fatal(err)
	}
	if s.Running() != 1 {
		t.Fatalf("setup: webapp #1 is not running")
	}
	return s, hs.URL
}
