package gitmirror_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/google/go-cmp/cmp"

	"minka/backend/gitmirror"
	simgit "minka/sim/git"
)

// simRepo is a seeded sim/git repository behind an httptest server that
// counts advertisement requests (one per fetch).
type simRepo struct {
	repo    *simgit.Repo
	url     string
	fetches atomic.Int32
	hold    chan struct{} // when set, advertisements wait for it to close
	server  *httptest.Server
}

func newSimRepo(t *testing.T, name string) *simRepo {
	t.Helper()
	clock := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	srv := simgit.New(t.TempDir(), simgit.Options{Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	}})
	repo, err := srv.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := simgit.Seed(repo); err != nil {
		t.Fatal(err)
	}
	s := &simRepo{repo: repo}
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/info/refs") {
			s.fetches.Add(1)
			if s.hold != nil {
				select {
				case <-s.hold:
				case <-r.Context().Done():
					return
				}
			}
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(s.server.Close)
	s.url = s.server.URL + "/" + name + ".git"
	return s
}

func (s *simRepo) head(t *testing.T, branch string) string {
	t.Helper()
	h, err := s.repo.Head(branch)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestDescribeOverHTTP describes every commit of a sim/git repository
// through its smart HTTP server and compares with git describe run in
// the sim's bare repository.
func TestDescribeOverHTTP(t *testing.T) {
	g := newGit(t)
	s := newSimRepo(t, "demo")
	if _, err := s.repo.Commit("topic", "unrelated root", map[string]string{"x": "x"}); err != nil {
		t.Fatal(err)
	}
	r := &repo{g: g, dir: s.repo.Path()}
	want := r.oracle()
	if !hasText("v1.1.0-1-g", "v1.0.0-1-g", "v1.0.0")(want) {
		t.Fatalf("seed is not described as documented: %+v", want)
	}
	dir := t.TempDir()
	m := gitmirror.New(dir, gitmirror.Options{})
	for _, w := range want {
		d, err := m.Describe(context.Background(), s.url, w.sha1)
		checkDescribe(t, "sim over http", w, d, err)
	}
	if n := s.fetches.Load(); n != 1 {
		t.Errorf("%d fetches for %d describes within MaxAge, want 1", n, len(want))
	}
	mirror := &repo{g: g, dir: filepath.Join(dir, onlyEntry(t, dir))}
	if diff := cmp.Diff(want, mirror.oracle(), cmp.AllowUnexported(oracleCase{})); diff != "" {
		t.Errorf("git describe in the mirror differs from the sim (-sim +mirror):\n%s", diff)
	}
}

func TestResolve(t *testing.T) {
	g := newGit(t)
	s := newSimRepo(t, "demo")
	simTag := func(name string) string { return g.run(s.repo.Path(), "rev-parse", name+"^{commit}") }
	v100, v110 := simTag("v1.0.0"), simTag("v1.1.0")
	origin := newRepo(t, g)
	c1 := origin.commit("c1", 60)
	origin.git("tag", "-a", "v1", "-m", "v1")
	c2 := origin.commit("c2", 60)
	origin.git("branch", "v1") // a branch named like the tag: git takes the tag
	origin.git("tag", "light")
	origin.git("branch", "feature/x")
	emptyPath(t)

	m := gitmirror.New(t.TempDir(), gitmirror.Options{})
	cases := []struct {
		reason, url, ref, want string
		err                    error
	}{
		{"branch over http", s.url, "master", s.head(t, "master"), nil},
		{"branch with a slash", s.url, "release/1.0", s.head(t, "release/1.0"), nil},
		{"annotated tag, peeled to its commit", s.url, "v1.0.0", v100, nil},
		{"lightweight tag", s.url, "v1.1.0", v110, nil},
		{"full branch ref", s.url, "refs/heads/master", s.head(t, "master"), nil},
		{"full tag ref", s.url, "refs/tags/v1.0.0", v100, nil},
		{"unknown ref", s.url, "nope", "", gitmirror.ErrUnknownRef},
		{"file:// branch", "file://" + origin.dir, "master", c2, nil},
		{"tag before a branch of the same name", "file://" + origin.dir, "v1", c1, nil},
		{"file:// lightweight tag", "file://" + origin.dir, "light", c2, nil},
		{"absolute path", origin.dir, "feature/x", c2, nil},
	}
	for _, tc := range cases {
		got, err := m.Resolve(context.Background(), tc.url, tc.ref)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: Resolve(%s) = %q, %v; want %v", tc.reason, tc.ref, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: Resolve(%s) = %q, %v; want %s", tc.reason, tc.ref, got, err, tc.want)
		}
	}
}

// TestMaxAge: within MaxAge the mirror answers alone; past it, or for a
// commit it lacks, it fetches; a dropped branch or tag is pruned.
func TestMaxAge(t *testing.T) {
	s := newSimRepo(t, "demo")
	clock := &fixedClock{t: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
	m := gitmirror.New(t.TempDir(), gitmirror.Options{MaxAge: time.Minute, Now: clock.now})
	ctx := context.Background()
	old := s.head(t, "master")
	resolve := func(ref string) string {
		t.Helper()
		h, err := m.Resolve(ctx, s.url, ref)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", ref, err)
		}
		return h
	}
	if got := resolve("master"); got != old {
		t.Fatalf("master = %s, want %s", got, old)
	}
	newer, err := s.repo.Commit("master", "newer", map[string]string{"n": "n"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.repo.DeleteBranch("release/1.0"); err != nil {
		t.Fatal(err)
	}
	clock.advance(30 * time.Second)
	if got := resolve("master"); got != old {
		t.Errorf("within MaxAge master = %s, want the mirror's %s", got, old)
	}
	if n := s.fetches.Load(); n != 1 {
		t.Errorf("%d fetches within MaxAge, want 1", n)
	}
	d, err := m.Describe(ctx, s.url, newer)
	if err != nil || d.Text != "v1.1.0-2-g"+newer[:7] {
		t.Errorf("Describe of a commit the mirror lacked = %+v, %v; want a fetch and v1.1.0-2-g%s", d, err, newer[:7])
	}
	clock.advance(2 * time.Minute)
	if got := resolve("master"); got != newer {
		t.Errorf("past MaxAge master = %s, want %s", got, newer)
	}
	if _, err := m.Resolve(ctx, s.url, "release/1.0"); !errors.Is(err, gitmirror.ErrUnknownRef) {
		t.Errorf("deleted branch: %v, want ErrUnknownRef (pruned)", err)
	}
	if n := s.fetches.Load(); n != 3 {
		t.Errorf("%d fetches, want 3", n)
	}
}

// TestStale: with the remote down, a commit the mirror holds is still
// described, the fetch error returned as Stale; anything else fails,
// naming the URL.
func TestStale(t *testing.T) {
	s := newSimRepo(t, "demo")
	clock := &fixedClock{t: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
	m := gitmirror.New(t.TempDir(), gitmirror.Options{MaxAge: time.Minute, Now: clock.now})
	ctx := context.Background()
	master := s.head(t, "master")
	first, err := m.Describe(ctx, s.url, master)
	if err != nil || first.Stale != nil {
		t.Fatalf("Describe = %+v, %v", first, err)
	}
	s.server.Close()
	clock.advance(time.Hour)
	d, err := m.Describe(ctx, s.url, master)
	if err != nil || d.Text != first.Text || d.Stale == nil || !strings.Contains(d.Stale.Error(), s.url) {
		t.Errorf("Describe with the remote down = %+v, %v; want %q with a Stale error naming the URL", d, err, first.Text)
	}
	if _, err := m.Describe(ctx, s.url, strings.Repeat("ab", 20)); err == nil || !strings.Contains(err.Error(), s.url) {
		t.Errorf("Describe of an unknown commit with the remote down = %v, want the fetch error naming the URL", err)
	}
	if _, err := m.Resolve(ctx, s.url, "master"); err == nil || !strings.Contains(err.Error(), s.url) {
		t.Errorf("Resolve with the remote down = %v, want an error naming the URL", err)
	}
}

func TestErrors(t *testing.T) {
	s := newSimRepo(t, "demo")
	m := gitmirror.New(t.TempDir(), gitmirror.Options{Timeout: 5 * time.Second})
	ctx := context.Background()
	master := s.head(t, "master")
	cases := []struct {
		reason, url, sha1 string
		is                error
		contains          string
	}{
		{"unknown commit after a fetch", s.url, strings.Repeat("0", 40), gitmirror.ErrUnknownCommit, ""},
		{"unknown short sha1", s.url, "0000000", gitmirror.ErrUnknownCommit, ""},
		{"not hex", s.url, "master", nil, "not a sha1"},
		{"too short", s.url, "abc", nil, "not a sha1"},
		{"unreachable URL", "http://127.0.0.1:1/nothing.git", master, nil, "http://127.0.0.1:1/nothing.git"},
		{"credentials are not echoed", "https://bob:s3cret@127.0.0.1:1/x.git", master, nil, "bob:xxxxx@127.0.0.1:1"},
		{"missing repository", s.server.URL + "/missing.git", master, nil, "/missing.git"},
		{"relative path", "some/dir", master, nil, "unsupported"},
		{"missing local repository", "file:///nonexistent/repo", master, nil, "/nonexistent/repo"},
	}
	for _, tc := range cases {
		d, err := m.Describe(ctx, tc.url, tc.sha1)
		if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: Describe = %+v, %v; want an error (%v) containing %q", tc.reason, d, err, tc.is, tc.contains)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error shows the password: %v", tc.reason, err)
		}
	}
	d, err := m.Describe(ctx, s.url, master[:7])
	if err != nil || d.SHA1 != master {
		t.Errorf("Describe of a 7-digit sha1 = %+v, %v; want %s", d, err, master)
	}
}

// TestShortSHA1Ambiguous uses a repository where two objects share seven
// hex digits.
func TestShortSHA1Ambiguous(t *testing.T) {
	g := newGit(t)
	r := newRepo(t, g)
	bigCommit(r, 1024)
	r.git("tag", "v1", "-m", "v1", "-a")
	ground := grindCommit(t, r)
	m := gitmirror.New(t.TempDir(), gitmirror.Options{})
	_, err := m.Describe(context.Background(), "file://"+r.dir, ground[:7])
	if !errors.Is(err, gitmirror.ErrAmbiguous) {
		t.Errorf("Describe(%s) = %v, want ErrAmbiguous", ground[:7], err)
	}
	d, err := m.Describe(context.Background(), "file://"+r.dir, ground[:9])
	if err != nil || d.SHA1 != ground {
		t.Errorf("Describe(%s) = %+v, %v", ground[:9], d, err)
	}
}

// TestConcurrency: callers of one URL share one fetch (they wait on its
// lock, then find it fresh); a caller of another URL does not wait behind
// a hung fetch; a waiting caller's context ends its wait; Timeout ends a
// hung fetch.
func TestConcurrency(t *testing.T) {
	a, b := newSimRepo(t, "a"), newSimRepo(t, "b")
	m := gitmirror.New(t.TempDir(), gitmirror.Options{Timeout: 2 * time.Second})
	ctx := context.Background()
	heads := map[*simRepo]string{a: a.head(t, "master"), b: b.head(t, "master")}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		for _, s := range []*simRepo{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := m.Describe(ctx, s.url, heads[s]); err != nil {
					t.Error(err)
				}
				if _, err := m.Resolve(ctx, s.url, "v1.0.0"); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if na, nb := a.fetches.Load(), b.fetches.Load(); na != 1 || nb != 1 {
		t.Errorf("fetches: a %d, b %d; want one each", na, nb)
	}

	hung := newSimRepo(t, "hung")
	hung.hold = make(chan struct{})
	defer close(hung.hold)
	m = gitmirror.New(t.TempDir(), gitmirror.Options{Timeout: 400 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := m.Resolve(ctx, hung.url, "master")
		done <- err
	}()
	for hung.fetches.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := m.Resolve(short, hung.url, "master"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting behind a hung fetch: %v, want the caller's deadline", err)
	}
	if _, err := m.Resolve(ctx, a.url, "master"); err != nil {
		t.Errorf("another URL behind a hung fetch: %v", err)
	}
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), hung.url) {
		t.Errorf("hung fetch = %v, want Timeout's deadline naming the URL", err)
	}
}

// TestAuth: Auth is asked for each fetch's credentials, and its error
// stops the fetch.
func TestAuth(t *testing.T) {
	s := newSimRepo(t, "demo")
	var asked []string
	var mu sync.Mutex
	m := gitmirror.New(t.TempDir(), gitmirror.Options{Auth: func(url string) (transport.AuthMethod, error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, url)
		if strings.Contains(url, "denied") {
			return nil, errors.New("no credentials for it")
		}
		return &githttp.BasicAuth{Username: "u", Password: "p"}, nil
	}})
	if _, err := m.Resolve(context.Background(), s.url, "master"); err != nil {
		t.Fatal(err)
	}
	denied := s.server.URL + "/denied.git"
	if _, err := m.Resolve(context.Background(), denied, "master"); err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("Auth error = %v", err)
	}
	if len(asked) != 2 || asked[0] != s.url || asked[1] != denied {
		t.Errorf("Auth asked for %q", asked)
	}
}

// TestReopen: a new Mirrors over the same directory reuses the mirror
// an earlier process left, fetching it before its first use.
func TestReopen(t *testing.T) {
	s := newSimRepo(t, "demo")
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := gitmirror.New(dir, gitmirror.Options{}).Resolve(ctx, s.url, "master"); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "127.0.0.1-") || !strings.HasSuffix(entries[0].Name(), ".git") {
		t.Fatalf("mirror directory: %v, %v", entries, err)
	}
	s.server.Close()
	d, err := gitmirror.New(dir, gitmirror.Options{}).Describe(ctx, s.url, s.head(t, "master"))
	if err != nil || d.Stale == nil || !strings.HasPrefix(d.Text, "v1.1.0-1-g") {
		t.Errorf("Describe from a reused mirror with the remote down = %+v, %v", d, err)
	}
	if _, err := os.Stat(filepath.Join(dir, entries[0].Name(), "config")); err != nil {
		t.Error(err)
	}
}
