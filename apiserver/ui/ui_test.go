package ui

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"minka/apiserver"
	"minka/store/storetest"
)

const (
	viewToken  = "ui-view-token-0123456789"
	editToken  = "ui-edit-token-0123456789"
	apiPath    = "/apis/minka.dev/v1alpha1/namespaces/ci/deployments"
	deployment = `{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"web","namespace":"ci"},
		"spec":{"image":"nginx:1","cpus":0.1,"mem":64}}`
)

func hash(tok string) string { s := sha256.Sum256([]byte(tok)); return hex.EncodeToString(s[:]) }

// newView serves the API server on embedded etcd with a view and an edit
// token, and the view mounted at /ui/, over real HTTP.
func newView(t *testing.T) *httptest.Server {
	t.Helper()
	st, _ := storetest.Store(t)
	api, err := apiserver.New(st, apiserver.Options{Log: logr.Discard(), Config: apiserver.Config{Auth: apiserver.AuthConfig{Tokens: []apiserver.TokenConfig{
		{Name: "viewer", Role: apiserver.RoleView, SHA256: hash(viewToken)},
		{Name: "editor", Role: apiserver.RoleEdit, SHA256: hash(editToken)},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	h, err := New(Options{API: api, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	api.Mount(Prefix+"/", h)
	api.Mount(Prefix, h)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	code   int
	body   string
	header http.Header
}

func do(t *testing.T, method, url, body string, header map[string]string, cookie *http.Cookie) reply {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b), resp.Header}
}

// login logs in with tok and returns the session cookie and CSRF token.
func login(t *testing.T, srv *httptest.Server, tok string) (*http.Cookie, string) {
	t.Helper()
	r := do(t, "POST", srv.URL+"/ui/login", `{"token":"`+tok+`"}`, map[string]string{"Content-Type": "application/json"}, nil)
	if r.code != 200 {
		t.Fatalf("login: %d %s", r.code, r.body)
	}
	c, err := http.ParseSetCookie(r.header.Get("Set-Cookie"))
	if err != nil {
		t.Fatal(err)
	}
	var s Session
	if err := json.Unmarshal([]byte(r.body), &s); err != nil {
		t.Fatal(err)
	}
	return c, s.CSRFToken
}

func TestLogin(t *testing.T) {
	srv := newView(t)
	c, csrf := login(t, srv, editToken)
	if c.Name != CookieName || c.Value != editToken || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/ui/" || len(csrf) != 64 {
		t.Errorf("the session cookie %+v, CSRF %q: want the token, HttpOnly, SameSite=Strict, Path /ui/, a 64-digit CSRF token", c, csrf)
	}
	for _, tc := range []struct {
		name, url, body, ctype string
		header                 map[string]string
		code                   int
		says                   string
	}{
		{"wrong token", "/ui/login", `{"token":"nope"}`, "application/json", nil, 401, "not a token this server knows"},
		{"empty token", "/ui/login", `{"token":" "}`, "application/json", nil, 400, "token: required"},
		{"token in the URL", "/ui/login?token=" + editToken, `{"token":"` + editToken + `"}`, "application/json", nil, 400, "never in the URL"},
		{"not JSON", "/ui/login", `token`, "application/json", nil, 400, "not JSON"},
		{"other content type", "/ui/login", editToken, "text/plain", nil, 400, "Content-Type"},
		{"too long", "/ui/login", `{"token":"` + strings.Repeat("x", 5000) + `"}`, "application/json", nil, 400, "longer than any token"},
		{"from another site", "/ui/login", `{"token":"` + editToken + `"}`, "application/json", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "cross-origin"},
		{"form", "/ui/login", "token=" + editToken, "application/x-www-form-urlencoded", nil, 200, `"user":"editor"`},
	} {
		h := map[string]string{"Content-Type": tc.ctype}
		for k, v := range tc.header {
			h[k] = v
		}
		r := do(t, "POST", srv.URL+tc.url, tc.body, h, nil)
		if r.code != tc.code || !strings.Contains(r.body, tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, r.code, r.body, tc.code, tc.says)
		}
		if tc.code != 200 && r.header.Get("Set-Cookie") != "" {
			t.Errorf("%s: a cookie was set: %s", tc.name, r.header.Get("Set-Cookie"))
		}
	}
}

func TestSession(t *testing.T) {
	srv := newView(t)
	if r := do(t, "GET", srv.URL+"/ui/session", "", nil, nil); r.code != 401 || !strings.Contains(r.body, `"authEnabled":true`) {
		t.Errorf("a session without a cookie: %d %s", r.code, r.body)
	}
	if r := do(t, "GET", srv.URL+"/ui/session", "", nil, &http.Cookie{Name: CookieName, Value: "forged"}); r.code != 401 {
		t.Errorf("a session with a forged cookie: %d %s", r.code, r.body)
	}
	for _, tc := range []struct {
		token string
		can   bool
	}{{viewToken, false}, {editToken, true}} {
		c, csrf := login(t, srv, tc.token)
		r := do(t, "GET", srv.URL+"/ui/session", "", nil, c)
		var s Session
		_ = json.Unmarshal([]byte(r.body), &s)
		if r.code != 200 || s.CSRFToken != csrf || len(s.Can) != len(actions) {
			t.Fatalf("session of %s: %d %s", tc.token, r.code, r.body)
		}
		for a, ok := range s.Can {
			if ok != tc.can {
				t.Errorf("session of %s: can %q is %v, want %v", s.Role, a, ok, tc.can)
			}
		}
	}
	// Each token has its own CSRF token.
	_, v := login(t, srv, viewToken)
	_, e := login(t, srv, editToken)
	if v == e {
		t.Error("the view and edit sessions have the same CSRF token")
	}
}

func TestProxy(t *testing.T) {
	srv := newView(t)
	edit, editCSRF := login(t, srv, editToken)
	view, viewCSRF := login(t, srv, viewToken)
	json := map[string]string{"Content-Type": "application/json"}
	with := func(h map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range h {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name         string
		method, path string
		body         string
		header       map[string]string
		cookie       *http.Cookie
		code         int
		says         string
	}{
		{"no session", "GET", apiPath, "", nil, nil, 401, "not logged in"},
		{"a bearer token instead of the session", "GET", apiPath, "", map[string]string{"Authorization": "Bearer " + editToken}, nil, 401, "not logged in"},
		{"a path outside the API", "GET", "/debug/pprof/", "", nil, edit, 404, "not found"},
		{"a write without the CSRF token", "POST", apiPath, deployment, json, edit, 403, "CSRF"},
		{"a write with another session's CSRF token", "POST", apiPath, deployment, with(json, CSRFHeader, viewCSRF), edit, 403, "CSRF"},
		{"a write from another site", "POST", apiPath, deployment, with(json, CSRFHeader, editCSRF, "Sec-Fetch-Site", "cross-site"), edit, 403, "cross-origin"},
		{"the view token's write", "POST", apiPath, deployment, with(json, CSRFHeader, viewCSRF), view, 403, `cannot create deployments`},
		{"an invalid object: the API's own error", "POST", apiPath, strings.Replace(deployment, `"nginx:1"`, `""`, 1), with(json, CSRFHeader, editCSRF), edit, 422, "spec.image"},
		{"the edit token's write", "POST", apiPath, deployment, with(json, CSRFHeader, editCSRF), edit, 201, `"name":"web"`},
		{"a dry run writes nothing", "POST", apiPath + "?dryRun=All", strings.Replace(deployment, `"web"`, `"dry"`, 1), with(json, CSRFHeader, editCSRF), edit, 201, `"name":"dry"`},
		{"the view token's read", "GET", apiPath, "", nil, view, 200, `"name":"web"`},
		{"the dry run's object is not there", "GET", apiPath + "/dry", "", nil, view, 404, "not found"},
		{"a scale", "PATCH", apiPath + "/web/scale", `{"spec":{"replicas":3}}`, map[string]string{"Content-Type": "application/merge-patch+json", CSRFHeader: editCSRF}, edit, 200, `"replicas":3`},
	} {
		r := do(t, tc.method, srv.URL+"/ui/api"+tc.path, tc.body, tc.header, tc.cookie)
		if r.code != tc.code || !strings.Contains(r.body, tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, r.code, r.body, tc.code, tc.says)
		}
	}
	r := do(t, "POST", srv.URL+"/ui/logout", "", nil, edit)
	if r.code != 403 {
		t.Errorf("a logout without the CSRF token: %d, want 403", r.code)
	}
	r = do(t, "POST", srv.URL+"/ui/logout", "", map[string]string{CSRFHeader: editCSRF}, edit)
	if c, err := http.ParseSetCookie(r.header.Get("Set-Cookie")); r.code != 204 || err != nil || c.MaxAge >= 0 {
		t.Errorf("logout: %d %q: want 204 and the cookie removed", r.code, r.header.Get("Set-Cookie"))
	}
}

func TestAssets(t *testing.T) {
	srv := newView(t)
	for _, tc := range []struct{ path, ctype, has string }{
		{"/ui/", "text/html", `<script type="module" src="js/app.js">`},
		{"/ui/js/app.js", "javascript", "import"},
		{"/ui/app.css", "text/css", "@media"},
	} {
		r := do(t, "GET", srv.URL+tc.path, "", nil, nil)
		csp := r.header.Get("Content-Security-Policy")
		if r.code != 200 || !strings.Contains(r.header.Get("Content-Type"), tc.ctype) || !strings.Contains(r.body, tc.has) {
			t.Errorf("GET %s: %d %s", tc.path, r.code, r.header.Get("Content-Type"))
		}
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: CSP %q, nosniff %q", tc.path, csp, r.header.Get("X-Content-Type-Options"))
		}
	}
	if r := do(t, "GET", srv.URL+"/ui", "", nil, nil); r.code != http.StatusMovedPermanently || r.header.Get("Location") != "/ui/" {
		t.Errorf("GET /ui: %d %q", r.code, r.header.Get("Location"))
	}
}

func TestParseWatched(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		says string
	}{
		{nil, "at least one"},
		{[]string{"deployments"}, "not RESOURCE:RESOURCEVERSION"},
		{[]string{"pods:1"}, `"pods" is not a resource`},
		{[]string{"deployments:x"}, "must be a positive number"},
		{[]string{"deployments:0"}, "must be a positive number"},
		{[]string{"deployments:1", "deployments:2"}, "named twice"},
		{strings.Split(strings.Repeat("events:1,", maxWatched+1), ",")[:maxWatched+1], "at most"},
		{[]string{"deployments:5", "events:7"}, ""},
	} {
		_, err := parseWatched(tc.in)
		if (err == nil) != (tc.says == "") || (err != nil && !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("parseWatched(%q): %v, want %q", tc.in, err, tc.says)
		}
	}
}

// TestWatch joins two watches: an object created after the lists shows
// up tagged with its resource, and a watch the API refuses ends the
// stream with its Status.
func TestWatch(t *testing.T) {
	srv := newView(t)
	edit, csrf := login(t, srv, editToken)
	var list struct {
		Metadata struct{ ResourceVersion string } `json:"metadata"`
	}
	r := do(t, "GET", srv.URL+"/ui/api"+apiPath, "", nil, edit)
	_ = json.Unmarshal([]byte(r.body), &list)
	rv := list.Metadata.ResourceVersion
	req, _ := http.NewRequest("GET", srv.URL+"/ui/watch?namespace=ci&watch=deployments:"+rv+"&watch=events:"+rv, nil)
	req.AddCookie(edit)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("watch: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if r := do(t, "POST", srv.URL+"/ui/api"+apiPath, deployment, map[string]string{"Content-Type": "application/json", CSRFHeader: csrf}, edit); r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l := <-lines:
			var ev struct {
				Resource, Type string
				Object         struct {
					Metadata struct{ Name string } `json:"metadata"`
				} `json:"object"`
			}
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("a line that is not JSON: %q", l)
			}
			if ev.Resource == "deployments" && ev.Type == "ADDED" && ev.Object.Metadata.Name == "web" {
				goto refused
			}
		case <-deadline:
			t.Fatal("no ADDED line for the deployment within 10s")
		}
	}
refused:
	// A version the API has no history for: the watch it refuses ends
	// the stream, its Status in the END line.
	r = do(t, "GET", srv.URL+"/ui/watch?watch=deployments:"+rv+"&watch=repos:99999999", "", nil, edit)
	if r.code != 200 || !strings.Contains(r.body, `"type":"END"`) || !strings.Contains(r.body, `"resource":"repos"`) {
		t.Errorf("a watch from a future version: %d %s", r.code, r.body)
	}
}
