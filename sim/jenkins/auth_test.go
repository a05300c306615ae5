package jenkins

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestCrumbsAndAuth: the filter chain in front of Stapler. API token
// requests skip the crumb (jenkins.security.ApiCrumbExclusion); a password
// or anonymous POST needs the crumb DefaultCrumbIssuer issued to its
// session (CrumbFilter); bad credentials are Spring's 401; anonymous without
// Overall/Read gets HudsonAuthenticationEntryPoint's 403, except at the
// UnprotectedRootAction whoAmI. The token's exemption is the last fact of
// the shared reference README (shared/reference/jenkins); the crumb's shape is
// crumb-issuer.synthesized.json's (64 hex digits, field Jenkins-Crumb).
func TestCrumbsAndAuth(t *testing.T) {
	_, base := world(t, Options{Password: "secret"})
	crumbReq := send(t, base, rq{path: "/crumbIssuer/api/json", auth: "password"})
	var crumb struct{ Crumb, CrumbRequestField string }
	if err := json.Unmarshal([]byte(crumbReq.body), &crumb); err != nil || crumb.CrumbRequestField != "Jenkins-Crumb" || len(crumb.Crumb) != 64 {
		t.Fatalf("crumb: %v %s", err, crumbReq.body)
	}
	cookie := strings.Split(crumbReq.h.Get("Set-Cookie"), ";")[0]
	if !strings.HasPrefix(cookie, "JSESSIONID.") {
		t.Fatalf("the crumb came without a session cookie: %q", crumbReq.h.Get("Set-Cookie"))
	}
	other := strings.Split(send(t, base, rq{path: "/crumbIssuer/api/json", auth: "password"}).h.Get("Set-Cookie"), ";")[0]
	build := "/job/plain/build"
	cases := []struct {
		reason string
		q      rq
		code   int
		body   string
		header map[string]string
	}{
		{"API token, no crumb", rq{method: "POST", path: build}, 201, "", nil},
		{"API token, a wrong crumb is not even read", rq{method: "POST", path: build, header: map[string]string{"Jenkins-Crumb": "nope"}}, 201, "", nil},
		{"password, no crumb", rq{method: "POST", path: build, auth: "password"}, 403, "No valid crumb was included in the request",
			map[string]string{"Content-Type": "text/html;charset=iso-8859-1"}},
		{"password, the crumb and its session", rq{method: "POST", path: build, auth: "password", header: map[string]string{"Jenkins-Crumb": crumb.Crumb, "Cookie": cookie}}, 201, "", nil},
		{"password, the crumb as a form field", rq{method: "POST", path: build, auth: "password", ctype: "application/x-www-form-urlencoded",
			body: url.Values{"Jenkins-Crumb": {crumb.Crumb}}.Encode(), header: map[string]string{"Cookie": cookie}}, 201, "", nil},
		{"password, the crumb without its session", rq{method: "POST", path: build, auth: "password", header: map[string]string{"Jenkins-Crumb": crumb.Crumb}}, 403, "No valid crumb", nil},
		{"password, the crumb of another session", rq{method: "POST", path: build, auth: "password", header: map[string]string{"Jenkins-Crumb": crumb.Crumb, "Cookie": other}}, 403, "No valid crumb", nil},
		{"the legacy .crumb field is looked up but not used", rq{method: "POST", path: build, auth: "password", header: map[string]string{".crumb": crumb.Crumb, "Cookie": cookie}}, 403, "No valid crumb", nil},
		{"a wrong token", rq{path: "/api/json", auth: "bad"}, 401, "<h2>HTTP ERROR 401 Unauthorized</h2>", map[string]string{"WWW-Authenticate": `Basic realm="Jenkins"`}},
		{"anonymous without Overall/Read", rq{path: "/api/json", auth: "none"}, 403, "Authentication required",
			map[string]string{"X-Required-Permission": "hudson.model.Hudson.Read", "X-You-Are-Authenticated-As": "anonymous", "X-Jenkins": Version}},
		{"anonymous at whoAmI", rq{path: "/whoAmI/api/json", auth: "none"}, 200, `"anonymous":true,"authenticated":true,"authorities":["anonymous"],"name":"anonymous"`, nil},
		{"anonymous POST, no crumb: CrumbFilter answers first", rq{method: "POST", path: build, auth: "none"}, 403, "No valid crumb", nil},
		{"the JSON error page when asked for", rq{path: "/api/json", auth: "bad", header: map[string]string{"Accept": "application/json"}}, 401, `"status":"401"`, nil},
		{"the text error page when asked for", rq{path: "/api/json", auth: "bad", header: map[string]string{"Accept": "text/plain"}}, 401, "HTTP ERROR 401 Unauthorized\nURI: /api/json\n", nil},
		{"curl's crumb", rq{path: "/crumbIssuer/api/xml?xpath=" + url.QueryEscape(`concat(//crumbRequestField,":",//crumb)`), auth: "password", header: map[string]string{"Cookie": cookie}},
			200, "Jenkins-Crumb:" + crumb.Crumb, map[string]string{"Content-Type": "text/plain;charset=utf-8"}},
		{"the old CLI's crumb", rq{path: "/crumbIssuer/api/xml?xpath=/*/crumb/text()", auth: "password", header: map[string]string{"Cookie": cookie}}, 200, crumb.Crumb, nil},
		{"the crumb issuer in XML", rq{path: "/crumbIssuer/api/xml"}, 200, "<defaultCrumbIssuer _class='hudson.security.csrf.DefaultCrumbIssuer'><crumb>", nil},
	}
	for _, tc := range cases {
		got := send(t, base, tc.q)
		if got.code != tc.code || !strings.Contains(got.body, tc.body) {
			t.Errorf("%s: %s %s = %d %.300q, want %d with %q", tc.reason, tc.q.method, tc.q.path, got.code, got.body, tc.code, tc.body)
		}
		for k, v := range tc.header {
			if got.h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", tc.reason, k, got.h.Get(k), v)
			}
		}
	}
}

// TestAnonymousReadWrites: with "Allow anonymous read access", anonymous
// GETs pass and an anonymous POST with a valid crumb is still refused.
func TestAnonymousReadWrites(t *testing.T) {
	_, base := world(t, Options{AnonymousRead: true})
	if got := send(t, base, rq{path: "/computer/api/json", auth: "none"}); got.code != 200 {
		t.Errorf("anonymous read: %d", got.code)
	}
	c := send(t, base, rq{path: "/crumbIssuer/api/json", auth: "none"})
	var crumb struct{ Crumb string }
	_ = json.Unmarshal([]byte(c.body), &crumb)
	cookie := strings.Split(c.h.Get("Set-Cookie"), ";")[0]
	got := send(t, base, rq{method: "POST", path: "/job/plain/build", auth: "none", header: map[string]string{"Jenkins-Crumb": crumb.Crumb, "Cookie": cookie}})
	if got.code != 403 || !strings.Contains(got.body, "Authentication required") || got.h.Get("X-Required-Permission") != "" {
		t.Errorf("anonymous POST with its crumb: %d %q, want the 403 login page", got.code, got.body)
	}
	if got := send(t, base, rq{path: "/me/api/json", auth: "none"}); got.code != 403 {
		t.Errorf("/me for anonymous: %d, want 403", got.code)
	}
}

// TestAcceptable: which body Jetty's ErrorHandler writes for an Accept.
func TestAcceptable(t *testing.T) {
	cases := map[string]string{
		"*/*": "text/html", "application/json": "application/json", "text/plain, */*": "text/plain",
		"*/*, text/plain": "text/plain", "text/html;q=0.5, application/json": "application/json",
		"application/json;q=0, text/*": "text/html", "image/png": "", "text/json;q=0.9, text/plain;q=0.8": "application/json",
	}
	for accept, want := range cases {
		if got := acceptable(accept); got != want {
			t.Errorf("acceptable(%q) = %q, want %q", accept, got, want)
		}
	}
}
