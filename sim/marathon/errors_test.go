package marathon

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"minka/sim/internal/jsonshape"
)

// TestJerseyRefusals: a path that matches but a method, Content-Type or
// Accept that does not (Jersey 1.18's HttpMethodRule) is 405, 415 or 406
// with MarathonExceptionMapper's {"message": <reason phrase>} as
// application/json; nothing matching is 404 "URI not found: <raw path>"
// (shape as marathon__ANY__unknown_route__404.synthesized.json).
func TestJerseyRefusals(t *testing.T) {
	_, hs, _ := newSim(t)
	putApp(t, hs.URL, "/x", `{"cmd":"sleep 1","cpus":0.1,"mem":16}`)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"} // curl -d
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		code               int
		msg                string
	}{
		{"unknown route", "GET", "/v2/appz", asJSON, 404, "URI not found: /v2/appz"},
		{"raw path in the message", "GET", "/v2/no%20such", asJSON, 404, "URI not found: /v2/no%20such"},
		{"no DELETE on the app list", "DELETE", "/v2/apps", asJSON, 405, "Method Not Allowed"},
		{"restart is POST only: not app x/restart", "GET", "/v2/apps/x/restart", asJSON, 405, "Method Not Allowed"},
		{"a task is DELETE only", "GET", "/v2/apps/x/tasks/x.1", asJSON, 405, "Method Not Allowed"},
		{"ping is GET only", "POST", "/ping", asJSON, 405, "Method Not Allowed"},
		{"the events servlet is exact: POST /v2/events/ is Jersey's", "POST", "/v2/events/", asJSON, 404, "URI not found: /v2/events/"},
		{"form body to a JSON resource", "POST", "/v2/apps", form, 415, "Unsupported Media Type"},
		{"text body to a JSON resource", "PUT", "/v2/apps/x", map[string]string{"Content-Type": "text/plain"}, 415, "Unsupported Media Type"},
		{"@Consumes holds for GET too", "GET", "/v2/apps", form, 415, "Unsupported Media Type"},
		{"apps are JSON only", "GET", "/v2/apps", map[string]string{"Accept": "text/plain"}, 406, "Not Acceptable"},
		{"info is JSON only", "GET", "/v2/info", map[string]string{"Accept": "text/html"}, 406, "Not Acceptable"},
		{"an unknown app", "GET", "/v2/apps/nope", asJSON, 404, "App '/nope' does not exist"},
		{"DELETE of an unknown app is thrown", "DELETE", "/v2/apps/nope", asJSON, 404, "App '/nope' does not exist"},
		{"PATCH does not create", "PATCH", "/v2/apps/nope", asJSON, 404, "App '/nope' does not exist"},
		{"restart of an unknown app", "POST", "/v2/apps/nope/restart", asJSON, 404, "App '/nope' does not exist"},
		{"tasks of an unknown app", "GET", "/v2/apps/nope/tasks", asJSON, 404, "App '/nope' does not exist"},
		{"scale and wipe", "DELETE", "/v2/apps/x/tasks?scale=true&wipe=true", asJSON, 400, "You cannot use scale and wipe at the same time."},
	}
	for _, tc := range cases {
		body := ""
		if tc.method == "POST" || tc.method == "PUT" || tc.method == "PATCH" {
			body = `{"cmd":"sleep 2"}`
		}
		r := send(t, hs.URL, tc.method, tc.path, tc.hdr, body)
		if r.code != tc.code || r.message(t) != tc.msg {
			t.Errorf("%s: %s %s: %d %s, want %d %q", tc.name, tc.method, tc.path, r.code, r.body, tc.code, tc.msg)
		}
		if ct := r.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if tc.code == 405 && r.hdr.Get("Allow") != "" {
			t.Errorf("%s: Allow %q; the exception mapper's new response has none", tc.name, r.hdr.Get("Allow"))
		}
	}
	ref := jsonshape.Load(t, filepath.Join(refDir, "marathon__ANY__unknown_route__404.synthesized.json"))
	if diffs := jsonshape.Diff(ref, send(t, hs.URL, "GET", "/v2/appz", asJSON, "").obj(t)); len(diffs) > 0 {
		t.Errorf("unknown route: %v", diffs)
	}
}

// TestContentTypes: what a resource method answers carries the
// negotiated @Produces type, Marathon's "application/json;qs=2" as
// Jersey's MediaTypeProvider writes it ("application/json; qs=2"); what
// the exception mapper answers is application/json.
func TestContentTypes(t *testing.T) {
	_, hs, _ := newSim(t)
	putApp(t, hs.URL, "/x", `{"cmd":"sleep 1","cpus":0.1,"mem":16}`)
	const qs2 = "application/json; qs=2"
	cases := []struct {
		name, method, path, body string
		code                     int
		ctype                    string
	}{
		{"a list", "GET", "/v2/apps", "", 200, qs2},
		{"an app", "GET", "/v2/apps/x", "", 200, qs2},
		{"unknownApp is the resource's own 404", "GET", "/v2/apps/nope", "", 404, qs2},
		{"withValid's 422", "POST", "/v2/apps", `{"id":"/Bad","cmd":"x"}`, 422, qs2},
		{"AppLockedException is thrown", "PUT", "/v2/apps/x", `{"cmd":"sleep 3"}`, 409, jsonType},
		{"ConflictingChangeException is thrown", "POST", "/v2/apps", `{"id":"/x","cmd":"x"}`, 409, jsonType},
		{"JsonParseException", "POST", "/v2/apps", `{"id":`, 400, jsonType},
		{"AppNotFoundException on DELETE", "DELETE", "/v2/apps/nope", "", 404, jsonType},
		{"unknown route", "GET", "/nowhere", "", 404, jsonType},
	}
	for _, tc := range cases {
		r := send(t, hs.URL, tc.method, tc.path, asJSON, tc.body)
		if r.code != tc.code || r.hdr.Get("Content-Type") != tc.ctype {
			t.Errorf("%s: %d %q, want %d %q (%s)", tc.name, r.code, r.hdr.Get("Content-Type"), tc.code, tc.ctype, r.body)
		}
	}
	// Filters on every response: CacheDisablingFilter, LeaderProxyFilter.
	for _, p := range []string{"/v2/apps", "/nowhere"} {
		h := send(t, hs.URL, "GET", p, asJSON, "").hdr
		if h.Get("Cache-Control") != "no-cache, no-store, must-revalidate" || h.Get("Pragma") != "no-cache" ||
			h.Get("Expires") != "0" || h.Get("X-Marathon-Leader") != "http://marathon.sim:8080" {
			t.Errorf("GET %s: filter headers %v", p, h)
		}
	}
	// HEAD is the GET method without a body.
	if r := send(t, hs.URL, "HEAD", "/v2/apps", asJSON, ""); r.code != 200 || len(r.body) != 0 || r.hdr.Get("Content-Type") != qs2 {
		t.Errorf("HEAD /v2/apps: %d %q %q", r.code, r.hdr.Get("Content-Type"), r.body)
	}
}

// TestBadBodies: Play JSON's errors for app bodies, as the exception
// mapper writes them (400, details per path; reference shapes
// marathon__POST__v2_apps__400.json, __400_empty, __400_malformed).
func TestBadBodies(t *testing.T) {
	_, hs, _ := newSim(t)
	cases := []struct {
		name, body, ref string
		path, err       string
	}{
		{"no id", `{"cmd":"x"}`, "marathon__POST__v2_apps__400.json", "/id", "error.path.missing"},
		{"empty id", `{"id":"","cmd":"x"}`, "marathon__POST__v2_apps__400.json", "/id", "error.minLength"},
		{"the root as id", `{"id":"//","cmd":"x"}`, "marathon__POST__v2_apps__400.json", "/id", "error.invalid"},
		{"a number as id", `{"id":7}`, "marathon__POST__v2_apps__400.json", "/id", "error.expected.jsstring"},
		{"not an object", `[]`, "marathon__POST__v2_apps__400.json", "", "error.expected.jsobject"},
		{"empty body", ``, "marathon__POST__v2_apps__400_empty.synthesized.json", "", ""},
		{"cut JSON", `{"id":"/a"`, "marathon__POST__v2_apps__400_malformed.synthesized.json", "", ""},
	}
	for _, tc := range cases {
		r := send(t, hs.URL, "POST", "/v2/apps", asJSON, tc.body)
		if r.code != 400 {
			t.Errorf("%s: %d %s, want 400", tc.name, r.code, r.body)
			continue
		}
		got := r.obj(t)
		if diffs := jsonshape.Diff(jsonshape.Load(t, filepath.Join(refDir, tc.ref)), got); len(diffs) > 0 {
			t.Errorf("%s: differs from %s: %v", tc.name, tc.ref, diffs)
		}
		if tc.err == "" {
			continue
		}
		d, _ := got["details"].([]any)
		if len(d) != 1 || d[0].(map[string]any)["path"] != tc.path || toStrings(d[0].(map[string]any)["errors"])[0] != tc.err {
			t.Errorf("%s: details %v, want %s %s", tc.name, got["details"], tc.path, tc.err)
		}
	}
}

// TestPing: SystemResource.ping chooses among text/plain, text/html,
// application/json and text/* by Accept; nothing acceptable is a 204.
func TestPing(t *testing.T) {
	_, hs, _ := newSim(t)
	cases := []struct {
		accept, ctype, body string
		code                int
	}{
		{"", "text/plain", "pong", 200},
		{"*/*", "text/plain", "pong", 200},
		{"application/json", "application/json", `"pong"`, 200}, // go-marathon's Accept
		{"text/html", "text/html", "pong", 200},
		{"text/*", "text/plain", "pong", 200},
		{"image/png", "", "", 204},
	}
	for _, tc := range cases {
		hdr := map[string]string{}
		if tc.accept != "" {
			hdr["Accept"] = tc.accept
		}
		r := send(t, hs.URL, "GET", "/ping", hdr, "")
		if r.code != tc.code || r.hdr.Get("Content-Type") != tc.ctype || string(r.body) != tc.body {
			t.Errorf("Accept %q: %d %q %q, want %d %q %q", tc.accept, r.code, r.hdr.Get("Content-Type"), r.body, tc.code, tc.ctype, tc.body)
		}
	}
}

// TestTaskListNegotiation: /v2/tasks produces JSON (qs=2) and text/plain;
// the quality source makes JSON win whenever the client accepts it at
// all (TasksResource, HttpMethodRule.getSpecificAcceptableMediaTypes).
func TestTaskListNegotiation(t *testing.T) {
	_, hs, _ := newSim(t)
	cases := []struct{ accept, ctype string }{
		{"", "application/json; qs=2"},
		{"*/*", "application/json; qs=2"},
		{"text/plain", "text/plain"},
		{"text/*", "text/plain"},
		{"text/plain, application/json;q=0.1", "application/json; qs=2"},
	}
	for _, tc := range cases {
		hdr := map[string]string{}
		if tc.accept != "" {
			hdr["Accept"] = tc.accept
		}
		if ct := send(t, hs.URL, "GET", "/v2/tasks", hdr, "").hdr.Get("Content-Type"); ct != tc.ctype {
			t.Errorf("Accept %q: %q, want %q", tc.accept, ct, tc.ctype)
		}
	}
	// TasksResource's GETs consume anything; AppsResource's do not.
	if r := send(t, hs.URL, "GET", "/v2/tasks", map[string]string{"Content-Type": "text/plain"}, ""); r.code != http.StatusOK {
		t.Errorf("GET /v2/tasks with a text Content-Type: %d", r.code)
	}
}

// TestOptions: every matched Jersey rule answers OPTIONS (its implicit
// WADL method): Allow lists the rule's verbs in java.util.HashMap order;
// 204 unless the client accepts WADL or XML.
func TestOptions(t *testing.T) {
	_, hs, _ := newSim(t)
	cases := []struct {
		path, accept, allow, ctype string
		code                       int
	}{
		{"/v2/apps/x", "application/json", "OPTIONS,HEAD,DELETE,GET,PUT,PATCH", "", 204},
		{"/v2/apps", "application/json", "OPTIONS,HEAD,POST,GET", "", 204},
		{"/v2/apps", "", "OPTIONS,HEAD,POST,GET", "application/vnd.sun.wadl+xml", 200},
		{"/v2/apps/x/restart", "*/*", "OPTIONS,POST", "application/vnd.sun.wadl+xml", 200},
		{"/v2/pods", "application/xml", "OPTIONS,HEAD,GET", "application/xml", 200},
	}
	for _, tc := range cases {
		hdr := map[string]string{}
		if tc.accept != "" {
			hdr["Accept"] = tc.accept
		}
		r := send(t, hs.URL, "OPTIONS", tc.path, hdr, "")
		if r.code != tc.code || r.hdr.Get("Allow") != tc.allow || r.hdr.Get("Content-Type") != tc.ctype {
			t.Errorf("OPTIONS %s (Accept %q): %d Allow %q %q, want %d %q %q", tc.path, tc.accept, r.code, r.hdr.Get("Allow"),
				r.hdr.Get("Content-Type"), tc.code, tc.allow, tc.ctype)
		}
	}
	if r := send(t, hs.URL, "OPTIONS", "/nowhere", nil, ""); r.code != 404 {
		t.Errorf("OPTIONS of no route: %d", r.code)
	}
}

// TestVersionsAreTimestamps: /v2/apps/{id}/versions/{version} reads a
// Timestamp (AppVersionsResource.show): any ISO-8601 form of the instant
// finds the version; one that does not parse is a 422; the 404 names the
// version as Marathon writes it.
func TestVersionsAreTimestamps(t *testing.T) {
	_, hs, _ := newSim(t)
	putApp(t, hs.URL, "/v", `{"cmd":"sleep 1","cpus":0.1,"mem":16}`) // the clock reads 2026-11-24T12:00:00.000Z
	cases := []struct {
		version string
		code    int
		msg     string
	}{
		{"2026-11-24T12:00:00.000Z", 200, ""},
		{"2026-11-24T12:00:00Z", 200, ""},
		{"2026-11-24T13:00:00%2B01:00", 200, ""},
		{"2017-06-14T09:00:00Z", 404, "App '/v' does not exist in version 2017-06-14T09:00:00.000Z"},
		{"bogus", 422, `Invalid format: "bogus"`},
	}
	for _, tc := range cases {
		r := send(t, hs.URL, "GET", "/v2/apps/v/versions/"+tc.version, asJSON, "")
		if r.code != tc.code || (tc.msg != "" && r.message(t) != tc.msg) {
			t.Errorf("version %s: %d %s, want %d %q", tc.version, r.code, r.body, tc.code, tc.msg)
		}
	}
	// Play writes JSON compact, without escaping '<' and '>', and ends
	// without a newline.
	r := send(t, hs.URL, "PUT", "/v2/apps/v", asJSON, `{"cmd":"sleep 2"}`)
	if r.code != 409 || !strings.Contains(string(r.body), "'/v2/deployments/<DEPLOYMENT_ID>'") || strings.HasSuffix(string(r.body), "\n") {
		t.Errorf("locked body %q", r.body)
	}
}
