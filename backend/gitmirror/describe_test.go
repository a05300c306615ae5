package gitmirror_test

import (
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"minka/backend/gitmirror"
)

// describeCases are repositories built to hit each rule of git's
// describe; every commit of each is described by git and by the mirror.
var describeCases = []struct {
	name, reason string
	slow         bool // skipped under the race detector
	build        func(t *testing.T, r *repo)
	// proves checks the oracle's answers show the case tests what it says.
	proves func(want []oracleCase) bool
}{
	{
		name:   "linear",
		reason: "annotated and lightweight tags on one line; exact and N commits after",
		build: func(t *testing.T, r *repo) {
			r.commit("c1", 60)
			r.commit("c2", 60)
			r.git("tag", "-a", "v0.1", "-m", "release 0.1")
			r.commit("c3", 60)
			r.commit("c4", 60)
			r.git("tag", "v0.2")
			r.commit("c5", 60)
			r.commit("c6", 60)
		},
		proves: hasText("v0.2-2-g", "v0.1-1-g"),
	},
	{
		name:   "merges",
		reason: "distance through merges, an octopus, a criss-cross, tags on merge commits and on merge parents",
		build: func(t *testing.T, r *repo) {
			r.commit("m1", 60)
			r.git("tag", "-a", "a1", "-m", "a1")
			r.git("checkout", "--quiet", "-b", "topic")
			r.commit("t1", 60)
			r.git("tag", "t-light")
			r.commit("t2", 60)
			r.git("checkout", "--quiet", "master")
			m2 := r.commit("m2", 60)
			r.commit("m3", 60)
			r.merge("merge topic", 60, "topic")
			r.git("checkout", "--quiet", "-b", "side", m2)
			r.commit("s1", 60)
			r.git("tag", "-a", "s-tag", "-m", "s-tag")
			r.commit("s2", 60)
			r.git("checkout", "--quiet", "master")
			r.commit("m4", 60)
			r.merge("merge side", 60, "side")
			r.git("checkout", "--quiet", "-b", "p")
			p1 := r.commit("p1", 60)
			r.git("checkout", "--quiet", "master")
			r.git("checkout", "--quiet", "-b", "q")
			r.commit("q1", 60)
			r.git("tag", "q-light")
			r.git("checkout", "--quiet", "p")
			r.merge("p merges q", 60, "q")
			r.git("tag", "-a", "on-merge", "-m", "tag on a merge commit")
			r.git("checkout", "--quiet", "q")
			r.merge("q merges p1", 60, p1)
			r.commit("q2", 60)
			r.git("checkout", "--quiet", "master")
			r.commit("m5", 60)
			r.merge("octopus", 60, "p", "q")
			r.commit("m6", 60)
		},
		proves: hasText("on-merge-"),
	},
	{
		name:   "dates",
		reason: "committer dates out of order and equal: the walk visits newest first",
		build: func(t *testing.T, r *repo) {
			r.commit("base", 60)
			r.git("tag", "-a", "base", "-m", "base")
			r.git("checkout", "--quiet", "-b", "a")
			r.commit("a1", 100)
			r.commit("a2 older than its parent", -500)
			r.git("tag", "a-light")
			r.commit("a3 same date", 0)
			r.commit("a4", 1000)
			r.git("checkout", "--quiet", "master")
			r.commit("b1", 10)
			r.git("tag", "-a", "b-ann", "-m", "b")
			r.commit("b2 same date", 0)
			r.commit("b3", -20)
			r.commit("b4", 0)
			r.merge("merge a", -3000, "a")
			r.commit("after", 0)
			r.commit("after2", 5000)
		},
	},
	{
		name:   "ties",
		reason: "two tags on one commit: the newer annotated wins over the first name, equal dates keep the first name, annotated beats lightweight, first lightweight name; tags of tags, of a tree, of a blob",
		build: func(t *testing.T, r *repo) {
			r.commit("c1", 60)
			r.git("tag", "-a", "z-newer", "-m", "newer")
			r.tick(-30)
			r.git("tag", "-a", "b-older", "-m", "older")
			r.tick(30)
			r.commit("c2", 60)
			r.git("tag", "-a", "zeta", "-m", "same date")
			r.git("tag", "-a", "alpha", "-m", "same date")
			r.commit("c3", 60)
			r.git("tag", "b-light")
			r.git("tag", "a-light")
			r.commit("c4", 60)
			r.git("tag", "aaa-light")
			r.git("tag", "-a", "zzz-ann", "-m", "annotated wins")
			r.commit("c5", 60)
			r.git("tag", "-a", "inner", "-m", "inner")
			r.git("tag", "-a", "outer", "-m", "tag of a tag", "inner")
			r.git("tag", "tree-tag", "HEAD^{tree}")
			blob := strings.TrimSpace(r.g.runIn(r.dir, "hello\n", "hash-object", "-w", "--stdin"))
			r.git("tag", "-a", "blob-tag", "-m", "a blob", blob)
			r.commit("c6", 60)
			r.commit("c7", 60)
		},
		proves: hasText("z-newer", "alpha", "a-light", "zzz-ann", "inner-1-g"),
	},
	{
		name:   "no-tags",
		reason: "no tag at all: git's No names found",
		build: func(t *testing.T, r *repo) {
			r.commit("c1", 60)
			r.commit("c2", 60)
		},
		proves: func(want []oracleCase) bool { return want[0].noNames },
	},
	{
		name:   "unreachable",
		reason: "tags only on a side branch: No tags can describe the main line",
		build: func(t *testing.T, r *repo) {
			r.commit("c1", 60)
			r.git("checkout", "--quiet", "-b", "side")
			r.commit("s1", 60)
			r.git("tag", "-a", "side-tag", "-m", "side")
			r.git("checkout", "--quiet", "master")
			r.commit("c2", 60)
		},
		proves: func(want []oracleCase) bool {
			for _, w := range want {
				if w.noTags {
					return true
				}
			}
			return false
		},
	},
	{
		name:   "candidates",
		reason: "more than ten candidate tags: the search gives up and finishes the depth of the best",
		build: func(t *testing.T, r *repo) {
			base := r.commit("base", 60)
			r.git("tag", "-a", "base-ann", "-m", "base")
			for i := 1; i <= 13; i++ {
				r.commit(fmt.Sprintf("l%d", i), 60)
				if i == 7 {
					r.git("tag", "-a", fmt.Sprintf("l%02d", i), "-m", "annotated in the chain")
				} else {
					r.git("tag", fmt.Sprintf("l%02d", i))
				}
			}
			r.commit("top", 60)
			r.git("checkout", "--quiet", "-b", "side", base)
			r.commit("s1", 30)
			r.git("tag", "-a", "s-ann", "-m", "s")
			for i := 2; i <= 6; i++ {
				r.commit(fmt.Sprintf("s%d", i), 1)
			}
			r.git("checkout", "--quiet", "master")
			r.merge("merge side", 60, "side")
			r.commit("top2", 60)
		},
	},
	{
		name:   "equal-dates",
		reason: "merge parents of one date: the first parent is visited first, so its tag is found first and wins the tie",
		build: func(t *testing.T, r *repo) {
			r.commit("base", 60)
			r.git("checkout", "--quiet", "-b", "x")
			r.commit("x1", 60)
			r.git("tag", "x-tag")
			r.git("checkout", "--quiet", "master")
			r.commit("m1", 0)
			r.git("tag", "m-tag")
			r.merge("merge x", 60, "x")
		},
		proves: hasText("m-tag-2-g"),
	},
	{
		name:   "give-up",
		reason: "ten tags found first on a newer side branch: the nearer eleventh is never a candidate, and the best's depth is finished past it",
		build: func(t *testing.T, r *repo) {
			root := r.commit("root", 60)
			for i := 20; i >= 1; i-- {
				r.commit(fmt.Sprintf("w%d", i), 1)
			}
			r.commit("x", 1)
			r.git("tag", "x-tag")
			r.git("checkout", "--quiet", "-b", "side", root)
			r.tick(100)
			for i := 1; i <= 10; i++ {
				r.commit(fmt.Sprintf("s%d", i), 1)
				r.git("tag", fmt.Sprintf("s%02d", i))
			}
			r.git("checkout", "--quiet", "master")
			r.merge("merge side", 100, "side")
		},
		proves: hasText("s10-22-g"),
	},
	{
		name:   "misnamed",
		reason: "an annotated tag whose ref name differs from the name inside it: git prints the inner name, with -0-g on an exact match",
		build: func(t *testing.T, r *repo) {
			r.commit("c1", 60)
			r.git("tag", "-a", "orig", "-m", "orig")
			r.git("update-ref", "refs/tags/renamed", r.git("rev-parse", "orig"))
			r.git("tag", "-d", "orig")
			r.commit("c2", 60)
		},
		proves: hasText("orig-0-g", "orig-1-g"),
	},
	{
		name:   "collision",
		reason: "a commit sharing its first 7 hex digits with a blob: git abbreviates it to 8",
		build: func(t *testing.T, r *repo) {
			bigCommit(r, 1024)
			r.git("tag", "-a", "v1", "-m", "v1")
			grindCommit(t, r)
			r.plainCommit("after", 60)
		},
		proves: hasAbbrevLonger(7),
	},
	{
		name:   "many-objects",
		reason: "16500 packed objects: git's auto abbreviation grows to 8",
		slow:   true,
		build: func(t *testing.T, r *repo) {
			bigCommit(r, 16500)
			r.git("tag", "-a", "v1", "-m", "v1")
			r.plainCommit("c2", 60)
			r.plainCommit("c3", 60)
		},
		proves: hasAbbrevLonger(7),
	},
}

func TestDescribeMatchesGit(t *testing.T) {
	for _, tc := range describeCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.slow && raceEnabled {
				t.Skip("too slow under the race detector; run without -race")
			}
			g := newGit(t)
			r := newRepo(t, g)
			tc.build(t, r)
			want := r.oracle()
			if tc.proves != nil && !tc.proves(want) {
				t.Fatalf("the repository does not show what the case is for (%s): git says %+v", tc.reason, want)
			}
			emptyPath(t)
			dir := t.TempDir()
			m := gitmirror.New(dir, gitmirror.Options{})
			url := "file://" + r.dir
			for _, w := range want {
				d, err := m.Describe(context.Background(), url, w.sha1)
				checkDescribe(t, tc.reason, w, d, err)
			}
			// git run in the mirror go-git wrote must agree too: the
			// mirror is a repository git reads, and its object count is
			// the one that sizes the abbreviations.
			mirror := &repo{g: g, dir: filepath.Join(dir, onlyEntry(t, dir))}
			if diff := cmp.Diff(want, mirror.oracle(), cmp.AllowUnexported(oracleCase{})); diff != "" {
				t.Errorf("git describe in the mirror differs from the origin (-origin +mirror):\n%s", diff)
			}
		})
	}
}

func onlyEntry(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("mirror directory %s: %v, %v", dir, entries, err)
	}
	return entries[0].Name()
}

// checkDescribe compares one answer with git's and checks the fields
// agree with the text.
func checkDescribe(t *testing.T, reason string, w oracleCase, d gitmirror.Describe, err error) {
	t.Helper()
	switch {
	case w.noNames || w.noTags:
		wantMsg := "No names found"
		if w.noTags {
			wantMsg = "No tags can describe"
		}
		if !errors.Is(err, gitmirror.ErrNoTag) || !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("%s: describe %s: got %+v, %v; git says %q (want ErrNoTag)", reason, w.sha1, d, err, wantMsg)
		}
		return
	case err != nil:
		t.Errorf("%s: describe %s: %v; git says %q", reason, w.sha1, err, w.text)
		return
	}
	if d.Text != w.text {
		t.Errorf("%s: describe %s:\n  git:    %q\n  mirror: %q", reason, w.sha1, w.text, d.Text)
	}
	if d.SHA1 != w.sha1 {
		t.Errorf("describe %s: SHA1 = %s", w.sha1, d.SHA1)
	}
	if d.Exact {
		if d.Distance != 0 || !strings.HasPrefix(d.Text, d.Tag) {
			t.Errorf("describe %s: exact %+v", w.sha1, d)
		}
		return
	}
	prefix := fmt.Sprintf("%s-%d-g", d.Tag, d.Distance)
	if !strings.HasPrefix(d.Text, prefix) || !strings.HasPrefix(d.SHA1, strings.TrimPrefix(d.Text, prefix)) {
		t.Errorf("describe %s: fields %+v do not match the text", w.sha1, d)
	}
}

func hasText(subs ...string) func([]oracleCase) bool {
	return func(want []oracleCase) bool {
		for _, s := range subs {
			found := false
			for _, w := range want {
				found = found || strings.Contains(w.text, s)
			}
			if !found {
				return false
			}
		}
		return true
	}
}

func hasAbbrevLonger(n int) func([]oracleCase) bool {
	return func(want []oracleCase) bool {
		for _, w := range want {
			if i := strings.LastIndex(w.text, "-g"); i >= 0 && len(w.text)-i-2 > n {
				return true
			}
		}
		return false
	}
}

// bigCommit writes one commit of n distinct blobs with fast-import, which
// stores them in a pack: git counts only packed objects when it sizes
// abbreviations.
func bigCommit(r *repo, n int) {
	r.g.t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		content := fmt.Sprintf("file %d\n", i)
		fmt.Fprintf(&b, "blob\nmark :%d\ndata %d\n%s\n", i+1, len(content), content)
	}
	r.tick(60)
	fmt.Fprintf(&b, "commit refs/heads/master\nmark :%d\nauthor tester <t@example.com> %d +0000\ncommitter tester <t@example.com> %d +0000\ndata 4\nbig\n",
		n+1, r.g.now, r.g.now)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "M 100644 :%d f/%05d\n", i+1, i)
	}
	b.WriteString("\n")
	r.g.runIn(r.dir, b.String(), "fast-import", "--quiet")
}

// plainCommit commits on master with plumbing (the big repositories have
// no checked-out worktree).
func (r *repo) plainCommit(msg string, step int64) string {
	r.g.t.Helper()
	r.tick(step)
	h := r.git("commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", msg)
	r.git("update-ref", "refs/heads/master", h)
	return h
}

// grindCommit commits on master a commit whose sha1 starts with the same
// 7 hex digits as an object already there, trying messages until one
// hashes so: about 2^28/objects tries.
func grindCommit(t *testing.T, r *repo) string {
	t.Helper()
	tree, parent := r.git("rev-parse", "HEAD^{tree}"), r.git("rev-parse", "HEAD")
	taken := map[uint32]bool{}
	for _, h := range strings.Fields(r.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)")) {
		raw, _ := hex.DecodeString(h[:8])
		taken[binary.BigEndian.Uint32(raw)>>4] = true
	}
	r.tick(60)
	sig := fmt.Sprintf("tester <t@example.com> %d +0000", r.g.now)
	const digits = 10
	body := fmt.Sprintf("tree %s\nparent %s\nauthor %s\ncommitter %s\n\nground %0*d\n", tree, parent, sig, sig, digits, 0)
	obj := []byte(fmt.Sprintf("commit %d\x00%s", len(body), body))
	counter := obj[len(obj)-1-digits : len(obj)-1]
	for i := 0; i < 1<<30; i++ {
		strconv.AppendInt(counter[:0], int64(1e9+i), 10) // fixed width: the length stays
		sum := sha1.Sum(obj)
		if !taken[binary.BigEndian.Uint32(sum[:4])>>4] {
			continue
		}
		h := hex.EncodeToString(sum[:])
		msg := "ground " + string(counter)
		if got := r.git("commit-tree", tree, "-p", parent, "-m", msg); got != h {
			t.Fatalf("git wrote %s for the commit hashed as %s", got, h)
		}
		r.git("update-ref", "refs/heads/master", h)
		return h
	}
	t.Fatal("no colliding commit found")
	return ""
}
