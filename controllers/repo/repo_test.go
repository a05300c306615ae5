package repo_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/controllers/repo"
	"minka/sim/chacra"
)

// A Repo over two distros waits for binaries, then follows chacra's own
// builds (started by the uploads) to Ready without sending update.
func TestWaitingForBinariesToReady(t *testing.T) {
	en := newEnv(t, chacra.Options{})
	en.create(newRepo("r", "ubuntu/jammy", "centos/9"))
	r := en.wait("r", "WaitingForBinaries on both distros", func(r *v1alpha1.Repo) bool {
		return state("ubuntu/jammy", v1alpha1.RepoWaitingForBinaries)(r) && state("centos/9", v1alpha1.RepoWaitingForBinaries)(r)
	})
	if r.Status.Node == "" || r.Status.NodeURL == "" || cond(r, repo.CondReady).Reason != v1alpha1.RepoWaitingForBinaries {
		t.Fatalf("placed and waiting: %s", describe(r))
	}
	n := en.node(r)
	upload(t, n.URL(), "ubuntu/jammy", "ceph_1.0_amd64.deb", "deb")
	upload(t, n.URL(), "centos/9", "ceph-1.0.x86_64.rpm", "rpm")
	r = en.wait("r", "Ready", ready)
	for _, d := range r.Status.Distros {
		t.Logf("%s/%s: %s (url %s, builds by minka %d)", d.Distro, d.Version, transitions(&d), d.URL, d.Builds)
		if d.URL == "" || d.ChacraURL == "" || d.Builds != 0 {
			t.Errorf("%s: url %q chacraURL %q builds %d", d.Distro, d.URL, d.ChacraURL, d.Builds)
		}
	}
	for _, u := range []string{uri("ubuntu/jammy"), uri("centos/9")} {
		if c := n.UpdateCalls(u); c != 0 {
			t.Errorf("%s: %d update calls, want 0 (chacra builds uploads by itself)", u, c)
		}
	}
}

// Three Repos land on three nodes (least recently used), and stay there
// across a controller restart.
func TestPlacementSpreadsAndSticks(t *testing.T) {
	en := newEnv(t, chacra.Options{})
	names := []string{"a", "b", "c"}
	nodes := map[string]string{}
	for _, name := range names {
		en.create(newRepo(name, "ubuntu/jammy"))
		r := en.wait(name, "placed", func(r *v1alpha1.Repo) bool { return r.Status.Node != "" })
		nodes[name] = r.Status.Node
	}
	seen := map[string]bool{}
	for _, n := range nodes {
		seen[n] = true
	}
	t.Logf("placement: %v", nodes)
	if len(seen) != 3 {
		t.Fatalf("3 Repos on %d nodes: %v", len(seen), nodes)
	}
	en.stop()
	en.start()
	en.create(newRepo("d", "ubuntu/jammy"))
	en.wait("d", "placed", func(r *v1alpha1.Repo) bool { return r.Status.Node != "" })
	for _, name := range names {
		// A few passes of the new term have run once d is placed.
		r := en.wait(name, "observed", func(r *v1alpha1.Repo) bool { return len(r.Status.Distros) == 1 })
		if r.Status.Node != nodes[name] {
			t.Errorf("%s moved from %s to %s across a restart", name, nodes[name], r.Status.Node)
		}
	}
}

// A build that hangs in is_updating is declared stalled after
// buildTimeout, recreated after the backoff, and once maxRetries is
// spent it stays Failed with a message saying what to do.
func TestStalledBuildIsRecreatedThenGivesUp(t *testing.T) {
	en := newEnv(t, chacra.Options{})
	r := newRepo("hung", "ubuntu/jammy")
	r.Spec.Node, r.Spec.BuildTimeout, r.Spec.MaxRetries = "chacra1", v1alpha1.NewDuration(time.Minute), ptr(int32(1))
	n := en.cluster.Node("chacra1")
	n.HangRepo(uri("ubuntu/jammy"), true)
	en.create(r)
	upload(t, n.URL(), "ubuntu/jammy", "ceph_1.0_amd64.deb", "deb")
	en.wait("hung", "Building", state("ubuntu/jammy", v1alpha1.RepoBuilding))
	en.clock.Advance(2 * time.Minute)
	got := en.wait("hung", "Failed/BuildStalled", state("ubuntu/jammy", v1alpha1.RepoFailed))
	t.Logf("stalled: %s", distro(got, "ubuntu/jammy").Message)
	if d := distro(got, "ubuntu/jammy"); d.Reason != repo.ReasonBuildStalled || cond(got, repo.CondReady).Reason != repo.ReasonBuildStalled {
		t.Fatalf("want BuildStalled: %s", describe(got))
	}
	if c := n.UpdateCalls(uri("ubuntu/jammy")); c != 0 {
		t.Fatalf("%d recreates before the backoff passed", c)
	}
	en.clock.Advance(61 * time.Second)
	got = en.wait("hung", "recreated", func(r *v1alpha1.Repo) bool { d := distro(r, "ubuntu/jammy"); return d.Retries == 1 })
	en.wait("hung", "Building again", state("ubuntu/jammy", v1alpha1.RepoBuilding))
	en.clock.Advance(2 * time.Minute)
	got = en.wait("hung", "Failed for good", func(r *v1alpha1.Repo) bool {
		d := distro(r, "ubuntu/jammy")
		return d.State == v1alpha1.RepoFailed && strings.Contains(d.Message, "raise spec.maxRetries")
	})
	en.clock.Advance(10 * time.Minute)
	time.Sleep(300 * time.Millisecond) // passes that must not recreate again
	d := distro(en.get("hung"), "ubuntu/jammy")
	t.Logf("gave up: %s", d.Message)
	if c, b := n.UpdateCalls(uri("ubuntu/jammy")), n.Builds(uri("ubuntu/jammy")); c != 1 || b != 2 || d.Retries != 1 || d.Builds != 1 {
		t.Fatalf("recreate calls %d (want 1), builds %d (want 2), status retries %d builds %d", c, b, d.Retries, d.Builds)
	}
	if s, rc, rt := en.metric("minka_repo_builds_stalled_total", map[string]string{"node": "chacra1"}),
		en.metric("minka_repo_builds_started_total", map[string]string{"call": "recreate"}),
		en.metric("minka_repo_build_retries_total", nil); s != 2 || rc != 1 || rt != 1 {
		t.Errorf("metrics: stalled %v (want 2), recreate builds %v (want 1), retries %v (want 1)", s, rc, rt)
	}
	if f := en.metric("minka_repo_distros", map[string]string{"state": v1alpha1.RepoFailed}); f != 1 {
		t.Errorf("minka_repo_distros{state=Failed} = %v, want 1", f)
	}
	if !strings.Contains(en.events(), "BuildStalled") || !strings.Contains(en.events(), "Recreated") {
		t.Errorf("events lack BuildStalled or Recreated:\n%s", en.events())
	}
}

// 20 uploads during one build make exactly one follow-up build, and
// minka sends no update at all: chacra's needs_update does it.
func TestUploadsDuringBuildCoalesce(t *testing.T) {
	en := newEnv(t, chacra.Options{BuildTime: 1500 * time.Millisecond})
	r := newRepo("busy", "ubuntu/jammy")
	r.Spec.Node = "chacra2"
	n := en.cluster.Node("chacra2")
	en.create(r)
	upload(t, n.URL(), "ubuntu/jammy", "ceph_0_amd64.deb", "first")
	en.wait("busy", "Building", state("ubuntu/jammy", v1alpha1.RepoBuilding))
	for i := 1; i <= 20; i++ {
		upload(t, n.URL(), "ubuntu/jammy", "ceph_"+string(rune('a'+i))+"_amd64.deb", "more")
	}
	if b := n.Builds(uri("ubuntu/jammy")); b != 1 {
		t.Fatalf("uploads landed after the first build: %d builds", b)
	}
	en.wait("busy", "Ready with 21 binaries", func(r *v1alpha1.Repo) bool {
		d := distro(r, "ubuntu/jammy")
		return ready(r) && d.Binaries == 21 && n.Builds(uri("ubuntu/jammy")) == 2
	})
	time.Sleep(500 * time.Millisecond) // ready passes that must not update
	b, u := n.Builds(uri("ubuntu/jammy")), n.UpdateCalls(uri("ubuntu/jammy"))
	t.Logf("21 uploads: %d builds, %d update calls", b, u)
	if b != 2 || u != 0 {
		t.Fatalf("builds %d (want 2), update calls %d (want 0)", b, u)
	}
}

// A node marked down shows in NodeAvailable, naming it, with the
// recorded states kept; back, the Repo goes on to Ready.
func TestNodeDownAndBack(t *testing.T) {
	en := newEnv(t, chacra.Options{})
	r := newRepo("down", "ubuntu/jammy", "centos/9")
	r.Spec.Node = "chacra3"
	n := en.cluster.Node("chacra3")
	en.create(r)
	upload(t, n.URL(), "ubuntu/jammy", "ceph_1.0_amd64.deb", "deb")
	en.wait("down", "jammy Ready", state("ubuntu/jammy", v1alpha1.RepoReady))
	n.MarkDown(true)
	got := en.wait("down", "NodeAvailable=False", func(r *v1alpha1.Repo) bool {
		return cond(r, repo.CondNodeAvailable).Reason == repo.ReasonNodeDown
	})
	c := cond(got, repo.CondNodeAvailable)
	t.Logf("down: %s", c.Message)
	if !strings.Contains(c.Message, "chacra3") {
		t.Errorf("condition does not name the node: %s", c.Message)
	}
	jammy := distro(got, "ubuntu/jammy")
	if jammy.State != v1alpha1.RepoReady || repoTransition(jammy, v1alpha1.RepoReady) {
		t.Fatalf("state lost while down: %s", describe(got))
	}
	n.MarkDown(false)
	upload(t, n.URL(), "centos/9", "ceph-1.0.x86_64.rpm", "rpm")
	got = en.wait("down", "Ready after the node is back", func(r *v1alpha1.Repo) bool {
		return ready(r) && cond(r, repo.CondNodeAvailable).Reason == repo.ReasonNodeHealthy
	})
	t.Logf("back: jammy %s; centos %s", transitions(distro(got, "ubuntu/jammy")), transitions(distro(got, "centos/9")))
	if !strings.Contains(en.events(), "NodeRecovered") {
		t.Errorf("no NodeRecovered event:\n%s", en.events())
	}
}

// repoTransition reports a state missing from the transitions.
func repoTransition(d *v1alpha1.DistroState, s string) bool {
	for _, tr := range d.Transitions {
		if tr.State == s {
			return false
		}
	}
	return true
}

// deletePolicy Delete removes the binaries and repos from the node
// before the object; Retain removes the object only.
func TestDeletePolicy(t *testing.T) {
	en := newEnv(t, chacra.Options{})
	del, keep := newRepo("del", "ubuntu/jammy"), newRepo("keep", "ubuntu/focal")
	del.Spec.Node, del.Spec.DeletePolicy, keep.Spec.Node = "chacra1", v1alpha1.RepoDelete, "chacra1"
	n := en.cluster.Node("chacra1")
	en.create(del)
	en.create(keep)
	upload(t, n.URL(), "ubuntu/jammy", "ceph_1.0_amd64.deb", "deb")
	upload(t, n.URL(), "ubuntu/focal", "ceph_1.0_amd64.deb", "deb")
	en.wait("del", "Ready with the finalizer", func(r *v1alpha1.Repo) bool {
		return ready(r) && len(r.Finalizers) == 1 && r.Finalizers[0] == repo.Finalizer
	})
	en.wait("keep", "Ready", ready)
	for _, name := range []string{"del", "keep"} {
		if _, err := en.st.Delete(context.Background(), repoKind, "default", name, nil); err != nil {
			t.Fatal(err)
		}
	}
	en.waitFor("both Repos gone", func() bool { return en.get("del") == nil && en.get("keep") == nil })
	if code := status(t, n.URL()+"/repos/"+uri("ubuntu/jammy")+"/"); code != http.StatusNotFound {
		t.Errorf("Delete: the jammy repo answers %d, want 404", code)
	}
	if code := status(t, n.URL()+"/binaries/ceph/main/"+sha+"/ubuntu/jammy/x86_64/"); code != http.StatusNotFound {
		t.Errorf("Delete: the jammy binaries answer %d, want 404", code)
	}
	if code := status(t, n.URL()+"/repos/"+uri("ubuntu/focal")+"/"); code != http.StatusOK {
		t.Errorf("Retain: the focal repo answers %d, want 200", code)
	}
}

func status(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A repo chacra will not build by itself (never built, needs_update
// false) gets exactly one update.
func TestNeverBuiltGetsOneUpdate(t *testing.T) {
	en := newEnv(t, chacra.Options{PollInterval: time.Hour}) // the test runs chacra's polling cycle
	n := en.cluster.Node("chacra2")
	upload(t, n.URL(), "ubuntu/jammy", "ceph_1.0_amd64.deb", "deb")
	req, _ := http.NewRequest(http.MethodPost, n.URL()+"/repos/"+uri("ubuntu/jammy")+"/", bytes.NewBufferString(`{"needs_update": false}`))
	req.SetBasicAuth("admin", "secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST needs_update false: %v %v", err, resp)
	}
	resp.Body.Close()
	r := newRepo("idle", "ubuntu/jammy")
	r.Spec.Node = "chacra2"
	en.create(r)
	en.wait("idle", "update requested", func(r *v1alpha1.Repo) bool {
		d := distro(r, "ubuntu/jammy")
		return d != nil && d.Reason == repo.ReasonUpdateRequested
	})
	time.Sleep(300 * time.Millisecond) // passes while needs_update is set
	if c := n.UpdateCalls(uri("ubuntu/jammy")); c != 1 {
		t.Fatalf("%d update calls before chacra's cycle, want 1", c)
	}
	got := en.wait("idle", "Ready", func(r *v1alpha1.Repo) bool { n.Poll(); return ready(r) })
	time.Sleep(300 * time.Millisecond)
	d := distro(got, "ubuntu/jammy")
	t.Logf("never built: %s, update calls %d, builds %d", transitions(d), n.UpdateCalls(uri("ubuntu/jammy")), n.Builds(uri("ubuntu/jammy")))
	if c := n.UpdateCalls(uri("ubuntu/jammy")); c != 1 || d.Builds != 1 {
		t.Fatalf("update calls %d, status builds %d; want 1 and 1", c, d.Builds)
	}
}

func ptr[T any](v T) *T { return &v }

// Pinning spec.node to another node moves the Repo there (the rule for
// a node gone for good): the distros are observed afresh on it.
func TestMoveByPinning(t *testing.T) {
	en := newEnv(t, chacra.Options{})
	r := newRepo("mv", "ubuntu/jammy")
	r.Spec.Node = "chacra1"
	en.create(r)
	upload(t, en.cluster.Node("chacra1").URL(), "ubuntu/jammy", "ceph_1.0_amd64.deb", "deb")
	got := en.wait("mv", "Ready on chacra1", ready)
	got.Spec.Node = "chacra9"
	if _, err := en.st.Update(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	got = en.wait("mv", "UnknownNode", func(r *v1alpha1.Repo) bool {
		return cond(r, repo.CondNodeAvailable).Reason == repo.ReasonUnknownNode
	})
	t.Logf("unknown: %s", cond(got, repo.CondNodeAvailable).Message)
	if got.Status.Node != "chacra1" || !strings.Contains(cond(got, repo.CondNodeAvailable).Message, "chacra2") {
		t.Fatalf("an unknown pin must keep the node and name the valid ones: %s", describe(got))
	}
	got.Spec.Node = "chacra2"
	if _, err := en.st.Update(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	got = en.wait("mv", "moved and waiting on chacra2", func(r *v1alpha1.Repo) bool {
		return r.Status.Node == "chacra2" && state("ubuntu/jammy", v1alpha1.RepoWaitingForBinaries)(r)
	})
	upload(t, en.cluster.Node("chacra2").URL(), "ubuntu/jammy", "ceph_1.0_amd64.deb", "deb")
	got = en.wait("mv", "Ready on chacra2", ready)
	if !strings.Contains(en.events(), "Moved") || !strings.HasPrefix(got.Status.URL, en.cluster.Node("chacra2").URL()) {
		t.Fatalf("no Moved event or stale url %s:\n%s", got.Status.URL, en.events())
	}
}
