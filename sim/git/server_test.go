package git_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// refsOf lists a repository's refs under prefix as name → sha1 with the
// real git (peeled to commits, so annotated and lightweight tags compare
// with what the Repo methods returned).
func refsOf(g *gitRunner, dir, prefix string) map[string]string {
	out := g.run(dir, "for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", prefix)
	refs := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		refs[f[0]] = f[len(f)-1]
	}
	return refs
}

func TestGitCloneAndFetch(t *testing.T) {
	g := newGit(t)
	_, repo, hs, rec := seeded(t)
	dir := filepath.Join(t.TempDir(), "clone")
	g.run("", "clone", "--quiet", hs.URL+"/demo.git", dir)

	master, release := mustHead(t, repo, "master"), mustHead(t, repo, "release/1.0")
	server := refsOf(g, repo.Path(), "refs/tags/")
	want := map[string]string{
		"refs/remotes/origin/HEAD":        master,
		"refs/remotes/origin/master":      master,
		"refs/remotes/origin/release/1.0": release,
		"refs/tags/v1.0.0":                server["refs/tags/v1.0.0"],
		"refs/tags/v1.1.0":                server["refs/tags/v1.1.0"],
	}
	if len(server) != 2 || server["refs/tags/v1.1.0"] == "" {
		t.Fatalf("the server's tags are %v", server)
	}
	got := refsOf(g, dir, "refs/remotes/")
	for name, h := range refsOf(g, dir, "refs/tags/") {
		got[name] = h
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs after clone (-want +got):\n%s", diff)
	}
	if got := g.run(dir, "cat-file", "-t", "v1.0.0"); got != "tag" {
		t.Errorf("v1.0.0 is a %s, want an annotated tag", got)
	}
	if got := g.run(dir, "cat-file", "-t", "refs/tags/v1.1.0"); got != "commit" {
		t.Errorf("v1.1.0 is a %s, want a lightweight tag", got)
	}
	if got, want := g.run(dir, "describe", "--tags", "origin/master"), "v1.1.0-1-g"+master[:7]; got != want {
		t.Errorf("describe master = %q, want %q", got, want)
	}
	if got, want := g.run(dir, "describe", "--tags", "origin/release/1.0"), "v1.0.0-1-g"+release[:7]; got != want {
		t.Errorf("describe release/1.0 = %q, want %q", got, want)
	}
	if got := g.run(dir, "show", "-s", "--format=%an <%ae>|%cn <%ce>", "origin/master"); got != "minka sim <sim@minka.dev>|minka sim <sim@minka.dev>" {
		t.Errorf("signature = %q", got)
	}
	g.run(dir, "fsck", "--strict", "--no-progress")
	sawV2 := false
	for _, p := range rec.protocol {
		sawV2 = sawV2 || p == "version=2"
	}
	if !sawV2 {
		t.Errorf("git did not ask for protocol v2 (Git-Protocol headers %q): the v0 fallback went untested", rec.protocol)
	}

	// Local commits the server never saw make git send haves it does not
	// know, over several stateless rounds (16, 32, 64 haves), before the
	// common ones.
	g.run(dir, "checkout", "--quiet", "-b", "local")
	for i := 0; i < 40; i++ {
		g.run(dir, "commit", "--quiet", "--allow-empty", "-m", fmt.Sprintf("local %d", i))
	}
	newMaster := commitN(t, repo, "master", 3)
	if _, err := repo.Commit("topic", "Root of topic", map[string]string{"t": "t\n"}); err != nil {
		t.Fatal(err)
	}
	if err := repo.Tag("v1.2.0", newMaster, true, "Release 1.2.0"); err != nil {
		t.Fatal(err)
	}
	if err := repo.DeleteBranch("release/1.0"); err != nil {
		t.Fatal(err)
	}
	posts := rec.count("POST")
	g.run(dir, "fetch", "--quiet", "--prune", "--tags", "origin")
	if rec.count("POST") <= posts+1 {
		t.Errorf("fetch made %d upload-pack requests, want several negotiation rounds", rec.count("POST")-posts)
	}
	got = refsOf(g, dir, "refs/remotes/")
	want = map[string]string{
		"refs/remotes/origin/HEAD":   newMaster,
		"refs/remotes/origin/master": newMaster,
		"refs/remotes/origin/topic":  mustHead(t, repo, "topic"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("remote refs after fetch --prune (-want +got):\n%s", diff)
	}
	if got := g.run(dir, "rev-parse", "v1.2.0^{commit}"); got != newMaster {
		t.Errorf("v1.2.0 = %s, want %s", got, newMaster)
	}
	g.run(dir, "fsck", "--strict", "--no-progress")
}

// commitN writes n commits on branch and returns the last sha1.
func commitN(t *testing.T, repo interface {
	Commit(string, string, map[string]string) (string, error)
}, branch string, n int) string {
	t.Helper()
	var h string
	for i := 0; i < n; i++ {
		var err error
		h, err = repo.Commit(branch, fmt.Sprintf("%s %d", branch, i), map[string]string{fmt.Sprintf("f%d.txt", i): fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestGoGitCloneAndFetch(t *testing.T) {
	g := newGit(t)
	_, repo, hs, _ := seeded(t)
	server := refsOf(g, repo.Path(), "refs/tags/")
	dir := t.TempDir()
	r, err := gogit.PlainClone(dir, true, &gogit.CloneOptions{URL: hs.URL + "/demo.git", Tags: gogit.AllTags})
	if err != nil {
		t.Fatalf("go-git clone: %v", err)
	}
	check := func(when string, want map[string]string) {
		t.Helper()
		got := map[string]string{}
		iter, err := r.References()
		if err != nil {
			t.Fatal(err)
		}
		_ = iter.ForEach(func(ref *plumbing.Reference) error {
			if ref.Type() != plumbing.HashReference {
				return nil
			}
			h := ref.Hash()
			if tag, err := r.TagObject(h); err == nil {
				h = tag.Target
			}
			got[ref.Name().String()] = h.String()
			return nil
		})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("refs %s (-want +got):\n%s", when, diff)
		}
	}
	check("after clone", map[string]string{
		"refs/heads/master":               mustHead(t, repo, "master"),
		"refs/remotes/origin/master":      mustHead(t, repo, "master"),
		"refs/remotes/origin/release/1.0": mustHead(t, repo, "release/1.0"),
		"refs/tags/v1.0.0":                server["refs/tags/v1.0.0"],
		"refs/tags/v1.1.0":                server["refs/tags/v1.1.0"],
	})

	// go-git sends its haves with "done" in one request: the negotiation
	// must ACK the common one and send only the new objects.
	master := commitN(t, repo, "master", 2)
	err = r.Fetch(&gogit.FetchOptions{RefSpecs: []config.RefSpec{"+refs/heads/*:refs/heads/*"}})
	if err != nil {
		t.Fatalf("go-git fetch: %v", err)
	}
	if _, err := r.CommitObject(plumbing.NewHash(master)); err != nil {
		t.Errorf("fetched master %s is not in the clone: %v", master, err)
	}
}

func TestHTTPAnswers(t *testing.T) {
	_, repo, hs, _ := seeded(t)
	cases := []struct {
		reason, method, path, contentType string
		body                              io.Reader
		wantCode                          int
		wantType, wantBody                string
	}{
		{reason: "advertisement", method: "GET", path: "/demo.git/info/refs?service=git-upload-pack",
			wantCode: 200, wantType: "application/x-git-upload-pack-advertisement", wantBody: "001e# service=git-upload-pack\n0000"},
		{reason: "without .git, as hosting services allow", method: "GET", path: "/demo/info/refs?service=git-upload-pack",
			wantCode: 200, wantType: "application/x-git-upload-pack-advertisement", wantBody: "001e# service=git-upload-pack\n0000"},
		{reason: "unknown repository", method: "GET", path: "/nope.git/info/refs?service=git-upload-pack", wantCode: 404, wantBody: "not found"},
		{reason: "unknown repository upload-pack", method: "POST", path: "/nope.git/git-upload-pack", wantCode: 404},
		{reason: "path outside any repository", method: "GET", path: "/demo.git/HEAD", wantCode: 404},
		{reason: "push advertisement", method: "GET", path: "/demo.git/info/refs?service=git-receive-pack", wantCode: 403, wantBody: "read-only"},
		{reason: "push", method: "POST", path: "/demo.git/git-receive-pack", contentType: "application/x-git-receive-pack-request", wantCode: 403, wantBody: "read-only"},
		{reason: "dumb protocol", method: "GET", path: "/demo.git/info/refs", wantCode: 403, wantBody: "smart HTTP"},
		{reason: "upload-pack needs POST", method: "GET", path: "/demo.git/git-upload-pack", wantCode: 405},
		{reason: "wrong request type", method: "POST", path: "/demo.git/git-upload-pack", contentType: "text/plain", body: strings.NewReader("x"), wantCode: 415},
		{reason: "want of no ref", method: "POST", path: "/demo.git/git-upload-pack", contentType: "application/x-git-upload-pack-request",
			body:     strings.NewReader(pkt("want "+strings.Repeat("1", 40)+" ofs-delta\n") + "0000" + pkt("done\n")),
			wantCode: 200, wantType: "application/x-git-upload-pack-result", wantBody: "ERR upload-pack: not our ref 1111"},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, hs.URL+tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantCode {
				t.Errorf("status = %d, want %d (%s)", resp.StatusCode, tc.wantCode, body)
			}
			if tc.wantType != "" && resp.Header.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", resp.Header.Get("Content-Type"), tc.wantType)
			}
			if !strings.Contains(resp.Header.Get("Cache-Control"), "no-cache") {
				t.Errorf("Cache-Control = %q, want no-cache", resp.Header.Get("Cache-Control"))
			}
			if !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("body = %q, want it to contain %q", body, tc.wantBody)
			}
		})
	}
	if _, err := repo.Head("release/1.0"); err != nil {
		t.Errorf("a refused push changed the repository: %v", err)
	}
}

func pkt(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }

// TestGzipRequest sends upload-pack a gzipped request, as git does for
// large ones.
func TestGzipRequest(t *testing.T) {
	_, repo, hs, _ := seeded(t)
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	fmt.Fprint(zw, pkt("want "+mustHead(t, repo, "master")+" ofs-delta agent=test\n")+"0000"+pkt("done\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", hs.URL+"/demo.git/git-upload-pack", &body)
	req.Header.Set("Content-Type", "application/x-git-upload-pack-request")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.HasPrefix(got, []byte("0008NAK\nPACK")) {
		t.Errorf("status %d, body starts %q, want 200 and NAK then a pack", resp.StatusCode, got[:min(len(got), 20)])
	}
}

func TestGitPushRefused(t *testing.T) {
	g := newGit(t)
	_, _, hs, _ := seeded(t)
	dir := filepath.Join(t.TempDir(), "clone")
	g.run("", "clone", "--quiet", hs.URL+"/demo.git", dir)
	g.run(dir, "commit", "--quiet", "--allow-empty", "-m", "pushed")
	out, err := g.try(dir, "push", "origin", "HEAD:master")
	if err == nil || !strings.Contains(out, "403") {
		t.Errorf("git push = %v, %q; want a 403 refusal", err, out)
	}
	if _, err := g.try("", "clone", "--quiet", hs.URL+"/missing.git", filepath.Join(t.TempDir(), "m")); err == nil {
		t.Error("clone of a missing repository succeeded")
	}
}

func TestCloneEmptyRepository(t *testing.T) {
	g := newGit(t)
	srv, _, hs, _ := seeded(t)
	if _, err := srv.Create("empty"); err != nil {
		t.Fatal(err)
	}
	out, err := g.try("", "clone", hs.URL+"/empty.git", filepath.Join(t.TempDir(), "e"))
	if err != nil || !strings.Contains(out, "empty repository") {
		t.Errorf("clone of an empty repository = %v, %q", err, out)
	}
}
