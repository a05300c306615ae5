package apiserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-logr/logr"

	"minka/api/v1alpha1"
	"minka/store/storetest"
)

const (
	viewToken   = "view-token"
	deployToken = "deploy-token"
	editToken   = "edit-token"
	adminToken  = "admin-token"
)

func tokenConfig() Config {
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	return Config{Auth: AuthConfig{Tokens: []TokenConfig{
		{Name: "viewer", Role: RoleView, SHA256: hash(viewToken)},
		{Name: "jenkins-deploy", Role: RoleDeploy, SHA256: hash(deployToken)},
		{Name: "ci-bot", Role: RoleEdit, SHA256: hash(editToken)},
		{Name: "ops", Role: RoleAdmin, SHA256: hash(adminToken)},
	}}}
}

// whoami answers "name role" of the context's user, after reading the
// body (so that the limit shows).
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.ReadAll(r.Body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "too big", http.StatusRequestEntityTooLarge)
			return
		}
	}
	u, ok := UserFrom(r.Context())
	if !ok {
		http.Error(w, "no user in the context", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%s %s", u.Name, u.Role)
})

// chainServer is an API server with tokens and a small body limit, and two
// routes beside the resource API: /hooks/ (Handle: authorised by method)
// and /repostatus (Mount with Attributes of a status write).
func chainServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	st, _ := storetest.Store(t)
	srv, err := New(st, Options{Config: cfg, Log: logr.Discard(), MaxBodyBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle("/hooks/", whoami)
	protected := srv.Protected(whoami)
	srv.Mount("/repostatus", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := Attributes{Verb: "update", APIGroup: v1alpha1.Group, Resource: "repos", Subresource: "status", Path: r.URL.Path}
		protected.ServeHTTP(w, r.WithContext(WithAttributes(r.Context(), a)))
	}))
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return hs
}

type answer struct {
	code   int
	body   string
	reason string // of a kind: Status body
	authn  string // WWW-Authenticate
}

// send makes a request with token as a bearer token, or as the whole
// Authorization header when it has a space in it.
func send(t *testing.T, url, method, token, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	switch {
	case strings.Contains(token, " "):
		req.Header.Set("Authorization", token)
	case token != "":
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{code: resp.StatusCode, body: strings.TrimSpace(string(raw)), authn: resp.Header.Get("WWW-Authenticate")}
	var st struct{ Kind, Reason string }
	if json.Unmarshal(raw, &st) == nil && st.Kind == "Status" {
		a.reason, a.body = st.Reason, ""
	}
	return a
}

// TestMiddlewareChain mounts routes beside the resource API through the
// chain and shows it authenticates, authorises and limits them as it does
// resources.
func TestMiddlewareChain(t *testing.T) {
	hs := chainServer(t, tokenConfig())
	big := strings.Repeat("x", 65)
	cases := []struct {
		reason, method, path, token, body string
		want                              answer
	}{
		{"no token: a 401 Status", "POST", "/hooks/push", "", "", answer{code: 401, reason: "Unauthorized", authn: `Bearer realm="minka"`}},
		{"an unknown token: 401", "GET", "/hooks/push", "nope", "", answer{code: 401, reason: "Unauthorized", authn: `Bearer realm="minka"`}},
		{"not a bearer token: 401", "GET", "/hooks/push", "Basic dmlld2VyOnZpZXctdG9rZW4=", "", answer{code: 401, reason: "Unauthorized", authn: `Bearer realm="minka"`}},
		{"view may read", "GET", "/hooks/push", viewToken, "", answer{code: 200, body: "viewer view"}},
		{"view may not write: a 403 Status", "POST", "/hooks/push", viewToken, "{}", answer{code: 403, reason: "Forbidden"}},
		{"edit writes, its user in the context", "POST", "/hooks/push", editToken, "{}", answer{code: 200, body: "ci-bot edit"}},
		{"edit deletes", "DELETE", "/hooks/push", editToken, "", answer{code: 200, body: "ci-bot edit"}},
		{"the body limit holds", "POST", "/hooks/push", editToken, big, answer{code: 413, body: "too big"}},
		{"Attributes from the route: edit may not write status", "PUT", "/repostatus", editToken, "{}", answer{code: 403, reason: "Forbidden"}},
		{"Attributes from the route: admin may", "PUT", "/repostatus", adminToken, "{}", answer{code: 200, body: "ops admin"}},
		{"resources: no token is still 401", "GET", poolPath, "", "", answer{code: 401, reason: "Unauthorized", authn: `Bearer realm="minka"`}},
		{"resources: view may not create", "POST", poolPath, viewToken, pool("a"), answer{code: 403, reason: "Forbidden"}},
		{"resources: edit may not write status", "PUT", poolPath + "/a/status", editToken, pool("a"), answer{code: 403, reason: "Forbidden"}},
		{"resources: the limit is a 413 Status", "POST", poolPath, editToken, pool(big), answer{code: 413, reason: "RequestEntityTooLarge"}},
		{"resources: a path naming no resource is 401 without a token", "GET", "/apis/minka.dev/v1alpha1/pods", "", "", answer{code: 401, reason: "Unauthorized", authn: `Bearer realm="minka"`}},
		{"resources: and 404 with one", "GET", "/apis/minka.dev/v1alpha1/pods", viewToken, "", answer{code: 404, reason: "NotFound"}},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			if got := send(t, hs.URL+c.path, c.method, c.token, c.body); got != c.want {
				t.Errorf("%s %s: -want +got\n- %+v\n+ %+v", c.method, c.path, c.want, got)
			}
		})
	}
}

// TestForbiddenNamesWhatWasAsked: the 403 Status says who asked for what.
func TestForbiddenNamesWhatWasAsked(t *testing.T) {
	hs := chainServer(t, tokenConfig())
	cases := []struct{ reason, method, path, want string }{
		{"a route", "POST", "/hooks/push", `forbidden: user \"viewer\" (role view) cannot create path \"/hooks/push\"`},
		{"a resource", "POST", poolPath, `slavepools.minka.dev is forbidden: user \"viewer\" (role view) cannot create slavepools in namespace ci`},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, hs.URL+c.path, strings.NewReader(pool("a")))
		req.Header.Set("Authorization", "Bearer "+viewToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(raw), `"message":"`+c.want+`"`) {
			t.Errorf("%s: the 403 lacks the message %s:\n%s", c.reason, c.want, raw)
		}
	}
}

// TestPublicPaths: probes, metrics, version and discovery need no token
// even with auth on; everything else does.
func TestPublicPaths(t *testing.T) {
	hs := chainServer(t, tokenConfig())
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/version", "/apis", "/apis/minka.dev", "/apis/minka.dev/v1alpha1"} {
		if got := send(t, hs.URL+p, "GET", "", ""); got.code != 200 {
			t.Errorf("GET %s without a token: %d, want 200", p, got.code)
		}
	}
	if got := send(t, hs.URL+"/apis/minka.dev/v1alpha1/slavepools", "GET", "", ""); got.code != 401 {
		t.Errorf("list without a token: %d, want 401", got.code)
	}
	// The request metrics sit outside authentication: refusals count too.
	const want = `apiserver_request_total{code="401",resource="slavepools",subresource="",verb="list"} 1`
	if got := send(t, hs.URL+"/metrics", "GET", "", ""); !strings.Contains(got.body, want) {
		t.Errorf("/metrics lacks %s", want)
	}
}

// TestWithoutTokensEveryoneIsAnonymousAdmin: with no token configured the
// chain lets everything through as Anonymous.
func TestWithoutTokensEveryoneIsAnonymousAdmin(t *testing.T) {
	hs := chainServer(t, Config{})
	for _, method := range []string{"GET", "POST", "DELETE"} {
		want := answer{code: 200, body: Anonymous + " admin"}
		if got := send(t, hs.URL+"/hooks/push", method, "", ""); got != want {
			t.Errorf("%s without auth: -want +got\n- %+v\n+ %+v", method, want, got)
		}
	}
	if got := send(t, hs.URL+"/repostatus", "PUT", "", ""); got.code != 200 {
		t.Errorf("a status write without auth: %d, want 200", got.code)
	}
}
