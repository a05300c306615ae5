package marathon

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmallerResources: the documented routes besides apps, tasks and
// deployments, each as its 1.4.13 resource answers (see system.go).
func TestSmallerResources(t *testing.T) {
	_, hs, clk := newSim(t)
	putApp(t, hs.URL, "/grp/sub/a", `{"cmd":"sleep 1","cpus":0.1,"mem":16}`)
	putApp(t, hs.URL, "/grp/b", `{"cmd":"sleep 1","cpus":0.1,"mem":16}`)
	clk.Add(2 * time.Second)
	cases := []struct {
		name, method, path string
		code               int
		check              func(reply) bool
	}{
		{"leader", "GET", "/v2/leader", 200, func(r reply) bool { return r.obj(t)["leader"] == "marathon.sim:8080" }},
		{"abdicate", "DELETE", "/v2/leader", 200, func(r reply) bool { return r.message(t) == "Leadership abdicated" }},
		{"metrics", "GET", "/metrics", 200, func(r reply) bool { return r.obj(t)["version"] == "3.0.0" && r.obj(t)["timers"] != nil }},
		{"info: no callbacks configured", "GET", "/v2/info", 200, func(r reply) bool {
			v, present := r.obj(t)["event_subscriber"]
			return present && v == nil
		}},
		{"callbacks off", "GET", "/v2/eventSubscriptions", 400, func(r reply) bool {
			return r.message(t) == "http event callback system is not running on this Marathon instance. Please re-start this instance with\n\"--event_subscriber http_callback\"."
		}},
		{"root group", "GET", "/v2/groups", 200, func(r reply) bool { return r.obj(t)["id"] == "/" && len(r.obj(t)["groups"].([]any)) == 1 }},
		{"a group through //", "GET", "/v2/groups//grp/sub", 200, func(r reply) bool {
			return r.obj(t)["id"] == "/grp/sub" && len(r.obj(t)["apps"].([]any)) == 1
		}},
		{"an unknown group", "GET", "/v2/groups/nope", 404, func(r reply) bool { return r.message(t) == "Group '/nope' does not exist" }},
		{"a group's apps", "GET", "/v2/groups/grp/apps", 200, func(r reply) bool { return bytes.HasPrefix(r.body, []byte("[")) }},
		{"queue, empty", "GET", "/v2/queue", 200, func(r reply) bool { return len(r.obj(t)["queue"].([]any)) == 0 }},
		{"reset the delay of an app not queued", "DELETE", "/v2/queue//grp/b/delay", 404, func(r reply) bool {
			return r.message(t) == "Application /grp/b not found in tasks queue."
		}},
		{"pods: capability", "HEAD", "/v2/pods", 200, func(r reply) bool { return len(r.body) == 0 }},
		{"pods: none", "GET", "/v2/pods", 200, func(r reply) bool { return string(bytes.TrimSpace(r.body)) == "[]" }},
		{"pods: no status", "GET", "/v2/pods/::status", 200, func(r reply) bool { return string(bytes.TrimSpace(r.body)) == "[]" }},
		{"pods: find's 404 nests its JSON", "GET", "/v2/pods//p", 404, func(r reply) bool {
			return r.message(t) == `{"message": "pod with /p does not exist"}`
		}},
		{"pods: status of none", "GET", "/v2/pods/p::status", 404, func(r reply) bool { return r.message(t) == "Pod '/p' does not exist" }},
	}
	for _, tc := range cases {
		r := send(t, hs.URL, tc.method, tc.path, asJSON, "")
		if r.code != tc.code || !tc.check(r) {
			t.Errorf("%s: %s %s: %d %s", tc.name, tc.method, tc.path, r.code, r.body)
		}
	}
	// GET /v2/schemas/app serves schema/AppDefinition.json as it is.
	want, err := os.ReadFile(filepath.Join(refDir, "schema/AppDefinition.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r := send(t, hs.URL, "GET", "/v2/schemas/app", asJSON, ""); r.code != 200 || !bytes.Equal(r.body, want) {
		t.Errorf("GET /v2/schemas/app: %d, %d bytes, want the %d of the schema", r.code, len(r.body), len(want))
	}
}

// TestQueue: an app that cannot place all its tasks is in the launch
// queue (QueueResource, raml/QueueInfoConversion.scala) until capacity
// comes; its delay can be reset (204).
func TestQueue(t *testing.T) {
	c, hs, clk := newSim(t)
	putApp(t, hs.URL, "/big", `{"cmd":"sleep 1","instances":4,"cpus":3,"mem":16}`) // 3 agents of 4 cpus
	clk.Add(2 * time.Second)
	q := send(t, hs.URL, "GET", "/v2/queue", asJSON, "").obj(t)["queue"].([]any)
	if len(q) != 1 {
		t.Fatalf("queue %v, want /big", q)
	}
	item := q[0].(map[string]any)
	summary, _ := item["processedOffersSummary"].(map[string]any)
	if item["count"] != 1.0 || item["app"].(map[string]any)["id"] != "/big" || len(summary["rejectSummaryLastOffers"].([]any)) != len(offerReasons) {
		t.Errorf("queue item %v", item)
	}
	if r := send(t, hs.URL, "DELETE", "/v2/queue/big/delay", asJSON, ""); r.code != http.StatusNoContent {
		t.Errorf("reset delay: %d %s", r.code, r.body)
	}
	c.AddAgent(Agent{ID: "extra", Hostname: "10.0.9.9", Cpus: 4, Mem: 8192, Disk: 1000, PortsLo: 31000, PortsHi: 31999})
	clk.Add(2 * time.Second)
	if q := send(t, hs.URL, "GET", "/v2/queue", asJSON, "").obj(t)["queue"].([]any); len(q) != 0 {
		t.Errorf("queue after capacity came: %v", q)
	}
}

// TestAppWrites: PATCH, partialUpdate=false, restart and the label,
// cmd and id filters of the list.
func TestAppWrites(t *testing.T) {
	c, hs, clk := newSim(t)
	putApp(t, hs.URL, "/w/a", `{"cmd":"sleep 1","cpus":0.1,"mem":16,"labels":{"tier":"web","env":"prod"}}`)
	putApp(t, hs.URL, "/w/b", `{"cmd":"python -m http.server","cpus":0.1,"mem":16,"labels":{"tier":"db"}}`)
	clk.Add(2 * time.Second)
	if r := send(t, hs.URL, "PATCH", "/v2/apps/w/a", asJSON, `{"mem":32}`); r.code != 200 || c.apps["/w/a"].spec["mem"] != 32.0 || c.apps["/w/a"].spec["cpus"] != 0.1 {
		t.Errorf("PATCH: %d %s, mem %v cpus %v", r.code, r.body, c.apps["/w/a"].spec["mem"], c.apps["/w/a"].spec["cpus"])
	}
	clk.Add(2 * time.Second)
	if r := send(t, hs.URL, "PUT", "/v2/apps/w/a?partialUpdate=false", asJSON, `{"cmd":"sleep 2","labels":{"tier":"web"}}`); r.code != 200 || c.apps["/w/a"].spec["mem"] != 128.0 {
		t.Errorf("PUT partialUpdate=false: %d %s, mem %v (want the default 128)", r.code, r.body, c.apps["/w/a"].spec["mem"])
	}
	clk.Add(2 * time.Second)
	config := c.apps["/w/b"].config
	clk.Add(time.Second)
	if r := send(t, hs.URL, "POST", "/v2/apps/w/b/restart", asJSON, ""); r.code != 200 || c.apps["/w/b"].config == config {
		t.Errorf("restart: %d %s, config %s unchanged", r.code, r.body, config)
	}
	if r := send(t, hs.URL, "POST", "/v2/apps/w/b/restart", asJSON, ""); r.code != 409 {
		t.Errorf("restart during the restart: %d, want 409 locked", r.code)
	}
	r := send(t, hs.URL, "PUT", "/v2/apps/new/one", asJSON, `{"cmd":"sleep 1","cpus":0.1,"mem":16}`)
	if r.code != 201 || r.hdr.Get("Location") != hs.URL+"/v2/apps/new/one/new/one" {
		t.Errorf("PUT creating: %d, Location %q (Jersey appends the id to the request's path)", r.code, r.hdr.Get("Location"))
	}
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"", 3}, {"?label=tier==web", 1}, {"?label=tier", 2}, {"?label=tier%20in%20(web,%20db)", 2},
		{"?label=tier!=web,tier", 1}, {"?label=tier%20notin%20(db)", 1}, {"?cmd=PYTHON", 1}, {"?id=/W/", 2},
	} {
		if got := len(send(t, hs.URL, "GET", "/v2/apps"+tc.query, asJSON, "").obj(t)["apps"].([]any)); got != tc.n {
			t.Errorf("GET /v2/apps%s: %d apps, want %d", tc.query, got, tc.n)
		}
	}
	// A term is [-A-Za-z0-9_.] or a backslash escape: a '/' in a label
	// key must be escaped, else the selector does not parse (422).
	for _, q := range []string{"a==(", "minka.dev/uid"} {
		if r := send(t, hs.URL, "GET", "/v2/apps?label="+q, asJSON, ""); r.code != 422 ||
			!strings.HasPrefix(r.message(t), "Can not parse label selector "+q+". Reason: ") {
			t.Errorf("label selector %q: %d %s, want 422", q, r.code, r.body)
		}
	}
	putApp(t, hs.URL, "/w/owned", `{"cmd":"sleep 1","cpus":0.1,"mem":16,"labels":{"minka.dev/uid":"u1"}}`)
	if apps := send(t, hs.URL, "GET", "/v2/apps?label=minka.dev%5C/uid", asJSON, "").obj(t)["apps"].([]any); len(apps) != 1 {
		t.Errorf(`label=minka.dev\/uid: %d apps, want /w/owned`, len(apps))
	}
	// embed: tasks only when asked, any prefix; lastTaskFailure likewise.
	for _, tc := range []struct {
		query string
		tasks bool
	}{{"", false}, {"?embed=apps.tasks", true}, {"?embed=tasks", true}, {"?embed=app.failures", true}, {"?embed=apps.taskStats", false}} {
		apps := send(t, hs.URL, "GET", "/v2/apps"+tc.query, asJSON, "").obj(t)["apps"].([]any)
		if _, has := apps[0].(map[string]any)["tasks"]; has != tc.tasks {
			t.Errorf("GET /v2/apps%s: tasks embedded %v, want %v", tc.query, has, tc.tasks)
		}
	}
}
