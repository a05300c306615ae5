package slack

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hooks most tests register (setup).
const (
	slackHook  = "/services/T0001/B0001/tok1"
	mmHook     = "/hooks/abc123"
	rocketHook = "/hooks/int1/tok1"
)

const (
	jsonType = "application/json"
	formType = "application/x-www-form-urlencoded"
)

// clock is a test's time: it moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one server behind a real HTTP server, on a test clock.
type env struct {
	srv   *Server
	base  string
	clock *clock
}

func setup(t *testing.T, opts Options) env {
	t.Helper()
	c := &clock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })
	return env{srv: s, base: hs.URL, clock: c}
}

// answer is what a request got back.
type answer struct {
	code   int
	header http.Header
	body   string
}

func (e env) do(t *testing.T, method, path, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (e env) post(t *testing.T, path, contentType, body string) answer {
	t.Helper()
	return e.do(t, http.MethodPost, path, contentType, body)
}

// form is body as Slack's documented form: payload=<the JSON>.
func form(body string) string { return url.Values{"payload": {body}}.Encode() }
