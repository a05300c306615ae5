package git_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	simgit "minka/sim/git"
)

func TestSeedIsRepeatable(t *testing.T) {
	heads := func() [2]string {
		srv := simgit.New(t.TempDir(), simgit.Options{Now: stepClock()})
		repo, err := srv.Create("demo")
		if err != nil {
			t.Fatal(err)
		}
		if err := simgit.Seed(repo); err != nil {
			t.Fatal(err)
		}
		return [2]string{mustHead(t, repo, "master"), mustHead(t, repo, "release/1.0")}
	}
	if a, b := heads(), heads(); a != b {
		t.Errorf("two seeds with the same clock differ: %v and %v", a, b)
	}
}

// TestRepoObjects checks what the Repo methods write with the real git:
// fsck --strict (tree order, signatures), the files of each commit, the
// tag kinds, and that a repository's first branch becomes its HEAD.
func TestRepoObjects(t *testing.T) {
	g := newGit(t)
	srv := simgit.New(t.TempDir(), simgit.Options{Now: stepClock()})
	repo, err := srv.Create("group/objects")
	if err != nil {
		t.Fatal(err)
	}
	first, err := repo.Commit("main", "first", map[string]string{"b.txt": "b", "a/x.txt": "x", "a-b": "dash", "a/deep/y": "y"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := repo.Commit("main", "second\n", map[string]string{"a/x.txt": "x2", "c": "c"})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Tag("v1", first, true, "one"); err != nil {
		t.Fatal(err)
	}
	if err := repo.Tag("light", "main", false, ""); err != nil {
		t.Fatal(err)
	}
	if err := repo.Branch("side", "v1"); err != nil {
		t.Fatal(err)
	}
	dir := repo.Path()
	g.run(dir, "fsck", "--strict", "--no-progress")
	checks := []struct{ reason, got, want string }{
		{"HEAD follows the first branch", g.run(dir, "symbolic-ref", "HEAD"), "refs/heads/main"},
		{"main's head", g.run(dir, "rev-parse", "main"), second},
		{"Head", mustHead(t, repo, "main"), second},
		{"parent", g.run(dir, "rev-parse", "main^"), first},
		{"files of second, others kept", g.run(dir, "ls-tree", "-r", "--name-only", "main"), "a-b\na/deep/y\na/x.txt\nb.txt\nc"},
		{"changed file", g.run(dir, "show", "main:a/x.txt"), "x2"},
		{"message gets one newline", g.run(dir, "log", "-1", "--format=%B|", "main"), "second\n|"},
		{"annotated tag", g.run(dir, "cat-file", "-t", "v1"), "tag"},
		{"annotated tag target", g.run(dir, "rev-parse", "v1^{commit}"), first},
		{"tagger", g.run(dir, "for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v1"), "minka sim <sim@minka.dev>"},
		{"lightweight tag", g.run(dir, "rev-parse", "refs/tags/light"), second},
		{"branch at a tag", mustHead(t, repo, "side"), first},
		{"dated by the clock", g.run(dir, "log", "-1", "--format=%ad", "--date=iso-strict", first), "2024-05-01T12:01:00+00:00"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.reason, c.got, c.want)
		}
	}

	if err := repo.DeleteBranch("side"); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Head("side"); err == nil {
		t.Error("deleted branch still has a head")
	}
	errs := []struct {
		reason string
		err    error
		is     error
	}{
		{"tag exists", repo.Tag("v1", "main", false, ""), simgit.ErrExists},
		{"branch exists", repo.Branch("main", first), simgit.ErrExists},
		{"tag of nothing", repo.Tag("v9", "nothing", false, ""), nil},
		{"delete a missing branch", repo.DeleteBranch("side"), nil},
		{"bad branch name", commitErr(repo, "a..b", map[string]string{"f": "f"}), nil},
		{"path climbing out", commitErr(repo, "main", map[string]string{"../f": "f"}), nil},
		{"file and directory", commitErr(repo, "main", map[string]string{"c/d": "f"}), nil},
	}
	for _, e := range errs {
		if e.err == nil || (e.is != nil && !errors.Is(e.err, e.is)) {
			t.Errorf("%s: err = %v, want an error (%v)", e.reason, e.err, e.is)
		}
	}
	if _, err := srv.Create("group/objects"); !errors.Is(err, simgit.ErrExists) {
		t.Errorf("second Create = %v, want ErrExists", err)
	}
	for _, bad := range []string{"", "../x", "a/../b", ".hidden", "x.git", "a//b"} {
		if _, err := srv.Create(bad); err == nil {
			t.Errorf("Create(%q) succeeded", bad)
		}
	}
}

func commitErr(repo *simgit.Repo, branch string, files map[string]string) error {
	_, err := repo.Commit(branch, "m", files)
	return err
}

func TestDefaultClock(t *testing.T) {
	srv := simgit.New(t.TempDir(), simgit.Options{})
	repo, err := srv.Create("r")
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	if _, err := repo.Commit("master", "now", nil); err != nil {
		t.Fatal(err)
	}
	g := newGit(t)
	got, _ := time.Parse(time.RFC3339, g.run(repo.Path(), "log", "-1", "--format=%cd", "--date=iso-strict"))
	if got.Before(before) || strings.TrimSpace(g.run(repo.Path(), "ls-tree", "master")) != "" {
		t.Errorf("commit dated %v (want about now) or tree not empty", got)
	}
}
