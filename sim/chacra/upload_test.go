package chacra

import (
	"strings"
	"testing"
)

// TestUploadRules: the repo an upload creates (type from the extension,
// no update for a generic version) and the refusals of a bad upload.
func TestUploadRules(t *testing.T) {
	e := quiet(t)
	base := "/binaries/p/main/" + sha + "/"
	cases := []struct {
		name, path, file string
		code             int
		repo             string // repo to read after, when set
		wantType         string
		wantNeedsUpdate  bool
	}{
		{"rpm", base + "centos/9/x86_64/", "p.rpm", 201, "centos/9", "rpm", true},
		{"tarball counts as deb", base + "ubuntu/jammy/source/", "p.tar.gz", 201, "ubuntu/jammy", "deb", true},
		{"generic version needs no update", base + "debian/any/all/", "p.deb", 201, "debian/any", "deb", false},
	}
	for _, c := range cases {
		a := e.upload(t, "POST", c.path, "admin:secret", c.file, []byte("x"), nil)
		if a.code != c.code {
			t.Errorf("%s: %d %s", c.name, a.code, a.body)
			continue
		}
		s := e.repoState(t, "/repos/p/main/"+sha+"/"+c.repo+"/")
		if s["type"] != c.wantType || s["needs_update"] != c.wantNeedsUpdate {
			t.Errorf("%s: repo type %v needs_update %v, want %s %v", c.name, s["type"], s["needs_update"], c.wantType, c.wantNeedsUpdate)
		}
	}
	noFile := e.do(t, "POST", base+"centos/9/x86_64/", "admin:secret", "application/x-www-form-urlencoded", []byte("force=1"))
	if noFile.code != 400 || !strings.Contains(string(noFile.body), `no file object found in \"file\" param`) {
		t.Errorf("upload without a file: %d %s", noFile.code, noFile.body)
	}
	put := e.do(t, "PUT", base+"centos/9/x86_64/", "admin:secret", "", nil)
	if put.code != 405 || !strings.Contains(string(put.body), "The method PUT is not allowed") {
		t.Errorf("PUT to an arch: %d %s", put.code, put.body)
	}
}
