package deployment

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"minka/backend"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
)

// TestAppList: with the event stream up, the apps of a Marathon are read
// from one GET /v2/apps shared by all, carrying what GET /v2/apps/{id}
// carries; an app written (even with its reply lost) or named by an
// event is read alone; a missing app is ErrAppNotFound either way; with
// the stream down every app is read alone.
func TestAppList(t *testing.T) {
	c := simmarathon.New(simmarathon.Options{})
	hs := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); hs.Close() }()
	mc, err := newMarathonClient(backend.Marathon{Name: "default", URLs: []string{hs.URL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	img := "registry.example.com/web:1"
	put := func(id string) {
		t.Helper()
		one, mem := 1, 8.0
		if _, err := mc.PutApp(ctx, &marathon.Application{ID: id, Instances: &one, Mem: &mem, Container: &marathon.Container{Type: "DOCKER",
			Docker: &marathon.Docker{Image: img}}}, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"/ci/a", "/ci/b", "/ci/c"} {
		put(id)
	}
	counts := func() (list, single int64) {
		for k, n := range c.Requests.Counts() {
			switch {
			case k == "GET /v2/apps":
				list += n
			case len(k) > len("GET /v2/apps/") && k[:len("GET /v2/apps/")] == "GET /v2/apps/":
				single += n
			}
		}
		return list, single
	}
	type read struct {
		id          string
		missing     bool
		list, alone int64 // requests it adds
	}
	step := func(name string, reads []read) {
		t.Helper()
		for _, r := range reads {
			l0, s0 := counts()
			app, err := mc.App(ctx, r.id)
			l1, s1 := counts()
			switch {
			case r.missing && !errors.Is(err, ErrAppNotFound):
				t.Errorf("%s: App(%s): %v, want ErrAppNotFound", name, r.id, err)
			case !r.missing && (err != nil || app.ID != r.id || app.Container.Docker.Image != img):
				t.Errorf("%s: App(%s): %+v, %v", name, r.id, app, err)
			}
			if l1-l0 != r.list || s1-s0 != r.alone {
				t.Errorf("%s: App(%s) sent %d list and %d single GETs, want %d and %d", name, r.id, l1-l0, s1-s0, r.list, r.alone)
			}
		}
	}
	step("stream down", []read{{id: "/ci/a", alone: 1}, {id: "/ci/b", alone: 1}})
	mc.list.streamUp()
	// Written just now, before the stream was up: each is read alone.
	step("written", []read{{id: "/ci/a", alone: 1}, {id: "/ci/b", alone: 1}})
	mc.list.touched = map[string]touch{} // as if written long ago
	step("listed", []read{{id: "/ci/a", list: 1}, {id: "/ci/b"}, {id: "/ci/c"}, {id: "/ci/none", missing: true}})
	mc.list.changed("/ci/b") // an event names it
	step("after an event", []read{{id: "/ci/a"}, {id: "/ci/b", alone: 1}})
	mc.list.changedAll() // a deployment reverted: one new list for all
	step("after a revert", []read{{id: "/ci/a", list: 1}, {id: "/ci/c"}})
	// A resync after a rollout: the apps touched are quiet now, the list
	// at hand predates them: one new list serves them all.
	mc.list.quiet = 50 * time.Millisecond
	mc.list.changed("/ci/a", "/ci/c")
	time.Sleep(100 * time.Millisecond)
	step("quiet after a rollout", []read{{id: "/ci/a", list: 1}, {id: "/ci/c"}, {id: "/ci/b"}})
	mc.list.quiet = appQuiet
	// A write whose reply is lost was applied: the app is read alone,
	// never from the list that predates the write.
	if err := c.Faults.Set(fault.Fault{Match: "PUT /v2/apps", Failure: fault.AppliedReset, Count: 1}); err != nil {
		t.Fatal(err)
	}
	img = "registry.example.com/web:2"
	one, mem := 1, 8.0
	if _, err := mc.PutApp(ctx, &marathon.Application{ID: "/ci/c", Instances: &one, Mem: &mem, Container: &marathon.Container{Type: "DOCKER",
		Docker: &marathon.Docker{Image: img}}}, false); err == nil {
		t.Fatal("PUT with a lost reply reported success")
	}
	// (go-marathon now takes the host for down a while: ask the list only.)
	if _, listed, _ := mc.list.app(ctx, "/ci/c"); listed {
		t.Error("after a lost reply: /ci/c is served from the list")
	}
	mc.list.touched = map[string]touch{}
	mc.list.streamDown()
	if _, listed, _ := mc.list.app(ctx, "/ci/a"); listed {
		t.Error("stream down: /ci/a is served from the list")
	}
}
