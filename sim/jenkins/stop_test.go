package jenkins

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"minka/sim/internal/jsonshape"
)

// TestStop: AbstractBuild.doStop aborts a running build and answers
// forwardToPreviousPage; it is @RequirePOST; a finished build is left
// alone with the same answer; a FreeStyleBuild has no term or kill.
func TestStop(t *testing.T) {
	e := newCI(t, Options{})
	e.build(t, "MINKA_BUILD=ci/ceph-1")
	e.clk.Add(20 * time.Second) // the first progress line is printed
	steps := []step{
		{reason: "GET is refused (@RequirePOST)", q: rq{path: "/job/ceph/1/stop"}, code: 405, body: "This URL requires POST"},
		{reason: "a Pipeline's term is not a freestyle build's", q: rq{method: "POST", path: "/job/ceph/1/term"}, code: 404},
		{reason: "nor kill", q: rq{method: "POST", path: "/job/ceph/1/kill"}, code: 404},
		{reason: "still running", q: rq{path: "/job/ceph/1/api/json"}, code: 200, body: `"building":true`},
		{reason: "stop: back to the build without a Referer", q: rq{method: "POST", path: "/job/ceph/1/stop"}, code: 302, location: "/job/ceph/1/"},
		{reason: "aborted", q: rq{path: "/job/ceph/1/api/json?tree=building,result"}, code: 200, body: `"building":false,"result":"ABORTED"`},
		{reason: "the log says who and ends", q: rq{path: "/job/ceph/1/consoleText"}, code: 200, body: "--step 1/3\nBuild was aborted\nAborted by admin\nFinished: ABORTED\n"},
		{reason: "stopping again: nothing to stop, the Referer", q: rq{method: "POST", path: "/job/ceph/1/stop", header: map[string]string{"Referer": "http://elsewhere/job/ceph/"}},
			code: 302},
		{reason: "permalinks reach stop too", q: rq{method: "POST", path: "/job/ceph/lastBuild/stop"}, code: 302, location: "/job/ceph/lastBuild/"},
		{reason: "no more progressive data", q: rq{path: "/job/ceph/1/logText/progressiveText"}, code: 200, header: map[string]string{"X-More-Data": ""}},
	}
	run(t, e.base, steps)
	e.clk.Add(time.Hour)
	text := e.get(t, "/job/ceph/1/consoleText").body
	if strings.Contains(text, "--step 2/3") || strings.Count(text, "Finished:") != 1 {
		t.Errorf("a stopped build prints nothing more: %q", text)
	}
	if got := send(t, e.base, rq{method: "POST", path: "/job/ceph/1/stop", header: map[string]string{"Referer": "http://elsewhere/job/ceph/"}}); got.h.Get("Location") != "http://elsewhere/job/ceph/" {
		t.Errorf("stop with a Referer: Location %q", got.h.Get("Location"))
	}
	if s := e.s.Builds("ceph"); len(s) != 1 || s[0].Result != "ABORTED" || !s[0].Ended.Equal(s[0].Started.Add(20*time.Second)) {
		t.Errorf("Builds after the stop: %+v", s)
	}
}

// TestStopAndCancelThroughGojenkins: Build.Stop and Task.Cancel of
// gojenkins v1.1.0. Task.Cancel reports false: it wants a 200 where
// Jenkins (2.215+, JENKINS-21311) answers 204, but the item is cancelled.
func TestStopAndCancelThroughGojenkins(t *testing.T) {
	e := newCI(t, Options{})
	ctx := context.Background()
	job, _ := e.jk.GetJob(ctx, "ceph")
	if _, err := job.InvokeSimple(ctx, map[string]string{"MINKA_BUILD": "ci/ceph-1"}); err != nil {
		t.Fatal(err)
	}
	b, err := e.jk.GetBuild(ctx, "ceph", 1)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Stop(ctx); !ok || err != nil {
		t.Errorf("Stop: %v %v", ok, err)
	}
	if _, err := b.Poll(ctx); err != nil || b.IsRunning(ctx) || b.GetResult() != "ABORTED" {
		t.Errorf("after Stop: running %v result %q %v", b.IsRunning(ctx), b.GetResult(), err)
	}
	if !strings.HasSuffix(b.GetConsoleOutput(ctx), "Aborted by admin\nFinished: ABORTED\n") {
		t.Errorf("console after Stop: %q", b.GetConsoleOutput(ctx))
	}

	// Both executors busy, so the third build waits.
	e.build(t, "MINKA_BUILD=ci/ceph-2")
	e.build(t, "MINKA_BUILD=ci/ceph-3")
	waiting := e.build(t, "MINKA_BUILD=ci/ceph-4")
	q, err := e.jk.GetQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	task := q.GetTaskById(waiting)
	if task == nil {
		t.Fatalf("queue item %d not in the queue: %+v", waiting, q.Raw.Items)
	}
	if ok, err := task.Cancel(ctx); ok || err != nil {
		t.Errorf("Task.Cancel: %v %v; want false (204 is not its 200), no error", ok, err)
	}
	// gojenkins' taskResponse has no cancelled field: read it raw.
	item, err := e.jk.GetQueueItem(ctx, waiting)
	if err != nil || item.Raw.Buildable || item.Raw.Executable.Number != 0 {
		t.Errorf("the cancelled item: %+v %v", item.Raw, err)
	}
	if got := e.get(t, fmt.Sprintf("/queue/item/%d/api/json?tree=cancelled", waiting)); !strings.Contains(got.body, `"cancelled":true`) {
		t.Errorf("the cancelled item: %s", got.body)
	}
}

// TestCancelledItemShape: a cancelled item's JSON has the shape of
// queue-item-left-cancelled.json, with its values.
func TestCancelledItemShape(t *testing.T) {
	e := newCI(t, Options{})
	send(t, e.base, rq{method: "POST", path: "/computer/agent-1/toggleOffline"}) // so the build waits
	id := e.build(t, "MINKA_BUILD=ci/ceph-1")
	cancel := send(t, e.base, rq{method: "POST", path: fmt.Sprintf("/queue/cancelItem?id=%d", id)})
	if cancel.code != 204 {
		t.Fatalf("cancelItem: %d", cancel.code)
	}
	got := e.get(t, fmt.Sprintf("/queue/item/%d/api/json", id))
	var v map[string]any
	if err := json.Unmarshal([]byte(got.body), &v); err != nil {
		t.Fatalf("%d %s: %v", got.code, got.body, err)
	}
	if diffs := jsonshape.Diff(readRef(t, "queue-item-left-cancelled.json"), v); len(diffs) > 0 {
		t.Errorf("differs from the reference:\n  %s", joinLines(diffs))
	}
	want := map[string]any{"_class": "hudson.model.Queue$LeftItem", "cancelled": true, "executable": nil, "why": nil,
		"buildable": false, "blocked": false, "id": float64(id), "url": fmt.Sprintf("queue/item/%d/", id)}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %v, want %v", k, v[k], w)
		}
	}
}
