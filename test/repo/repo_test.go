package repo

import (
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/client"
	"minka/sim/chacra"
)

const (
	sha1A = "0123456789abcdef0123456789abcdef01234567"
	sha1B = "89abcdef0123456789abcdef0123456789abcdef"
)

// shamanGet is a GET of the shaman endpoints with the shaman key, as a
// Jenkins job's curl would send it.
func shamanGet(t testing.TB, s *Server, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/shaman"+path, nil)
	req.SetBasicAuth(testShamanUser, testShamanKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func chacraPost(t testing.TB, url, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRepoNextSpreadsAndRecovers: 30 `next` spread 10/10/10; a node that
// goes down is skipped within one health interval and comes back by
// itself once it recovers.
func TestRepoNextSpreadsAndRecovers(t *testing.T) {
	e := startChacraWorld(t, chacra.Options{})
	s, _ := repoServer(t, e)
	count := map[string]int{}
	for i := 0; i < 30; i++ {
		code, body := shamanGet(t, s, "/api/nodes/next/")
		if code != http.StatusOK {
			t.Fatalf("next #%d: %d %s", i, code, body)
		}
		count[strings.TrimSpace(body)]++
	}
	for _, u := range e.cluster.URLs() {
		if count[u+"/"] != 10 {
			t.Errorf("next handed %s out %d times of 30, want 10 (all: %v)", u, count[u+"/"], count)
		}
	}
	down := e.cluster.Nodes[1]
	down.MarkDown(true)
	time.Sleep(600 * time.Millisecond) // two health intervals
	for i := 0; i < 12; i++ {
		if _, body := shamanGet(t, s, "/api/nodes/next/"); strings.TrimSpace(body) == down.URL()+"/" {
			t.Fatalf("next #%d handed out %s, which is down", i, down.Name())
		}
	}
	down.MarkDown(false)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := shamanGet(t, s, "/api/nodes/next/")
		if strings.TrimSpace(body) == down.URL()+"/" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never came back after it recovered", down.Name())
		}
	}
	t.Logf("30 next: %v; %s skipped while down and back by itself after it recovered", count, down.Name())
}

// TestRepoUploadFlowDiscovered is the flow ceph's Jenkins jobs run, with
// no manifest: next → upload → extra → update; chacra's callbacks reach
// minka, which creates a discovered Repo that goes Ready.
func TestRepoUploadFlowDiscovered(t *testing.T) {
	e := startChacraWorld(t, chacra.Options{})
	s, cli := repoServer(t, e)
	code, next := shamanGet(t, s, "/api/nodes/next/")
	if code != http.StatusOK {
		t.Fatalf("next: %d %s", code, next)
	}
	node := strings.TrimSpace(next)
	if c := upload(t, node, "hello", "main", sha1A, "ubuntu", "jammy", "x86_64", "hello_1.0-1_amd64.deb", false); c != http.StatusCreated {
		t.Fatalf("upload: %d", c)
	}
	repoURL := node + "repos/hello/main/" + sha1A + "/ubuntu/jammy/"
	if c := chacraPost(t, repoURL+"extra", `{"version": "1.0-1", "build_url": "https://jenkins.example/job/1/", "node_name": "builder1", "job_name": "hello-build"}`); c != http.StatusOK {
		t.Fatalf("extra: %d", c)
	}
	if c := chacraPost(t, repoURL+"update", ""); c != http.StatusOK {
		t.Fatalf("update: %d", c)
	}
	var found *v1alpha1.Repo
	deadline := time.Now().Add(30 * time.Second)
	for found == nil || !repoReady(found) {
		if time.Now().After(deadline) {
			t.Fatalf("no discovered Repo went Ready within 30s; last %+v\n%s", found, s.Logs())
		}
		time.Sleep(100 * time.Millisecond)
		list, err := cli.List(t.Context(), repoKind, "", listLabel(v1alpha1.LabelDiscovered+"=true"))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range list.GetItems() {
			if r := it.(*v1alpha1.Repo); r.Spec.SHA1 == sha1A {
				found = r
			}
		}
	}
	if found.Status.NodeURL+"/" != node {
		t.Errorf("discovered Repo on node %q (%s), the upload went to %s", found.Status.Node, found.Status.NodeURL, node)
	}
	d := found.Status.Distros[0]
	if d.State != v1alpha1.RepoReady || !strings.Contains(d.URL, "/r/hello/main/"+sha1A+"/ubuntu/jammy/") {
		t.Errorf("distro state %+v", d)
	}
	code, body := shamanGet(t, s, "/api/search/?project=hello&distros=ubuntu/jammy&ref=main&sha1=latest")
	if code != http.StatusOK || !strings.Contains(body, sha1A) {
		t.Errorf("search latest: %d %s", code, body)
	}
	t.Logf("discovered Repo %s/%s Ready on %s; transitions %v", found.Namespace, found.Name, found.Status.Node, d.Transitions)
}

// TestRepoNodeDownThenReady: a Repo whose node is down says so in a
// condition, keeps what it recorded, and goes Ready once the node is back.
func TestRepoNodeDownThenReady(t *testing.T) {
	e := startChacraWorld(t, chacra.Options{})
	s, cli := repoServer(t, e)
	apply(t, s, repoManifest("hello-a", sha1A, []string{"ubuntu/jammy", "centos/9"}, ""))
	r := waitRepo(t, cli, "ci", "hello-a", 20*time.Second, "placed and waiting for binaries", func(r *v1alpha1.Repo) bool {
		return r.Status.NodeURL != "" && len(r.Status.Distros) == 2 && r.Status.Distros[0].State == v1alpha1.RepoWaitingForBinaries
	})
	node := e.cluster.Node(r.Status.NodeURL)
	upload(t, node.URL(), "hello", "main", sha1A, "ubuntu", "jammy", "x86_64", pkgName("ubuntu", "hello"), false)
	waitRepo(t, cli, "ci", "hello-a", 20*time.Second, "jammy ready", func(r *v1alpha1.Repo) bool {
		return r.Status.Distros[0].State == v1alpha1.RepoReady
	})
	node.MarkDown(true)
	r = waitRepo(t, cli, "ci", "hello-a", 30*time.Second, "NodeAvailable=False", func(r *v1alpha1.Repo) bool {
		st, _, msg := repoCondition(r, "NodeAvailable")
		return st == "False" && strings.Contains(msg, node.Name())
	})
	_, reason, msg := repoCondition(r, "NodeAvailable")
	if r.Status.Distros[0].State != v1alpha1.RepoReady || r.Status.Node != node.Name() {
		t.Errorf("while the node is down the recorded state changed: %+v", r.Status)
	}
	node.MarkDown(false)
	upload(t, node.URL(), "hello", "main", sha1A, "centos", "9", "x86_64", pkgName("centos", "hello"), false)
	r = waitRepo(t, cli, "ci", "hello-a", 60*time.Second, "Ready", repoReady)
	if st, _, _ := repoCondition(r, "NodeAvailable"); st != "True" || r.Status.Node != node.Name() { // Ready needs the node
		t.Errorf("after the node came back: NodeAvailable %s, node %s", st, r.Status.Node)
	}
	if since := r.Status.Distros[0].Transitions; len(since) < 2 {
		t.Errorf("jammy's transitions were lost: %v", since)
	}
	out, _, code := Minka(t, s, "", "describe", "repo", "hello-a", "-n", "ci")
	for _, want := range []string{"Node:", node.Name() + " " + node.URL(), "Distros:", "ubuntu  jammy    x86_64  Ready", "centos  9        x86_64  Ready",
		"NodeAvailable  True", "NodeDown", "NodeRecovered"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("describe repo lacks %q:\n%s", want, out)
		}
	}
	got, _, _ := Minka(t, s, "", "get", "repo", "hello-a", "-n", "ci")
	if !strings.Contains(got, "ubuntu/jammy=Ready,centos/9=Ready") {
		t.Errorf("get repo: %s", got)
	}
	t.Logf("node %s down: NodeAvailable=False %s %q; back: Ready, transitions kept: %v", node.Name(), reason, msg, r.Status.Distros[0].Transitions)
}

// TestRepoStalledBuildIsRecreated: a build chacra leaves hanging becomes
// Failed/BuildStalled after buildTimeout and is recreated; 20 uploads
// during one build make exactly one follow-up build, and minka never
// sends update while a build is queued or running.
func TestRepoStalledBuildIsRecreated(t *testing.T) {
	e := startChacraWorld(t, chacra.Options{BuildTime: 2 * time.Second})
	s, cli := repoServer(t, e)
	apply(t, s, repoManifest("hello-s", sha1A, []string{"ubuntu/jammy"}, "  buildTimeout: 3s\n  maxRetries: 2\n"))
	r := waitRepo(t, cli, "ci", "hello-s", 20*time.Second, "placed", func(r *v1alpha1.Repo) bool { return r.Status.NodeURL != "" })
	node := e.cluster.Node(r.Status.NodeURL)
	uri := "hello/main/" + sha1A + "/ubuntu/jammy/flavors/default"
	node.HangRepo(uri, true)
	upload(t, node.URL(), "hello", "main", sha1A, "ubuntu", "jammy", "x86_64", pkgName("ubuntu", "hello"), false)
	r = waitRepo(t, cli, "ci", "hello-s", 30*time.Second, "Failed/BuildStalled", func(r *v1alpha1.Repo) bool {
		return len(r.Status.Distros) == 1 && r.Status.Distros[0].Reason == "BuildStalled"
	})
	stalled := r.Status.Distros[0]
	node.HangRepo(uri, false)
	r = waitRepo(t, cli, "ci", "hello-s", 60*time.Second, "Ready after a recreate", repoReady)
	if d := r.Status.Distros[0]; d.Builds < 1 || !hasTransition(d, v1alpha1.RepoFailed) {
		t.Errorf("Ready without a recorded recreate after the stall: %+v", d)
	}
	recreates := node.UpdateCalls(uri)
	builds := node.Builds(uri)

	// 20 uploads while one build runs (BuildTime 2s): one follow-up.
	upload(t, node.URL(), "hello", "main", sha1A, "ubuntu", "jammy", "x86_64", "first_1.0_amd64.deb", false)
	waitRepo(t, cli, "ci", "hello-s", 20*time.Second, "building", func(r *v1alpha1.Repo) bool {
		return r.Status.Distros[0].State == v1alpha1.RepoBuilding
	})
	for i := 0; i < 20; i++ {
		upload(t, node.URL(), "hello", "main", sha1A, "ubuntu", "jammy", "x86_64", fmt.Sprintf("more%02d_1.0_amd64.deb", i), false)
	}
	waitRepo(t, cli, "ci", "hello-s", 60*time.Second, "Ready with every upload", func(r *v1alpha1.Repo) bool {
		return repoReady(r) && r.Status.Distros[0].Binaries == 22 && node.Builds(uri) >= builds+2
	})
	time.Sleep(2 * time.Second) // room for a wrong third build to start
	if got := node.Builds(uri) - builds; got != 2 {
		t.Errorf("the first upload and 20 during its build made %d builds, want 2 (that build and one follow-up)", got)
	}
	if got := node.UpdateCalls(uri) - recreates; got != 0 {
		t.Errorf("minka sent %d update calls while chacra built on its own", got)
	}
	t.Logf("stalled: %s %q; recreates %d before Ready; then 1 upload + 20 during its build: %d builds, %d update calls from minka",
		stalled.Reason, stalled.Message, recreates, node.Builds(uri)-builds, node.UpdateCalls(uri)-recreates)
}

// TestRepoSurvivesKills: kill -9 the server 10 times while 6 Repos build;
// every Repo ends Ready, and no repository was built more often than its
// uploads call for.
func TestRepoSurvivesKills(t *testing.T) {
	e := startChacraWorld(t, chacra.Options{BuildTime: 300 * time.Millisecond, QuietTime: 200 * time.Millisecond})
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(11))
	distros := []string{"ubuntu/jammy", "centos/9"}
	for i := 0; i < 10; i++ {
		s, cli := repoServer(t, e, "--data-dir", dir)
		if i == 0 {
			for j := 0; j < 6; j++ {
				apply(t, s, repoManifest(fmt.Sprintf("k%d", j), fmt.Sprintf("%040x", j+1), distros, ""))
			}
		}
		if i < 6 { // each pass uploads one Repo's binaries, once it is placed
			name := fmt.Sprintf("k%d", i)
			r := waitRepo(t, cli, "ci", name, 20*time.Second, "placed", func(r *v1alpha1.Repo) bool { return r.Status.NodeURL != "" })
			for _, d := range distros {
				p := strings.SplitN(d, "/", 2)
				upload(t, r.Status.NodeURL, "hello", "main", r.Spec.SHA1, p[0], p[1], "x86_64", pkgName(p[0], "hello"), false)
			}
		}
		time.Sleep(time.Duration(rng.Intn(1200)) * time.Millisecond)
		_ = s.Kill()
	}
	s, cli := repoServer(t, e, "--data-dir", dir)
	_ = s
	for j := 0; j < 6; j++ {
		r := waitRepo(t, cli, "ci", fmt.Sprintf("k%d", j), 60*time.Second, "Ready", repoReady)
		n := e.cluster.Node(r.Status.NodeURL)
		for _, d := range distros {
			p := strings.SplitN(d, "/", 2)
			uri := fmt.Sprintf("hello/main/%s/%s/%s/flavors/default", r.Spec.SHA1, p[0], p[1])
			if b := n.Builds(uri); b != 1 {
				t.Errorf("%s was built %d times, want 1 (one upload)", uri, b)
			}
		}
	}
	var total int
	for _, n := range e.cluster.Nodes {
		for j := 0; j < 6; j++ {
			for _, d := range distros {
				p := strings.SplitN(d, "/", 2)
				total += n.UpdateCalls(fmt.Sprintf("hello/main/%040x/%s/%s/flavors/default", j+1, p[0], p[1]))
			}
		}
	}
	t.Logf("10 kill -9s: 6 Repos x 2 distros Ready, each built once; %d update calls from minka", total)
}

func hasTransition(d v1alpha1.DistroState, state string) bool {
	for _, t := range d.Transitions {
		if t.State == state {
			return true
		}
	}
	return false
}

// listLabel is list options with a label selector.
func listLabel(sel string) client.ListOptions { return client.ListOptions{LabelSelector: sel} }
