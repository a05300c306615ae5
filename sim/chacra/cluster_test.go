package chacra

import (
	"net/http"
	"runtime"
	"testing"
	"time"

	"minka/sim/fault"
)

// TestCluster: nodes answer on their own URLs; one marked down closes
// connections while the others serve; FailHealth turns /health/ to 500.
func TestCluster(t *testing.T) {
	c := NewCluster(3, Options{})
	defer c.Close()
	if c.Node("chacra2") == nil || c.Node(c.URLs()[2]+"/") != c.Nodes[2] || c.Node("nope") != nil {
		t.Fatalf("Node lookup: %v", c.URLs())
	}
	health := func(i int) (int, error) {
		resp, err := http.Get(c.URLs()[i] + "/health/")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	c.Nodes[0].MarkDown(true)
	c.Nodes[1].FailHealth(true)
	if _, err := health(0); err == nil {
		t.Errorf("a down node answered")
	}
	if code, err := health(1); err != nil || code != 500 {
		t.Errorf("failing health: %d %v", code, err)
	}
	if code, err := health(2); err != nil || code != 200 {
		t.Errorf("healthy node: %d %v", code, err)
	}
	c.Nodes[0].MarkDown(false)
	c.Nodes[1].FailHealth(false)
	for i := range c.Nodes {
		if code, err := health(i); err != nil || code != 200 {
			t.Errorf("node %d after recovery: %d %v", i, code, err)
		}
	}
}

// TestFaults: sim/fault's knobs apply to a node's requests.
func TestFaults(t *testing.T) {
	e := quiet(t)
	if err := e.node.Faults.Set(fault.Fault{Match: "POST /binaries", Failure: fault.Unavailable, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if a := e.upload(t, "POST", arch, "admin:secret", "a.deb", []byte("x"), nil); a.code != 503 {
		t.Errorf("faulted upload: %d", a.code)
	}
	if a := e.get(t, "/binaries/"); a.code != 200 {
		t.Errorf("unmatched request: %d", a.code)
	}
	if a := e.upload(t, "POST", arch, "admin:secret", "a.deb", []byte("x"), nil); a.code != 201 {
		t.Errorf("after the fault's count: %d", a.code)
	}
	if err := e.node.Faults.Set(fault.Fault{Match: "GET /repos", Failure: Crash}); err != nil {
		t.Fatal(err)
	}
	if a := e.get(t, "/repos/"); a.code != 500 || string(a.body) != crash || a.hdr.Get("Content-Type") != "text/plain" {
		t.Errorf("crash fault: %d %q %v", a.code, a.body, a.hdr)
	}
	e.node.Faults.Clear()
	if a := e.get(t, "/repos/"); a.code != 200 {
		t.Errorf("after Clear: %d", a.code)
	}
}

// TestHealthPing: a healthy node pings shaman's nodes endpoint when it
// starts; an unhealthy one does not.
func TestHealthPing(t *testing.T) {
	sh := newShaman(t)
	e := setup(t, Options{Name: "n1", HealthPingURL: sh.srv.URL + "/api/nodes/", CallbackUser: "u", CallbackKey: "k"})
	eventually(t, "the ping", func() bool { return len(sh.received()) == 1 })
	if r := sh.received()[0]; r.Path != "/api/nodes/n1/" || r.User != "u" || len(r.Body) != 0 {
		t.Errorf("ping %+v", r)
	}
	e.node.FailHealth(true)
	e.node.PingShaman()
	time.Sleep(50 * time.Millisecond)
	if n := len(sh.received()); n != 1 {
		t.Errorf("an unhealthy node pinged: %d", n)
	}
}

// TestCloseStopsGoroutines: Close ends the poll loop, pending builds and
// the callback sender, even with a hung build and a failing shaman.
func TestCloseStopsGoroutines(t *testing.T) {
	sh := newShaman(t)
	before := runtime.NumGoroutine()
	sh.fail = 1000
	n := New(Options{CallbackURL: sh.srv.URL, QuietTime: time.Hour})
	n.mu.Lock()
	n.repoFor(repoKey{"p", "r", sha, "ubuntu", "jammy", "default"}, "deb").NeedsUpdate = true
	n.mu.Unlock()
	eventually(t, "the queued callback", func() bool { return len(n.Callbacks()) > 0 })
	n.Close()
	n.Close() // twice is fine
	eventually(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}
