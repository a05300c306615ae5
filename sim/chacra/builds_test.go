package chacra

import (
	"reflect"
	"testing"
	"time"
)

const debURI = "hello/main/" + sha + "/ubuntu/jammy/flavors/default"

func withShaman(t *testing.T, o Options) (env, *shaman) {
	sh := newShaman(t)
	o.CallbackURL = sh.srv.URL + "/api/repos/"
	o.CallbackUser, o.CallbackKey = "cbuser", "cbkey"
	return setup(t, o), sh
}

func uploadDeb(t *testing.T, e env) {
	t.Helper()
	if a := e.upload(t, "POST", arch, "admin:secret", "a.deb", []byte("x"), nil); a.code != 201 {
		t.Fatalf("upload: %d", a.code)
	}
}

// TestBuildCycle: an upload goes queued -> building -> ready on the
// polling cycle, and each step reaches shaman as chacra reports it.
func TestBuildCycle(t *testing.T) {
	e, sh := withShaman(t, Options{})
	uploadDeb(t, e)
	eventually(t, "ready", func() bool { return len(sh.statuses("ubuntu")) == 3 })
	if got := sh.statuses("ubuntu"); !reflect.DeepEqual(got, []string{"queued", "building", "ready"}) {
		t.Fatalf("callbacks %v", got)
	}
	flags := func(r received) [4]any {
		return [4]any{r.Body["needs_update"], r.Body["is_queued"], r.Body["is_updating"], r.Body["path"] != nil}
	}
	got := sh.received()
	want := [][4]any{{true, true, false, false}, {true, true, false, false}, {false, false, false, true}}
	for i, r := range got {
		if flags(r) != want[i] {
			t.Errorf("%s callback: needs_update, is_queued, is_updating, has path = %v, want %v", r.Body["status"], flags(r), want[i])
		}
		if r.Path != "/api/repos/hello/" || r.User != "cbuser" || r.Key != "cbkey" || r.ContentType != "application/json" {
			t.Errorf("callback sent as %+v", r)
		}
		if r.Body["chacra_url"] != e.base+"/repos/"+debURI+"/" || r.Body["url"] != e.base+"/r/"+debURI+"/" {
			t.Errorf("callback urls %v %v", r.Body["chacra_url"], r.Body["url"])
		}
	}
	if n := e.node.Builds(debURI); n != 1 {
		t.Errorf("%d builds for one upload", n)
	}
}

// TestCallbackRetries: a failing shaman is retried 3 times (4 tries),
// then chacra gives up; a shaman that recovers gets the callback.
func TestCallbackRetries(t *testing.T) {
	for _, c := range []struct {
		name     string
		fail     int
		attempts int
		received int
	}{
		{"recovers after two failures", 2, 3, 1},
		{"always fails", 100, 4, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, sh := withShaman(t, Options{PollInterval: time.Hour})
			sh.fail = c.fail
			uploadDeb(t, e)
			e.postJSON(t, "/repos/"+debURI+"/update", "")
			eventually(t, "the tries", func() bool { return len(e.node.Callbacks()) == c.attempts })
			time.Sleep(100 * time.Millisecond) // room for a wrong extra try
			sent := e.node.Callbacks()
			if len(sent) != c.attempts {
				t.Fatalf("%d tries, want %d: %+v", len(sent), c.attempts, sent)
			}
			for i, s := range sent {
				if s.Attempt != i || s.Status != "requested" {
					t.Errorf("try %d: %+v", i, s)
				}
			}
			if n := len(sh.statuses("ubuntu")); n != c.received {
				t.Errorf("shaman got %d, want %d", n, c.received)
			}
		})
	}
}

// TestUpdateRace: an update while a build runs clears is_updating, so
// the next poll starts a second build of the same repo before the first
// is done (upstream race): two "building" before the first "ready".
func TestUpdateRace(t *testing.T) {
	e, sh := withShaman(t, Options{BuildTime: time.Second})
	uploadDeb(t, e)
	eventually(t, "the build", func() bool { return e.node.Builds(debURI) == 1 })
	if s := e.repoState(t, "/repos/"+debURI+"/"); s["is_updating"] != true {
		t.Fatalf("building repo: %v", s)
	}
	a := e.postJSON(t, "/repos/"+debURI+"/update", "")
	if a.code != 200 {
		t.Fatalf("update: %d", a.code)
	}
	if s := a.json(t).(map[string]any); s["is_updating"] != false || s["needs_update"] != true {
		t.Errorf("update during a build answered %v", s)
	}
	eventually(t, "a second build", func() bool { return e.node.Builds(debURI) == 2 })
	if n := e.node.UpdateCalls(debURI); n != 1 {
		t.Errorf("UpdateCalls %d", n)
	}
	eventually(t, "both ready", func() bool { return len(sh.statuses("ubuntu")) == 7 })
	want := []string{"queued", "building", "requested", "queued", "building", "ready", "ready"}
	if got := sh.statuses("ubuntu"); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks %v, want %v", got, want)
	}
}

// TestHangBuilds: a hung build stays in is_updating; other repos, and
// the node once un-hung, build normally.
func TestHangBuilds(t *testing.T) {
	for _, perRepo := range []bool{false, true} {
		e, sh := withShaman(t, Options{})
		if perRepo {
			e.node.HangRepo(debURI, true)
		} else {
			e.node.HangBuilds(true)
		}
		uploadDeb(t, e)
		eventually(t, "the build", func() bool { return e.node.Builds(debURI) == 1 })
		time.Sleep(100 * time.Millisecond)
		s := e.repoState(t, "/repos/"+debURI+"/")
		if s["is_updating"] != true || s["needs_update"] != false {
			t.Errorf("hung build (per repo %v): %v", perRepo, s)
		}
		if got := sh.statuses("ubuntu"); !reflect.DeepEqual(got, []string{"queued", "building"}) {
			t.Errorf("hung build (per repo %v) callbacks %v", perRepo, got)
		}
		if e.node.Builds(debURI) != 1 {
			t.Errorf("a hung repo was built again")
		}
		if perRepo {
			if a := e.upload(t, "POST", "/binaries/hello/main/"+sha+"/centos/9/noarch/", "admin:secret", "a.rpm", []byte("x"), nil); a.code != 201 {
				t.Fatal(a.code)
			}
			eventually(t, "the other repo ready", func() bool { return len(sh.statuses("centos")) == 3 })
		}
	}
}
