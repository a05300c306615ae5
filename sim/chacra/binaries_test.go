package chacra

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const arch = "/binaries/hello/main/" + sha + "/ubuntu/jammy/x86_64/"

// quiet is a node whose poll never runs during the test.
func quiet(t *testing.T) env {
	return setup(t, Options{PollInterval: time.Hour})
}

// TestUploadLifecycle walks one binary through chacra's write API and
// checks each answer and its effect.
func TestUploadLifecycle(t *testing.T) {
	e := quiet(t)
	deb := arch + "a_1.0_amd64.deb/"
	steps := []struct {
		name     string
		do       func() answer
		code     int
		wantBody string // exact body, when set
		after    func(t *testing.T)
	}{
		{"no auth", func() answer { return e.upload(t, "POST", arch, "", "a_1.0_amd64.deb", []byte("v1"), nil) }, 401, "", func(t *testing.T) {
			if a := e.do(t, "HEAD", deb, "", "", nil); a.code != 404 {
				t.Errorf("a refused upload stored the binary: HEAD %d", a.code)
			}
		}},
		{"wrong key", func() answer { return e.upload(t, "POST", arch, "admin:nope", "a_1.0_amd64.deb", []byte("v1"), nil) }, 401, "", nil},
		{"create", func() answer { return e.upload(t, "POST", arch, "admin:secret", "a_1.0_amd64.deb", []byte("v1"), nil) }, 201, "{}", func(t *testing.T) {
			if a := e.get(t, deb); string(a.body) != "v1" || a.hdr.Get("Content-Disposition") != "attachment; filename=a_1.0_amd64.deb" {
				t.Errorf("GET after create: %q %v", a.body, a.hdr)
			}
			s := e.repoState(t, "/repos/hello/main/"+sha+"/ubuntu/jammy/")
			if s["needs_update"] != true || s["type"] != "deb" || s["path"] != nil {
				t.Errorf("repo after upload: %v", s)
			}
		}},
		{"exists, no force", func() answer { return e.upload(t, "POST", arch, "admin:secret", "a_1.0_amd64.deb", []byte("v2"), nil) }, 400,
			`{"message":"resource already exists and \"force\" key was not used"}`, func(t *testing.T) {
				if a := e.get(t, deb); string(a.body) != "v1" {
					t.Errorf("a refused overwrite changed the bytes to %q", a.body)
				}
			}},
		{"force with an empty value", func() answer {
			return e.upload(t, "POST", arch, "admin:secret", "a_1.0_amd64.deb", []byte("v2"), map[string]string{"force": ""})
		}, 200, "{}", func(t *testing.T) {
			if a := e.get(t, deb); string(a.body) != "v2" {
				t.Errorf("force did not overwrite: %q", a.body)
			}
		}},
		{"PUT", func() answer { return e.upload(t, "PUT", deb, "admin:secret", "x", []byte("v3"), nil) }, 200, "{}", func(t *testing.T) {
			if a := e.do(t, "HEAD", deb, "", "", nil); a.hdr.Get("Content-Length") != "2" || len(a.body) != 0 {
				t.Errorf("HEAD after PUT: %v %q", a.hdr, a.body)
			}
			if a := e.get(t, deb); string(a.body) != "v3" {
				t.Errorf("PUT did not replace the bytes: %q", a.body)
			}
		}},
		{"POST without the trailing slash (Pecan's RuntimeError)", func() answer {
			return e.upload(t, "POST", strings.TrimSuffix(arch, "/"), "admin:secret", "b.deb", []byte("v"), nil)
		}, 500, crash, nil},
		{"PUT missing (upstream 500)", func() answer { return e.upload(t, "PUT", arch+"nope.deb/", "admin:secret", "x", []byte("v"), nil) }, 500, crash, nil},
		{"DELETE without auth", func() answer { return e.do(t, "DELETE", deb, "", "", nil) }, 401, page401, nil},
		{"DELETE", func() answer { return e.do(t, "DELETE", deb, "admin:secret", "", nil) }, 204, "", func(t *testing.T) {
			if a := e.get(t, deb); a.code != 404 {
				t.Errorf("GET after DELETE: %d", a.code)
			}
			if a := e.get(t, "/repos/hello/main/"+sha+"/ubuntu/jammy/"); a.code != 404 {
				t.Errorf("the repo outlived its last binary: %d", a.code)
			}
			if a := e.get(t, "/binaries/"); string(a.body) != "{}" {
				t.Errorf("/binaries/ after the last DELETE: %s", a.body)
			}
		}},
	}
	for _, s := range steps {
		a := s.do()
		if a.code != s.code {
			t.Fatalf("%s: %d, want %d (%s)", s.name, a.code, s.code, a.body)
		}
		if s.wantBody != "" && string(a.body) != s.wantBody {
			t.Errorf("%s: body %s, want %s", s.name, a.body, s.wantBody)
		}
		if s.code == 401 && a.hdr.Get("WWW-Authenticate") != `Basic realm="Chacra :: Binary API"` {
			t.Errorf("%s: WWW-Authenticate %q", s.name, a.hdr.Get("WWW-Authenticate"))
		}
		if s.after != nil {
			s.after(t)
		}
	}
}

// TestBinaryListings checks every level of /binaries/ after uploads to
// two distros and two flavors, and the 404s and redirects around them.
func TestBinaryListings(t *testing.T) {
	e := quiet(t)
	for _, u := range []struct{ path, name string }{
		{arch, "a.deb"}, {arch + "flavors/notcmalloc/", "a.deb"}, {"/binaries/hello/main/" + sha + "/centos/9/noarch/", "a.rpm"},
	} {
		if a := e.upload(t, "POST", u.path, "admin:secret", u.name, []byte("x"), nil); a.code != 201 {
			t.Fatalf("upload %s: %d", u.path, a.code)
		}
	}
	b := "/binaries/hello/main/" + sha
	cases := []struct {
		path, want string
		code       int
	}{
		{"/binaries/", `{"hello":["main"]}`, 200},
		{"/binaries/hello/", `{"main":["` + sha + `"]}`, 200},
		{"/binaries/hello/main/", `{"` + sha + `":["ubuntu","centos"]}`, 200},
		{b + "/", `{"centos":["9"],"ubuntu":["jammy"]}`, 200},
		{b + "/ubuntu/", `{"jammy":["x86_64"]}`, 200},
		{b + "/ubuntu/jammy/", `{"x86_64":["a.deb"]}`, 200},
		{arch + "flavors/", `{"default":["a.deb"],"notcmalloc":["a.deb"]}`, 200},
		{"/binaries/nope/", page404, 404},
		{b + "/debian/", page404, 404},
		{arch + "flavors/other/", page404, 404},
		{"/binaries/hello?x=1", "", 302},
	}
	for _, c := range cases {
		a := e.get(t, c.path)
		if a.code != c.code {
			t.Errorf("GET %s: %d, want %d", c.path, a.code, c.code)
			continue
		}
		if c.code == 302 {
			if loc := a.hdr.Get("Location"); loc != e.base+"/binaries/hello/?x=1" {
				t.Errorf("GET %s: Location %q", c.path, loc)
			}
			continue
		}
		if got := canonJSON(a.body); got != canonJSON([]byte(c.want)) {
			t.Errorf("GET %s: %s, want %s", c.path, a.body, c.want)
		}
	}
	a := e.get(t, arch+"flavors/notcmalloc/")
	m, _ := a.json(t).(map[string]any)
	if bin, _ := m["a.deb"].(map[string]any); bin["flavor"] != "notcmalloc" || bin["size"] != 1.0 || bin["arch"] != "x86_64" {
		t.Errorf("flavor listing: %s", a.body)
	}
}

// canonJSON re-encodes JSON so key order does not matter; text that is
// not JSON is returned as is.
func canonJSON(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(bytes.TrimSpace(out))
}
