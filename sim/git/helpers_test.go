package git_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	simgit "minka/sim/git"
)

// stepClock starts at a fixed instant and moves a minute per reading, so
// commits are ordered by date and every run writes the same sha1s.
func stepClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Minute)
		return t
	}
}

// gitEnv runs the real git with no user or system configuration and no
// prompts, so the machine's settings cannot leak into the oracle.
func gitEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
		"GIT_AUTHOR_NAME=tester", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=tester", "GIT_COMMITTER_EMAIL=t@example.com")
}

type gitRunner struct {
	t   *testing.T
	env []string
}

func newGit(t *testing.T) *gitRunner {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	return &gitRunner{t: t, env: gitEnv(t)}
}

// run runs git in dir and returns its trimmed stdout; a failure fails the test.
func (g *gitRunner) run(dir string, args ...string) string {
	g.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = g.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// try runs git and returns its stdout and stderr together, and the error.
func (g *gitRunner) try(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = g.env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return strings.TrimSpace(stdout.String() + stderr.String()), err
}

// recorder remembers each request's method, path and Git-Protocol header.
type recorder struct {
	mu       sync.Mutex
	requests []string
	protocol []string
}

func (rec *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.requests = append(rec.requests, r.Method+" "+r.URL.Path)
		rec.protocol = append(rec.protocol, r.Header.Get("Git-Protocol"))
		rec.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (rec *recorder) count(prefix string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, r := range rec.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// seeded starts a server with the seeded repository "demo" behind an
// httptest server.
func seeded(t *testing.T) (*simgit.Server, *simgit.Repo, *httptest.Server, *recorder) {
	t.Helper()
	srv := simgit.New(t.TempDir(), simgit.Options{Now: stepClock()})
	repo, err := srv.Create("demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := simgit.Seed(repo); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	hs := httptest.NewServer(rec.wrap(srv))
	t.Cleanup(hs.Close)
	return srv, repo, hs, rec
}

func mustHead(t *testing.T, repo *simgit.Repo, branch string) string {
	t.Helper()
	h, err := repo.Head(branch)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
