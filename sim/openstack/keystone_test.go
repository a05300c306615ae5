package openstack

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"minka/sim/internal/jsonshape"
)

// TestIdentityVersionDiscovery: the URLs keystoneauth's discovery and
// the openstack CLI use, as Keystone answers them (keystone/api/
// discovery.py; URLNormalizingMiddleware strips trailing slashes;
// keystone/tests/unit/test_versions.py asserts 200 for /v3 and /v3/ and
// 300 for /). The documents match keystone/version-v3.json and
// keystone/versions.json.
func TestIdentityVersionDiscovery(t *testing.T) {
	e := setup(t, Options{})
	v3 := e.base + "/identity/v3/"
	cases := []struct {
		method, path string
		h            hdr
		body         string
		status       int
		ctype        string
		ref          string // reference the body's shape must match
		check        func(r reply) string
	}{
		{"GET", "/identity/v3", hdr{"Accept": "application/json"}, "", 200, "application/json", "keystone/version-v3.json",
			func(r reply) string {
				return want(str(r.body, "version", "links", "0", "href") == v3, "self link %s", v3)
			}},
		{"GET", "/identity/v3/", nil, "", 200, "application/json", "keystone/version-v3.json",
			func(r reply) string { return want(str(r.body, "version", "id") == "v3.14", "id v3.14") }},
		{"GET", "/identity/v3///", nil, "", 200, "application/json", "keystone/version-v3.json", nil},
		{"HEAD", "/identity/v3", nil, "", 200, "application/json", "", func(r reply) string { return want(r.raw == "", "no body") }},
		{"GET", "/identity/", nil, "", 300, "application/json", "keystone/versions.json",
			func(r reply) string { return want(r.header.Get("Location") == v3, "Location %s", v3) }},
		{"GET", "/identity", nil, "", 300, "application/json", "keystone/versions.json", nil},
		{"POST", "/identity/v3", nil, "", 405, "text/html; charset=utf-8", "", func(r reply) string {
			return want(strings.Contains(r.header.Get("Allow"), "GET") && strings.Contains(r.raw, "<title>405 Method Not Allowed</title>"),
				"Werkzeug's 405 page with Allow")
		}},
		{"GET", "/identity/v2.0", nil, "", 404, "text/html; charset=utf-8", "", func(r reply) string {
			return want(strings.Contains(r.raw, "The requested URL was not found on the server."), "Werkzeug's 404 page")
		}},
		{"GET", "/identity//v3", nil, "", 308, "text/html; charset=utf-8", "", func(r reply) string {
			return want(r.header.Get("Location") == e.base+"/identity/v3", "merge_slashes redirect to /identity/v3")
		}},
		{"POST", "/identity/v3/auth/tokens", hdr{"Content-Type": "text/plain"}, "x", 400, "application/json", "", func(r reply) string {
			return want(strings.HasPrefix(str(r.body, "error", "message"), "Expecting to find application/json in Content-Type header."),
				"json_body_before_request's ValidationError")
		}},
		{"POST", "/identity/v3/auth/tokens", nil, "[1]", 400, "application/json", "", func(r reply) string {
			return want(strings.HasPrefix(str(r.body, "error", "message"), "Expecting to find valid JSON in request body."), "not a dict")
		}},
		{"POST", "/identity/v3/auth/tokens/", nil, fmt.Sprintf(tokenRequest, "secret"), 201, "application/json", "", func(r reply) string {
			return want(r.header.Get("X-Subject-Token") != "", "a token, the trailing slash stripped")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.send(t, tc.method, tc.path, tc.body, tc.h)
			if r.status != tc.status || r.header.Get("Content-Type") != tc.ctype || r.header.Get("Vary") != "X-Auth-Token" {
				t.Fatalf("%d %q Vary %q, want %d %q Vary X-Auth-Token: %s", r.status, r.header.Get("Content-Type"),
					r.header.Get("Vary"), tc.status, tc.ctype, r.raw)
			}
			if tc.ref != "" {
				if d := jsonshape.Diff(readRef(t, tc.ref), r.body); len(d) > 0 {
					t.Errorf("differs from %s: %v", tc.ref, d)
				}
			}
			if tc.check != nil {
				if msg := tc.check(r); msg != "" {
					t.Errorf("want %s; got %s", msg, r.raw)
				}
			}
		})
	}
}

// want returns "" when ok, else the formatted expectation.
func want(ok bool, format string, args ...any) string {
	if ok {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// TestTokenValidateRevoke: GET/HEAD/DELETE /v3/auth/tokens
// (keystone/api/auth.py AuthTokenResource, token/provider.py): validate,
// revoke, and what a revoked token gets from Keystone and from Nova.
func TestTokenValidateRevoke(t *testing.T) {
	e := setup(t, Options{})
	issued := e.send(t, "POST", "/identity/v3/auth/tokens", fmt.Sprintf(tokenRequest, "secret"), nil)
	sub := issued.header.Get("X-Subject-Token")
	me := e.pc.Token()
	cases := []struct {
		name, method, path string
		h                  hdr
		status             int
		check              func(r reply) string
	}{
		{"validate", "GET", "/identity/v3/auth/tokens", hdr{"X-Auth-Token": me, "X-Subject-Token": sub}, 200, func(r reply) string {
			return want(r.header.Get("X-Subject-Token") == sub && get(r.body, "token", "catalog") != nil, "the token with its catalog")
		}},
		{"nocatalog", "GET", "/identity/v3/auth/tokens?nocatalog", hdr{"X-Auth-Token": me, "X-Subject-Token": sub}, 200,
			func(r reply) string { return want(!has(r.body, "catalog", "token"), "no catalog") }},
		{"check", "HEAD", "/identity/v3/auth/tokens", hdr{"X-Auth-Token": me, "X-Subject-Token": sub}, 200,
			func(r reply) string { return want(r.raw == "", "no body") }},
		{"no caller token", "GET", "/identity/v3/auth/tokens", hdr{"X-Subject-Token": sub}, 401, func(r reply) string {
			return want(r.header.Get("WWW-Authenticate") == `Keystone uri="`+e.base+`/identity/v3"`, "WWW-Authenticate naming base_url()")
		}},
		{"no subject", "GET", "/identity/v3/auth/tokens", hdr{"X-Auth-Token": me}, 404,
			func(r reply) string {
				return want(str(r.body, "error", "message") == "No token in the request", "TokenNotFound")
			}},
		{"not a token", "GET", "/identity/v3/auth/tokens", hdr{"X-Auth-Token": me, "X-Subject-Token": "garbage"}, 400,
			func(r reply) string {
				return want(str(r.body, "error", "message") == "Could not recognize Fernet token", "ValidationError")
			}},
		{"revoke", "DELETE", "/identity/v3/auth/tokens", hdr{"X-Auth-Token": me, "X-Subject-Token": sub}, 204, nil},
		{"revoked", "GET", "/identity/v3/auth/tokens", hdr{"X-Auth-Token": me, "X-Subject-Token": sub}, 404, func(r reply) string {
			return want(str(r.body, "error", "message") == "Could not find token: "+sub+".", "Could not find token")
		}},
		{"revoked at Nova", "GET", "/compute/v2.1/servers", hdr{"X-Auth-Token": sub}, 401, nil},
		{"PUT", "PUT", "/identity/v3/auth/tokens", hdr{"X-Auth-Token": me}, 405, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(t, tc.method, tc.path, "", tc.h)
			if r.status != tc.status {
				t.Fatalf("%d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.check != nil {
				if msg := tc.check(r); msg != "" {
					t.Errorf("want %s; got %s", msg, r.raw)
				}
			}
		})
	}
	if http.StatusOK != e.send(t, "GET", "/compute/v2.1/servers", "", nil).status {
		t.Error("the caller's own token stopped working")
	}
}
