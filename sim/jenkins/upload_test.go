package jenkins

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"minka/sim/chacra"
	"minka/sim/fault"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

// waitBuild waits until build n of ceph has a result and returns it.
func waitBuild(t *testing.T, e *ci, n int) BuildInfo {
	t.Helper()
	var got BuildInfo
	eventually(t, "the end of the build", func() bool {
		b := e.s.Builds("ceph")
		if len(b) < n || b[n-1].Result == "" {
			return false
		}
		got = b[n-1]
		return true
	})
	return got
}

// listing is a chacra node's JSON at path, nil on a 404.
func listing(t *testing.T, node *chacra.Node, path string) map[string]any {
	t.Helper()
	resp, err := http.Get(node.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == 404 {
		return nil
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return m
}

// TestUploadToChacra: a SUCCESS-bound build of a job with an Upload and
// a CHACRA_URL puts one package per distro on a real simulated chacra
// node, as chacractl does, and fails when chacra does.
func TestUploadToChacra(t *testing.T) {
	distros := []string{"ubuntu/jammy/x86_64", "centos/9/x86_64"}
	deb := "/binaries/ceph/squid/" + sha + "/ubuntu/jammy/x86_64/"
	rpm := "/binaries/ceph/squid/" + sha + "/centos/9/x86_64/"
	cases := []struct {
		reason  string
		key     string                             // chacra api key the job uses
		before  func(t *testing.T, n *chacra.Node) // before the build ends
		form    string                             // more build parameters
		noURL   bool                               // the build has no CHACRA_URL
		result  string                             // of the build
		log     []string                           // in its console
		uploads int                                // records
		check   func(t *testing.T, n *chacra.Node, u []UploadRecord)
	}{
		{reason: "uploads every distro, then SUCCESS", result: "SUCCESS", uploads: 2,
			before: func(t *testing.T, n *chacra.Node) {
				_ = n.Faults.Set(fault.Fault{Match: "POST /binaries", Latency: 100 * time.Millisecond})
			},
			log: []string{"+ chacractl binary create ceph/squid/" + sha + "/ubuntu/jammy/x86_64 ceph_1.0-1_amd64.deb\n",
				"--> POSTing file: ceph_1.0-1_amd64.deb\n", "--> 201 Created: ", "--> POSTing file: ceph-1.0-1.el9.x86_64.rpm\n", "Finished: SUCCESS\n"},
			check: func(t *testing.T, n *chacra.Node, u []UploadRecord) {
				if l := listing(t, n, deb); l["ceph_1.0-1_amd64.deb"] == nil {
					t.Errorf("%s: %v", deb, l)
				}
				if l := listing(t, n, rpm); l["ceph-1.0-1.el9.x86_64.rpm"] == nil {
					t.Errorf("%s: %v", rpm, l)
				}
				if u[0].Code != 201 || u[0].URL != n.URL()+deb || u[0].File != "ceph_1.0-1_amd64.deb" || u[0].Err != "" || u[0].Build != 1 {
					t.Errorf("upload record: %+v", u[0])
				}
			}},
		{reason: "chacra answers 500", result: "FAILURE", uploads: 1,
			before: func(t *testing.T, n *chacra.Node) {
				_ = n.Faults.Set(fault.Fault{Match: "POST /binaries", Failure: fault.Internal})
			},
			log: []string{"ERROR: upload of ceph_1.0-1_amd64.deb to ", " failed: 500 Internal Server Error\n",
				"Build step 'Execute shell' marked build as failure\nFinished: FAILURE\n"},
			check: func(t *testing.T, n *chacra.Node, u []UploadRecord) {
				if u[0].Code != 500 || u[0].Err == "" {
					t.Errorf("upload record: %+v", u[0])
				}
				if listing(t, n, deb) != nil {
					t.Errorf("a binary on chacra after a 500")
				}
			}},
		{reason: "chacra is down", result: "FAILURE", uploads: 1,
			before: func(t *testing.T, n *chacra.Node) { n.MarkDown(true) },
			log:    []string{"ERROR: upload of ceph_1.0-1_amd64.deb to ", "failed: HEAD "},
			check: func(t *testing.T, n *chacra.Node, u []UploadRecord) {
				if u[0].Code != 0 || !strings.Contains(u[0].Err, "HEAD ") {
					t.Errorf("upload record: %+v", u[0])
				}
			}},
		{reason: "a wrong api key", key: "wrong", result: "FAILURE", uploads: 1, log: []string{"--> 401 -> ", "failed: 401 Unauthorized\n"}},
		{reason: "no CHACRA_URL: no upload", noURL: true, result: "SUCCESS", uploads: 0, log: []string{"--step 3/3\nFinished: SUCCESS\n"}},
		{reason: "a failing build uploads nothing", form: "&SIM_RESULT=FAILURE", result: "FAILURE", uploads: 0, log: []string{"+ exit 1\n"}},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			cl := chacra.NewCluster(1, chacra.Options{})
			t.Cleanup(cl.Close)
			node := cl.Nodes[0]
			e := newCI(t, Options{})
			key := tc.key
			if key == "" {
				key = "secret"
			}
			e.s.SetJobUpload("ceph", Upload{Project: "ceph", Distros: distros, User: "admin", Key: key})
			form := "BRANCH=squid&SHA1=" + sha + tc.form
			if !tc.noURL {
				form += "&CHACRA_URL=" + node.URL() // no trailing slash: one is added
			}
			e.build(t, form)
			if tc.before != nil {
				tc.before(t, node)
			}
			e.clk.Add(time.Minute)
			if tc.uploads > 0 {
				if got := e.get(t, "/job/ceph/1/api/json?tree=building"); !strings.Contains(got.body, `"building":true`) {
					t.Errorf("while uploading: %s", got.body)
				}
			}
			b := waitBuild(t, e, 1)
			if b.Result != tc.result {
				t.Errorf("result %s, want %s; log:\n%s", b.Result, tc.result, b.Log)
			}
			for _, l := range tc.log {
				if !strings.Contains(b.Log, l) {
					t.Errorf("log lacks %q:\n%s", l, b.Log)
				}
			}
			u := e.s.Uploads()
			if len(u) != tc.uploads {
				t.Fatalf("%d uploads, want %d: %+v", len(u), tc.uploads, u)
			}
			if tc.check != nil {
				tc.check(t, node, u)
			}
			if got := e.get(t, "/job/ceph/1/logText/progressiveText"); got.h.Get("X-More-Data") != "" || lf(got.body) != b.Log {
				t.Errorf("the finished log: X-More-Data %q, %q", got.h.Get("X-More-Data"), got.body)
			}
		})
	}
}

// TestUploadAgain: a binary chacra already has is skipped, as chacractl
// does without --force, and the build succeeds.
func TestUploadAgain(t *testing.T) {
	cl := chacra.NewCluster(1, chacra.Options{})
	t.Cleanup(cl.Close)
	e := newCI(t, Options{})
	e.s.SetJobUpload("ceph", Upload{Project: "ceph", Distros: []string{"ubuntu/jammy/x86_64"}, User: "admin", Key: "secret"})
	for n := 1; n <= 2; n++ {
		e.build(t, "BRANCH=squid&SHA1="+sha+"&CHACRA_URL="+cl.Nodes[0].URL()+"/")
		e.clk.Add(time.Minute)
		if b := waitBuild(t, e, n); b.Result != "SUCCESS" {
			t.Fatalf("build %d: %s\n%s", n, b.Result, b.Log)
		}
	}
	u := e.s.Uploads()
	if len(u) != 2 || u[0].Skipped || u[0].Code != 201 || !u[1].Skipped || u[1].Code != 200 {
		t.Errorf("uploads: %+v", u)
	}
	if log := e.s.Builds("ceph")[1].Log; !strings.Contains(log, "--> resource exists and --force was not used, will not upload\n--> SKIP ") {
		t.Errorf("second build's log: %s", log)
	}
}

// TestUploadInterrupted: a build stopped while it uploads stays ABORTED;
// Close cancels an upload that hangs and waits for it.
func TestUploadInterrupted(t *testing.T) {
	cl := chacra.NewCluster(1, chacra.Options{})
	t.Cleanup(cl.Close)
	node := cl.Nodes[0]
	e := newCI(t, Options{})
	e.s.SetJobUpload("ceph", Upload{Project: "ceph", Distros: []string{"ubuntu/jammy/x86_64", "debian/bookworm/aarch64"}, User: "admin", Key: "secret"})
	_ = node.Faults.Set(fault.Fault{Match: "POST /binaries", Latency: 200 * time.Millisecond})
	e.build(t, "BRANCH=squid&SHA1="+sha+"&CHACRA_URL="+node.URL())
	e.clk.Add(time.Minute)
	if got := e.post(t, "/job/ceph/1/stop", ""); got.code != 302 {
		t.Fatalf("stop: %d", got.code)
	}
	time.Sleep(300 * time.Millisecond) // the first upload answers
	b := waitBuild(t, e, 1)
	if b.Result != "ABORTED" || strings.Contains(b.Log, "--> 201") || strings.Count(b.Log, "Finished:") != 1 {
		t.Errorf("stopped while uploading: %s\n%s", b.Result, b.Log)
	}
	if u := e.s.Uploads(); len(u) > 1 {
		t.Errorf("uploads went on after the stop: %+v", u)
	}

	node.Faults.Clear()
	_ = node.Faults.Set(fault.Fault{Match: "POST /binaries", Failure: fault.Hang})
	e.build(t, "BRANCH=reef&SHA1="+sha+"&CHACRA_URL="+node.URL())
	e.clk.Add(time.Minute)
	e.s.Tick() // the upload starts
	eventually(t, "the hung POST", func() bool {
		log := e.s.Builds("ceph")[1].Log
		return strings.Contains(log, "POSTing file")
	})
	start := time.Now()
	e.s.Close()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close took %v", took)
	}
	if b := e.s.Builds("ceph")[1]; b.Result != "FAILURE" || !strings.Contains(b.Log, "context canceled") {
		t.Errorf("after Close: %s\n%s", b.Result, b.Log)
	}
}

// TestPackageNames: the files ceph-build would upload per distro.
func TestPackageNames(t *testing.T) {
	cases := []struct{ distro, version, arch, want string }{
		{"ubuntu", "jammy", "x86_64", "p_1.0-1_amd64.deb"},
		{"debian", "bookworm", "aarch64", "p_1.0-1_arm64.deb"},
		{"ubuntu", "noble", "ppc64le", "p_1.0-1_ppc64el.deb"},
		{"centos", "9", "x86_64", "p-1.0-1.el9.x86_64.rpm"},
		{"rhel", "8", "aarch64", "p-1.0-1.el8.aarch64.rpm"},
		{"fedora", "40", "x86_64", "p-1.0-1.fc40.x86_64.rpm"},
		{"centos", "9", "noarch", "p-1.0-1.el9.noarch.rpm"},
		{"windows", "2022", "x86_64", "p-1.0-1-x86_64.tar.gz"},
	}
	for _, c := range cases {
		if got := packageName("p", c.distro, c.version, c.arch); got != c.want {
			t.Errorf("%s/%s/%s: %s, want %s", c.distro, c.version, c.arch, got, c.want)
		}
	}
}
