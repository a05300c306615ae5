package gitmirror

import (
	"strings"
	"testing"
)

func TestParseRemote(t *testing.T) {
	cases := []struct {
		reason, url, local string
		ok                 bool
	}{
		{"https", "https://github.com/ceph/ceph.git", "", true},
		{"http", "http://127.0.0.1:8080/demo.git", "", true},
		{"ssh", "ssh://git@example.com:2222/org/repo.git", "", true},
		{"git daemon", "git://example.com/repo.git", "", true},
		{"scp-like", "git@github.com:ceph/ceph.git", "", true},
		{"file", "file:///srv/git/repo.git", "/srv/git/repo.git", true},
		{"file on localhost", "file://localhost/srv/repo", "/srv/repo", true},
		{"absolute path", "/srv/git/repo/", "/srv/git/repo", true},
		{"file on another host", "file://other/srv/repo", "", false},
		{"relative file", "file://repo", "", false},
		{"relative path", "repo", "", false},
		{"unknown scheme", "ftp://example.com/repo", "", false},
		{"empty", "", "", false},
	}
	for _, tc := range cases {
		r, err := parseRemote(tc.url)
		if (err == nil) != tc.ok || r.local != tc.local {
			t.Errorf("%s: parseRemote(%q) = %+v, %v; want ok %v, local %q", tc.reason, tc.url, r, err, tc.ok, tc.local)
		}
	}
}

func TestDirName(t *testing.T) {
	cases := []struct{ url, prefix string }{
		{"https://github.com/ceph/ceph.git", "github.com-ceph-ceph-"},
		{"https://bob:s3cret@github.com/ceph/ceph.git", "github.com-ceph-ceph-"},
		{"git@github.com:ceph/ceph.git", "github.com-ceph-ceph-"},
		{"ssh://git@example.com:2222/org/repo", "example.com-2222-org-repo-"},
		{"file:///srv/git/../repo.git/", "srv-git-..-repo-"},
		{"https://example.com/", "example.com-"},
		{"https://example.com/" + strings.Repeat("long/", 30), "long-long-"},
		{"file:///", "repo-"},
	}
	seen := map[string]string{}
	for _, tc := range cases {
		got := dirName(tc.url)
		if !strings.HasPrefix(got, tc.prefix) || !strings.HasSuffix(got, ".git") || len(got) > 48+1+12+4 ||
			strings.ContainsAny(got, "/:@") || strings.HasPrefix(got, ".") || strings.Contains(got, "s3cret") {
			t.Errorf("dirName(%q) = %q, want a safe name starting %q", tc.url, got, tc.prefix)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q share the directory %q", tc.url, other, got)
		}
		seen[got] = tc.url
	}
}
