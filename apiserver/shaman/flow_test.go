package shaman

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
	simchacra "minka/sim/chacra"
)

// TestNextSpreadsAndHeals: 30 next requests spread 10/10/10; a node
// failing its health check is skipped at once, and is handed out again
// after the next round of checks once it recovers.
func TestNextSpreadsAndHeals(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	count := func(n int) map[string]int {
		got := map[string]int{}
		for i := 0; i < n; i++ {
			r := e.do("GET", "/api/nodes/next/", true, nil)
			if r.code != 200 || r.contentType != contentText {
				t.Fatalf("next: %d %q %s", r.code, r.contentType, r.body)
			}
			got[strings.TrimSuffix(string(r.body), "/")]++
		}
		return got
	}
	got := count(30)
	for _, u := range e.cluster.URLs() {
		if got[u] != 10 {
			t.Fatalf("30 next: %v, want 10 each", got)
		}
	}
	t.Logf("30 next: %v", got)
	down := e.cluster.Nodes[1]
	down.FailHealth(true)
	got = count(20)
	if got[down.URL()] != 0 || got[e.cluster.Nodes[0].URL()] != 10 || got[e.cluster.Nodes[2].URL()] != 10 {
		t.Fatalf("with %s failing: %v", down.Name(), got)
	}
	t.Logf("20 next with %s failing health: %v", down.Name(), got)
	down.FailHealth(false)
	e.pool.CheckAll(context.Background())
	got = count(30)
	for _, u := range e.cluster.URLs() {
		if got[u] != 10 {
			t.Fatalf("after recovery: %v, want 10 each", got)
		}
	}
	if r := e.do("GET", "/api/nodes/next/", false, nil); r.code != 401 || r.contentType != contentHTML {
		t.Fatalf("next without auth: %d", r.code)
	}
	for _, n := range e.cluster.Nodes {
		n.MarkDown(true)
	}
	if r := e.do("GET", "/api/nodes/next/", true, nil); r.code != 404 || !strings.Contains(string(r.body), "There are no healthy chacra nodes available.") {
		t.Fatalf("all down: %d %s", r.code, r.body)
	}
}

func upload(t *testing.T, node, path, file string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", file)
	fw.Write([]byte("binary " + file))
	mw.Close()
	req, _ := http.NewRequest("POST", node+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth("admin", "secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("upload %s: %d %s", path, res.StatusCode, body)
	}
}

func post(t *testing.T, u, body string) {
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", "secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("POST %s: %d %s", u, res.StatusCode, b)
	}
}

// TestDiscoveredFlow is ceph's Jenkins upload flow with no manifest:
// next → multipart upload to that node → extra → update; the node's
// callbacks reach the shaman endpoints, which create a discovered Repo
// that goes Ready on both distros, and latest answers its sha1.
func TestDiscoveredFlow(t *testing.T) {
	e := newEnv(t, simchacra.Options{})
	r := e.do("GET", "/api/nodes/next/", true, nil)
	node := strings.TrimSuffix(string(r.body), "/")
	sha1 := "feedfacefeedfacefeedfacefeedfacefeedface"
	upload(t, node, "/binaries/ceph/main/"+sha1+"/ubuntu/xenial/x86_64/", "ceph_1.0-1_amd64.deb")
	upload(t, node, "/binaries/ceph/main/"+sha1+"/centos/7/x86_64/", "ceph-1.0-1.x86_64.rpm")
	for _, d := range []string{"ubuntu/xenial", "centos/7"} {
		post(t, node+"/repos/ceph/main/"+sha1+"/"+d+"/extra/", `{"version": "1.0-1", "build_url": "https://jenkins.example/job/ceph/1/"}`)
		post(t, node+"/repos/ceph/main/"+sha1+"/"+d+"/update/", ``)
	}
	name := repoquery.RepoName("ceph", "main", sha1, "default")
	e.eventually("the discovered Repo is Ready on both distros", func() bool {
		x, ok := e.h.Index().Get("default", name)
		if !ok || len(x.Status.Distros) != 2 {
			return false
		}
		for _, d := range x.Status.Distros {
			if d.State != v1alpha1.RepoReady {
				return false
			}
		}
		return true
	})
	got := e.repo("default", name)
	if got.Labels[v1alpha1.LabelDiscovered] != "true" || got.Status.NodeURL != node || len(got.Spec.Distros) != 2 {
		t.Fatalf("discovered Repo: labels %v node %q spec %+v", got.Labels, got.Status.NodeURL, got.Spec.Distros)
	}
	res := e.do("GET", "/api/search/?project=ceph&ref=main&sha1=latest&status=ready&distros=ubuntu/16.04,centos/7", false, nil)
	if res.code != 200 || strings.Count(string(res.body), sha1) < 2 {
		t.Fatalf("latest: %d %s", res.code, res.body)
	}
	t.Logf("discovered %s: %s on %s", name, sha1, got.Status.Node)
}
