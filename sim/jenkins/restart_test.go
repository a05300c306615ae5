package jenkins

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bndr/gojenkins"
)

// TestRestart: however Jenkins restarts, running builds end ABORTED, the
// queue (waiting and left items) is forgotten, and jobs, history, build
// numbers and queue ids go on.
func TestRestart(t *testing.T) {
	hows := []struct {
		how     string
		restart func(t *testing.T, e *ci)
	}{
		{"(*Server).Restart", func(t *testing.T, e *ci) { e.s.Restart() }},
		{"POST /restart", func(t *testing.T, e *ci) {
			if got := e.post(t, "/restart", ""); got.code != 302 || got.h.Get("Location") != e.base+"/" {
				t.Fatalf("POST /restart: %d Location %q, want 302 to the root", got.code, got.h.Get("Location"))
			}
		}},
		{"POST /__sim/restart", func(t *testing.T, e *ci) {
			if got := send(t, e.base, rq{method: "POST", path: "/__sim/restart", auth: "none"}); got.code != 204 {
				t.Fatalf("POST /__sim/restart: %d", got.code)
			}
		}},
	}
	for _, h := range hows {
		t.Run(h.how, func(t *testing.T) {
			e := newCI(t, Options{})
			e.build(t, "MINKA_BUILD=1") // #1, queue item 1
			e.build(t, "MINKA_BUILD=2") // #2
			waiting := e.build(t, "MINKA_BUILD=3")
			cancelled := e.build(t, "MINKA_BUILD=4")
			send(t, e.base, rq{method: "POST", path: fmt.Sprintf("/queue/cancelItem?id=%d", cancelled)})
			e.clk.Add(10 * time.Second)
			h.restart(t, e)
			for _, id := range []int64{1, waiting, cancelled} {
				if got := e.get(t, fmt.Sprintf("/queue/item/%d/api/json", id)); got.code != 404 {
					t.Errorf("queue item %d after the restart: %d, want 404", id, got.code)
				}
			}
			if got := e.get(t, "/queue/api/json"); !strings.Contains(got.body, `"items":[]`) {
				t.Errorf("queue after the restart: %s", got.body)
			}
			for _, b := range e.s.Builds("ceph") {
				if b.Result != "ABORTED" || !strings.HasSuffix(b.Log, "Build was aborted\nFinished: ABORTED\n") || strings.Contains(b.Log, "Aborted by") {
					t.Errorf("build #%d after the restart: %s %q", b.Number, b.Result, b.Log)
				}
			}
			if n := e.s.Running(); n != 0 {
				t.Errorf("%d builds running after the restart", n)
			}
			var job map[string]any
			_ = json.Unmarshal([]byte(e.get(t, "/job/ceph/api/json").body), &job)
			if job["nextBuildNumber"] != float64(3) || len(job["builds"].([]any)) != 2 {
				t.Errorf("job after the restart: nextBuildNumber %v, %d builds", job["nextBuildNumber"], len(job["builds"].([]any)))
			}
			next := e.build(t, "MINKA_BUILD=5")
			if next != cancelled+1 {
				t.Errorf("the first queue id after the restart is %d, want %d", next, cancelled+1)
			}
			if b := e.s.Builds("ceph"); len(b) != 3 || b[2].Number != 3 || b[2].QueueID != int(next) || b[2].Result != "" {
				t.Errorf("the build after the restart: %+v", b[len(b)-1])
			}
		})
	}
}

// TestRestarting: for Options.RestartDuration every request gets
// HudsonIsRestarting's 503 page, build requests too (and they are
// recorded); then Jenkins answers again.
func TestRestarting(t *testing.T) {
	e := newCI(t, Options{RestartDuration: 30 * time.Second})
	e.build(t, "MINKA_BUILD=1")
	if got := e.post(t, "/restart", ""); got.code != 302 {
		t.Fatalf("POST /restart: %d", got.code)
	}
	for _, q := range []rq{
		{path: "/api/json"},
		{path: "/job/ceph/1/api/json", auth: "none"},
		{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=2"},
		{path: "/login"},
	} {
		got := send(t, e.base, q)
		if got.code != 503 || !strings.Contains(got.body, "Jenkins is restarting") || got.h.Get("Cache-Control") != "no-cache,no-store,must-revalidate" ||
			!strings.HasPrefix(got.h.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s while restarting: %d %q %v", q.method, q.path, got.code, got.body, got.h)
		}
	}
	if _, err := gojenkins.CreateJenkins(nil, e.base, "admin", "token").Init(context.Background()); err == nil {
		t.Errorf("gojenkins Init while restarting: no error")
	}
	if r := e.s.BuildRequests("ceph"); len(r) != 2 || r[1].Code != 503 || r[1].QueueID != 0 || r[1].Params["MINKA_BUILD"] != "2" {
		t.Errorf("build requests: %+v", r)
	}
	e.clk.Add(30 * time.Second)
	if got := e.get(t, "/api/json"); got.code != 200 || got.h.Get("X-Jenkins") != Version {
		t.Errorf("after the restart: %d X-Jenkins %q", got.code, got.h.Get("X-Jenkins"))
	}
}

// TestRestartPages: GET /restart and /safeRestart are their forms; a
// verb other than POST does not restart /restart; Overall/Manage is
// needed.
func TestRestartPages(t *testing.T) {
	e := newCI(t, Options{AnonymousRead: true})
	e.build(t, "MINKA_BUILD=1")
	run(t, e.base, []step{
		{reason: "GET /restart asks", q: rq{path: "/restart"}, code: 200, body: "Are you sure you want to restart Jenkins?"},
		{reason: "GET /safeRestart asks", q: rq{path: "/safeRestart"}, code: 200, body: `action="safeRestart"`},
		{reason: "PUT /restart only redirects", q: rq{method: "PUT", path: "/restart"}, code: 302, location: "/"},
		{reason: "anonymous cannot restart", q: rq{path: "/restart", auth: "none"}, code: 403, header: map[string]string{"X-Required-Permission": "hudson.model.Hudson.Manage"}},
		{reason: "GET /__sim/restart", q: rq{path: "/__sim/restart"}, code: 405},
		{reason: "nothing restarted", q: rq{path: "/job/ceph/1/api/json"}, code: 200, body: `"building":true`},
	})
}

// TestSafeRestart: POST /safeRestart quiets Jenkins down: running builds
// finish, waiting ones wait "Jenkins is about to shut down", then it
// restarts; cancel lifts the quiet-down.
func TestSafeRestart(t *testing.T) {
	e := newCI(t, Options{})
	e.build(t, "MINKA_BUILD=1")
	run(t, e.base, []step{
		{reason: "safe restart", q: rq{method: "POST", path: "/safeRestart", body: "message=maintenance", ctype: form}, code: 302, location: "/"},
		{reason: "quieting down", q: rq{path: "/api/json?tree=quietingDown,quietDownReason"}, code: 200, body: `"quietDownReason":"maintenance","quietingDown":true`},
		{reason: "a build request is queued", q: rq{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=2"}, code: 201, location: "/queue/item/2/"},
		{reason: "and waits", q: rq{path: "/queue/item/2/api/json?tree=why"}, code: 200, body: `"why":"Jenkins is about to shut down"`},
		{reason: "the running build runs on", q: rq{path: "/job/ceph/1/api/json?tree=building"}, code: 200, body: `"building":true`},
		{reason: "cancel", q: rq{method: "POST", path: "/safeRestart?cancel=Cancel"}, code: 302, location: "/"},
		{reason: "no longer quieting down", q: rq{path: "/api/json?tree=quietingDown"}, code: 200, body: `"quietingDown":false`},
		{reason: "so the item starts", q: rq{path: "/queue/item/2/api/json?tree=executable[number]"}, code: 200, body: `"number":2`},
		{reason: "safe restart again", q: rq{method: "POST", path: "/safeRestart"}, code: 302},
		{reason: "a third build waits", q: rq{method: "POST", path: "/job/ceph/buildWithParameters?MINKA_BUILD=3"}, code: 201, location: "/queue/item/3/"},
	})
	e.clk.Add(2 * time.Minute) // both builds end: then the restart
	run(t, e.base, []step{
		{reason: "the builds finished", q: rq{path: "/job/ceph/2/api/json?tree=result"}, code: 200, body: `"result":"SUCCESS"`},
		{reason: "the queue is gone", q: rq{path: "/queue/item/3/api/json"}, code: 404},
		{reason: "done quieting down", q: rq{path: "/api/json?tree=quietingDown"}, code: 200, body: `"quietingDown":false`},
	})
	if b := e.s.Builds("ceph"); len(b) != 2 || b[0].Result != "SUCCESS" || b[1].Result != "SUCCESS" {
		t.Errorf("builds: %+v", b)
	}
	if got := e.post(t, "/job/ceph/buildWithParameters?MINKA_BUILD=4", ""); got.code != http.StatusCreated || !strings.HasSuffix(got.h.Get("Location"), "/queue/item/4/") {
		t.Errorf("after the safe restart: %d %s", got.code, got.h.Get("Location"))
	}
}
