package gitmirror_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// gitRunner runs the real git, the oracle, with no user or system
// configuration, no prompts, and dates it sets itself.
type gitRunner struct {
	t   testing.TB
	bin string // found before a test empties PATH
	env []string
	now int64 // the next commit's date, seconds
}

func newGit(t testing.TB) *gitRunner {
	t.Helper()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git binary not installed")
	}
	home := t.TempDir()
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
		"GIT_AUTHOR_NAME=tester", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=tester", "GIT_COMMITTER_EMAIL=t@example.com")
	return &gitRunner{t: t, bin: bin, env: env, now: 1700000000}
}

// result runs git in dir (stdin from in, if any) and returns stdout,
// stderr and the error, without failing.
func (g *gitRunner) result(dir, in string, args ...string) (string, string, error) {
	cmd := exec.Command(g.bin, args...)
	cmd.Dir = dir
	date := fmt.Sprintf("%d +0000", g.now)
	cmd.Env = append(g.env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	if in != "" {
		cmd.Stdin = strings.NewReader(in)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return strings.TrimSpace(stdout.String()), strings.TrimSpace(stderr.String()), err
}

func (g *gitRunner) run(dir string, args ...string) string {
	g.t.Helper()
	out, stderr, err := g.result(dir, "", args...)
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s\n%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// runIn is run with stdin.
func (g *gitRunner) runIn(dir, in string, args ...string) string {
	g.t.Helper()
	out, stderr, err := g.result(dir, in, args...)
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s\n%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// repo is an origin repository built with git in a temp dir.
type repo struct {
	g   *gitRunner
	dir string
}

func newRepo(t testing.TB, g *gitRunner) *repo {
	t.Helper()
	dir := t.TempDir()
	g.run(dir, "init", "--quiet", "--initial-branch=master")
	return &repo{g: g, dir: dir}
}

func (r *repo) git(args ...string) string {
	r.g.t.Helper()
	return r.g.run(r.dir, args...)
}

// commit makes a commit dated step seconds after the last one (a
// negative step dates it before its parent, as clocks and rebases do).
func (r *repo) commit(msg string, step int64) string {
	r.g.t.Helper()
	r.g.now += step
	r.git("commit", "--quiet", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func (r *repo) tick(step int64) { r.g.now += step }

// merge merges branches into the current one with a merge commit.
func (r *repo) merge(msg string, step int64, branches ...string) string {
	r.g.t.Helper()
	r.g.now += step
	r.git(append([]string{"merge", "--quiet", "--no-ff", "-m", msg}, branches...)...)
	return r.git("rev-parse", "HEAD")
}

// oracleCase is what git describe --tags says of one commit.
type oracleCase struct {
	sha1, text string
	noNames    bool // "No names found"
	noTags     bool // "No tags can describe"
}

// oracle runs git describe --tags on every commit of the repository.
func (r *repo) oracle() []oracleCase {
	r.g.t.Helper()
	var out []oracleCase
	for _, sha := range strings.Fields(r.git("rev-list", "--all")) {
		text, stderr, err := r.g.result(r.dir, "", "describe", "--tags", sha)
		c := oracleCase{sha1: sha, text: text}
		var exit *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit) && strings.Contains(stderr, "No names found"):
			c.noNames = true
		case errors.As(err, &exit) && strings.Contains(stderr, "No tags can describe"):
			c.noTags = true
		default:
			r.g.t.Fatalf("git describe %s: %v\n%s", sha, err, stderr)
		}
		out = append(out, c)
	}
	return out
}

// emptyPath takes the git binary off PATH for the rest of the test, so
// what runs after it proves go-git needs no git.
func emptyPath(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := exec.LookPath("git"); err == nil {
		t.Fatal("git still on PATH")
	}
}

// fixedClock is a settable clock for MaxAge tests.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
