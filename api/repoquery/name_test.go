package repoquery

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestRepoName(t *testing.T) {
	sha1 := "0123456789abcdef0123456789abcdef01234567"
	long := strings.Repeat("wip-very-long-branch-name/", 10)
	a, b := RepoName("Ceph_Main", long+"a", sha1, "default"), RepoName("Ceph_Main", long+"b", sha1, "default")
	c := RepoName("ceph", "main", sha1, strings.Repeat("notcmalloc", 20))
	for _, n := range []string{a, b, c} {
		if errs := validation.IsDNS1123Label(n); len(errs) > 0 {
			t.Errorf("%q: %v", n, errs)
		}
	}
	if a == b {
		t.Fatalf("two long refs collide: %s", a)
	}
	if RepoName("ceph", "main", sha1, "default") != RepoName("ceph", "main", sha1, "default") {
		t.Fatal("not deterministic")
	}
}
