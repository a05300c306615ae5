package marathon

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDoubledSlashesReachTheApp: a client that builds /v2/apps/{id} from
// an id that already starts with '/' sends /v2/apps//bar/foreign.
// Marathon's {id:.+} takes "/bar/foreign", and PathId (state/PathId.scala
// at v1.4.13) drops empty segments, so every route answers for app
// /bar/foreign, never for "//bar/foreign".
func TestDoubledSlashesReachTheApp(t *testing.T) {
	c, hs, clk := newSim(t)
	putApp(t, hs.URL, "/bar/foreign", `{"cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32}`)
	clk.Add(2 * time.Second)
	version := send(t, hs.URL, "GET", "/v2/apps/bar/foreign", asJSON, "").obj(t)["app"].(map[string]any)["version"].(string)

	reads := []struct{ path, key string }{
		{"/v2/apps//bar/foreign", "app"},
		{"/v2/apps//bar/foreign/", "app"},
		{"/v2/apps/bar//foreign", "app"},
		{"/v2/apps///bar/./foreign", "app"},
		{"/v2/apps/bar/gone/../foreign", "app"},
		{"/v2/apps//bar/foreign/versions", "versions"},
		{"/v2/apps//bar/foreign/versions/", "versions"},
		{"/v2/apps//bar/foreign/versions/" + version, "id"},
		{"/v2/apps//bar/foreign/tasks", "tasks"},
		{"/v2/apps//bar/foreign/tasks/", "tasks"},
		{"/v2/apps//bar/*", "*"},
	}
	for _, tc := range reads {
		r := send(t, hs.URL, "GET", tc.path, asJSON, "")
		if r.code != http.StatusOK {
			t.Errorf("GET %s: %d %s, want 200", tc.path, r.code, r.body)
			continue
		}
		m := r.obj(t)
		if m[tc.key] == nil {
			t.Errorf("GET %s: no %q in %s", tc.path, tc.key, r.body)
		}
		if app, ok := m["app"].(map[string]any); ok && app["id"] != "/bar/foreign" {
			t.Errorf("GET %s: app %v, want /bar/foreign", tc.path, app["id"])
		}
	}

	// A write through the doubled slash updates the app (200, not the
	// 201 of a new app "//bar/foreign").
	r := send(t, hs.URL, "PUT", "/v2/apps//bar/foreign", asJSON, `{"instances":2}`)
	if r.code != http.StatusOK || r.hdr.Get("Marathon-Deployment-Id") == "" {
		t.Fatalf("PUT /v2/apps//bar/foreign: %d %s, want 200 with a deployment", r.code, r.body)
	}
	clk.Add(2 * time.Second)
	if n := len(c.apps); n != 1 || c.apps["/bar/foreign"] == nil || c.apps["/bar/foreign"].instances() != 2 {
		t.Fatalf("after the PUT: %d apps, /bar/foreign %+v; want the one app at 2 instances", n, c.apps["/bar/foreign"])
	}
	if r := send(t, hs.URL, "POST", "/v2/apps//bar/foreign/restart", asJSON, ""); r.code != http.StatusOK || r.obj(t)["deploymentId"] == nil {
		t.Errorf("POST /v2/apps//bar/foreign/restart: %d %s", r.code, r.body)
	}
	clk.Add(5 * time.Second)
	if r := send(t, hs.URL, "DELETE", "/v2/apps//bar/foreign/tasks?host=*", asJSON, ""); r.code != http.StatusOK || len(r.obj(t)["tasks"].([]any)) != 2 {
		t.Errorf("DELETE /v2/apps//bar/foreign/tasks: %d %s, want its 2 tasks", r.code, r.body)
	}
	if r := send(t, hs.URL, "DELETE", "/v2/apps//bar/foreign", asJSON, ""); r.code != http.StatusOK || r.obj(t)["deploymentId"] == nil {
		t.Errorf("DELETE /v2/apps//bar/foreign: %d %s", r.code, r.body)
	}
	clk.Add(2 * time.Second)
	if r := send(t, hs.URL, "GET", "/v2/apps//bar/foreign", asJSON, ""); r.code != http.StatusNotFound || r.message(t) != "App '/bar/foreign' does not exist" {
		t.Errorf("GET after DELETE: %d %s, want 404 naming /bar/foreign", r.code, r.body)
	}
}

// TestIDsAreCanonical: ids in URLs and bodies are PathIds made canonical
// against the root (AppDefinition.withCanonizedIds, PathId.canonicalPath).
func TestIDsAreCanonical(t *testing.T) {
	c, hs, _ := newSim(t)
	cases := []struct{ sent, stored string }{
		{"rel/app", "/rel/app"},      // relative: resolved against the root
		{"/a//b/", "/a/b"},           // empty segments dropped
		{"/x/./y/../z", "/x/z"},      // dot segments resolved
		{"/../../top", "/top"},       // ".." above the root is dropped
		{"/dep/web", "/dep/web"},     // absolute, unchanged
		{"//dep//api//", "/dep/api"}, // as a client joining paths sends it
	}
	for _, tc := range cases {
		r := send(t, hs.URL, "POST", "/v2/apps", asJSON, `{"id":"`+tc.sent+`","cmd":"sleep 1","cpus":0.1,"mem":16}`)
		if r.code != http.StatusCreated {
			t.Errorf("POST id %q: %d %s", tc.sent, r.code, r.body)
			continue
		}
		if id := r.obj(t)["id"]; id != tc.stored {
			t.Errorf("POST id %q: answered id %v, want %s", tc.sent, id, tc.stored)
		}
		if !strings.HasSuffix(r.hdr.Get("Location"), "/v2/apps"+tc.stored) {
			t.Errorf("POST id %q: Location %q", tc.sent, r.hdr.Get("Location"))
		}
		if c.apps[tc.stored] == nil {
			t.Errorf("POST id %q: no app %s stored", tc.sent, tc.stored)
		}
	}
	// Dependencies resolve against the app's own path.
	r := send(t, hs.URL, "PUT", "/v2/apps/dep/web?force=true", asJSON, `{"dependencies":["../db", "/abs", "cache"]}`)
	if r.code != http.StatusOK {
		t.Fatalf("PUT dependencies: %d %s", r.code, r.body)
	}
	deps := send(t, hs.URL, "GET", "/v2/apps/dep/web", asJSON, "").obj(t)["app"].(map[string]any)["dependencies"]
	if got := strings.Trim(strings.Join(toStrings(deps), ","), ","); got != "/dep/db,/abs,/dep/web/cache" {
		t.Errorf("dependencies %v, want /dep/db,/abs,/dep/web/cache", deps)
	}
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestTrailingSlashes: Jersey consumes a lone trailing '/' on every
// resource (RightHandPathRule), but /v2/events is a servlet mapped to
// the exact path, so "/v2/events/" falls to Jersey and is a 404.
func TestTrailingSlashes(t *testing.T) {
	_, hs, _ := newSim(t)
	putApp(t, hs.URL, "/g/one", `{"cmd":"sleep 1","cpus":0.1,"mem":16}`)
	cases := []struct {
		path string
		code int
	}{
		{"/v2/apps/", 200}, {"/v2/info/", 200}, {"/v2/deployments/", 200}, {"/v2/tasks/", 200},
		{"/v2/leader/", 200}, {"/v2/queue/", 200}, {"/v2/groups/", 200}, {"/v2/groups/g/", 200},
		{"/v2/pods/", 200}, {"/v2/schemas/app/", 200}, {"/ping/", 200}, {"/metrics/", 200},
		{"/v2/apps//", 404},       // {id:.+} takes "/": the root, which is no app
		{"/v2/apps/g/one//", 200}, // "g/one/" + "/" is still /g/one
		{"/v2/events/", 404},
		{"//v2/apps", 404}, // no resource starts with "//"
		{"/v2/appsx", 404},
	}
	for _, tc := range cases {
		r := send(t, hs.URL, "GET", tc.path, asJSON, "")
		if r.code != tc.code {
			t.Errorf("GET %s: %d %s, want %d", tc.path, r.code, r.body, tc.code)
		}
	}
	for _, p := range []string{"/v2/events/", "//v2/apps", "/v2/appsx"} {
		if msg := send(t, hs.URL, "GET", p, asJSON, "").message(t); msg != "URI not found: "+p {
			t.Errorf("GET %s: message %q, want the raw path", p, msg)
		}
	}
	if msg := send(t, hs.URL, "GET", "/v2/apps//", asJSON, "").message(t); msg != "App '/' does not exist" {
		t.Errorf("GET /v2/apps//: %q", msg)
	}
}
