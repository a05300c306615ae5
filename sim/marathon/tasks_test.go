package marathon

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTaskListAsText: GET /v2/tasks and /v2/apps/{id}/tasks with Accept:
// text/plain (served, though clients rarely ask for it) are
// EndpointsHelper's tab-separated lines, as in
// marathon__GET__v2_tasks.synthesized.txt once hosts and host ports are
// set aside; staging tasks are left out.
func TestTaskListAsText(t *testing.T) {
	_, hs, clk := newSim(t)
	putApp(t, hs.URL, "/test/my-app", `{"cmd":"sleep 1000","instances":2,"cpus":0.1,"mem":32}`)
	putApp(t, hs.URL, "/test/no-hc", `{"cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32}`)
	text := map[string]string{"Accept": "text/plain"}
	if r := send(t, hs.URL, "GET", "/v2/tasks", text, ""); string(r.body) != "test_my-app\t10000\t\ntest_no-hc\t10001\t\n" {
		t.Errorf("staging tasks only: %q", r.body)
	}
	clk.Add(2 * time.Second)
	raw, err := os.ReadFile(filepath.Join(refDir, "marathon__GET__v2_tasks.synthesized.txt"))
	if err != nil {
		t.Fatal(err)
	}
	endpoint := regexp.MustCompile(`[0-9.]+:[0-9]+\t`)
	norm := func(s string) string { return endpoint.ReplaceAllString(s, "HOST:PORT\t") }
	r := send(t, hs.URL, "GET", "/v2/tasks", text, "")
	if r.hdr.Get("Content-Type") != "text/plain" || norm(string(r.body)) != norm(string(raw)) {
		t.Errorf("text task list %q (%s), want the reference's lines %q", r.body, r.hdr.Get("Content-Type"), raw)
	}
	app := send(t, hs.URL, "GET", "/v2/apps//test/no-hc/tasks", text, "")
	if norm(string(app.body)) != "test_no-hc\t10001\tHOST:PORT\t\n" {
		t.Errorf("one app's tasks as text: %q", app.body)
	}
	// status filters the JSON list (TasksResource.indexJson).
	putApp(t, hs.URL, "/test/late", `{"cmd":"sleep 1000","instances":1,"cpus":0.1,"mem":32}`)
	for _, tc := range []struct {
		query string
		n     int
	}{{"", 4}, {"?status=running", 3}, {"?status=staging", 1}, {"?status[]=running&status[]=staging", 4}, {"?status=bogus", 4}} {
		if got := len(send(t, hs.URL, "GET", "/v2/tasks"+tc.query, asJSON, "").obj(t)["tasks"].([]any)); got != tc.n {
			t.Errorf("GET /v2/tasks%s: %d tasks, want %d", tc.query, got, tc.n)
		}
	}
}

// TestKillTasks: AppTasksResource.deleteMany/deleteOne and
// TasksResource.killTasks (TaskKiller): a kill returns the tasks and the
// app replaces them; with scale=true the app shrinks by as many in a
// deployment.
func TestKillTasks(t *testing.T) {
	c, hs, clk := newSim(t)
	putApp(t, hs.URL, "/k/web", `{"cmd":"sleep 1000","instances":3,"cpus":0.1,"mem":32,"constraints":[["hostname","UNIQUE"]]}`)
	clk.Add(2 * time.Second)
	ids := func() []string {
		var out []string
		for _, task := range send(t, hs.URL, "GET", "/v2/apps/k/web/tasks", asJSON, "").obj(t)["tasks"].([]any) {
			out = append(out, task.(map[string]any)["id"].(string))
		}
		return out
	}
	before := ids()
	r := send(t, hs.URL, "DELETE", "/v2/apps//k/web/tasks/"+before[0], asJSON, "")
	if r.code != 200 || r.obj(t)["task"].(map[string]any)["id"] != before[0] {
		t.Fatalf("kill one: %d %s", r.code, r.body)
	}
	clk.Add(2 * time.Second)
	if after := ids(); len(after) != 3 || strings.Contains(strings.Join(after, " "), before[0]) {
		t.Errorf("after a kill: %v, want 3 tasks without %s (replaced)", after, before[0])
	}
	if r := send(t, hs.URL, "DELETE", "/v2/apps/k/web/tasks/k_web.nope", asJSON, ""); r.code != 404 || r.message(t) != "Task 'k_web.nope' does not exist" {
		t.Errorf("kill an unknown task: %d %s", r.code, r.body)
	}
	host := c.apps["/k/web"].tasks[0].host
	if r := send(t, hs.URL, "DELETE", "/v2/apps/k/web/tasks?host=no.such.host", asJSON, ""); len(r.obj(t)["tasks"].([]any)) != 0 {
		t.Errorf("kill on another host: %s", r.body)
	}
	r = send(t, hs.URL, "DELETE", "/v2/apps/k/web/tasks?host="+host+"&scale=true", asJSON, "")
	if r.code != 200 || r.hdr.Get("Marathon-Deployment-Id") == "" || r.obj(t)["deploymentId"] == nil {
		t.Fatalf("kill and scale: %d %s", r.code, r.body)
	}
	clk.Add(2 * time.Second)
	if n := c.apps["/k/web"].instances(); n != 2 || len(ids()) != 2 {
		t.Errorf("after kill and scale of one host's task: %d instances, %v; want 2", n, ids())
	}
	// POST /v2/tasks/delete: ids by body; an id that is no task id is 400.
	live := ids()
	r = send(t, hs.URL, "POST", "/v2/tasks/delete", asJSON, `{"ids":["`+live[0]+`","k_web.gone"]}`)
	if r.code != 200 || len(r.obj(t)["tasks"].([]any)) != 1 {
		t.Errorf("POST /v2/tasks/delete: %d %s, want the one live task", r.code, r.body)
	}
	for _, tc := range []struct{ body, msg string }{
		{`{"ids":["nodot"]}`, "Invalid task id 'nodot'. [taskId nodot is no valid identifier (of class java.lang.String)]"},
		{`{}`, "Invalid JSON"},
		{`{"ids":"k_web.x"}`, "Invalid JSON"},
	} {
		if r := send(t, hs.URL, "POST", "/v2/tasks/delete", asJSON, tc.body); r.code != 400 || r.message(t) != tc.msg {
			t.Errorf("POST /v2/tasks/delete %s: %d %s, want 400 %q", tc.body, r.code, r.body, tc.msg)
		}
	}
	if r := send(t, hs.URL, "POST", "/v2/tasks/delete?scale=true&wipe=true", asJSON, `{"ids":[]}`); r.code != 400 {
		t.Errorf("scale and wipe: %d", r.code)
	}
}
