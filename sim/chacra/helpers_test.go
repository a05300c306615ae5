package chacra

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

// shaman records the callbacks it receives; fail answers that many with
// a 500 first.
type shaman struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []received
	fail int
}

type received struct {
	Path, User, Key, ContentType string
	Body                         map[string]any
}

func newShaman(t *testing.T) *shaman {
	s := &shaman{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		u, k, _ := r.BasicAuth()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.fail > 0 {
			s.fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		s.got = append(s.got, received{r.URL.Path, u, k, r.Header.Get("Content-Type"), body})
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shaman) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// statuses lists the status of each callback about one distro.
func (s *shaman) statuses(distro string) []string {
	var out []string
	for _, r := range s.received() {
		if r.Body["distro"] == distro {
			out = append(out, r.Body["status"].(string))
		}
	}
	return out
}

// env is one node behind a real HTTP server.
type env struct {
	node *Node
	base string
}

func setup(t *testing.T, opts Options) env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	opts.URL = "http://" + srv.Listener.Addr().String()
	n := New(opts)
	srv.Config.Handler = n
	srv.Start()
	t.Cleanup(func() { n.Close(); srv.Close() })
	return env{n, srv.URL}
}

type answer struct {
	code int
	hdr  http.Header
	body []byte
}

func (a answer) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("not JSON (%d): %q", a.code, a.body)
	}
	return v
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request; auth is "user:key" or "".
func (e env) do(t *testing.T, method, path, auth, ctype string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		u, k, _ := bytes.Cut([]byte(auth), []byte(":"))
		req.SetBasicAuth(string(u), string(k))
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

func (e env) get(t *testing.T, path string) answer { return e.do(t, "GET", path, "", "", nil) }

func (e env) postJSON(t *testing.T, path, body string) answer {
	return e.do(t, "POST", path, "admin:secret", "application/json", []byte(body))
}

// form is a multipart body with a file and the other fields given.
func form(t *testing.T, name string, data []byte, fields map[string]string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func (e env) upload(t *testing.T, method, path, auth, name string, data []byte, fields map[string]string) answer {
	t.Helper()
	body, ct := form(t, name, data, fields)
	return e.do(t, method, path, auth, ct, body)
}

// eventually polls cond until it holds or a few seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// repoState reads a repo's JSON over HTTP.
func (e env) repoState(t *testing.T, path string) map[string]any {
	t.Helper()
	a := e.get(t, path)
	if a.code != 200 {
		t.Fatalf("GET %s: %d %s", path, a.code, a.body)
	}
	return a.json(t).(map[string]any)
}
