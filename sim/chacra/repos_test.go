package chacra

import (
	"strings"
	"testing"
)

// TestRepoAPI checks the repo endpoints' answers and effects on a deb
// and an rpm repo that were never built.
func TestRepoAPI(t *testing.T) {
	e := quiet(t)
	uploadDeb(t, e)
	rpmArch := "/binaries/hello/main/" + sha + "/centos/9/noarch/"
	if a := e.upload(t, "POST", rpmArch, "admin:secret", "a.rpm", []byte("x"), nil); a.code != 201 {
		t.Fatal(a.code)
	}
	deb := "/repos/" + debURI + "/"
	cases := []struct {
		name, method, path, body string
		code                     int
		want                     string // substring of the body
		check                    func(t *testing.T, s map[string]any)
	}{
		{"listing of a distro is a list", "GET", "/repos/hello/main/" + sha + "/ubuntu/", "", 200, `["jammy"]`, nil},
		{"listing of a sha1", "GET", "/repos/hello/main/" + sha + "/", "", 200, `"centos":["9"]`, nil},
		{"flavors", "GET", "/repos/hello/main/" + sha + "/ubuntu/jammy/flavors/", "", 200, `["default"]`, nil},
		{"unknown version", "GET", "/repos/hello/main/" + sha + "/ubuntu/focal/", "", 404, "404 Not Found", nil},
		{"repo JSON by flavor", "GET", deb, "", 200, `"flavor":"default"`, func(t *testing.T, s map[string]any) {
			if s["archs"].([]any)[0] != "x86_64" || s["type"] != "deb" {
				t.Errorf("repo %v", s)
			}
		}},
		{"needs_update not a boolean", "POST", deb, `{"needs_update":"yes"}`, 400,
			`-> needs_update -> yes did not pass validation against callable: boolean (not of type boolean)`, nil},
		{"unknown field", "POST", deb, `{"path":"/x"}`, 400, "path", nil},
		{"set needs_update", "POST", deb, `{"needs_update":false}`, 200, `"needs_update":false`, nil},
		{"extra replaces", "POST", deb + "extra", `{"a":1}`, 200, `"extra":{"a":1}`, nil},
		{"extra replaces again", "POST", deb + "extra", `{"b":"x"}`, 200, `"extra":{"b":"x"}`, nil},
		{"update is POST only", "GET", deb + "update", "", 405, `{"message":"only POST request are accepted for this url"}`, nil},
		{"update", "POST", deb + "update", "", 200, `"needs_update":true`, nil},
		{"recreate", "POST", deb + "recreate", "", 200, `"is_queued":false`, nil},
		{"update without auth", "NOAUTH", deb + "update", "", 401, "401 Unauthorized", nil},
		{"deb repo file", "GET", deb + "repo", "", 200, "deb [trusted=yes] " + e.base + "/r/" + debURI + "/ jammy main\n", nil},
		{"rpm repo file", "GET", "/repos/hello/main/" + sha + "/centos/9/repo", "", 200,
			"[hello-noarch]\nname=hello noarch packages\nbaseurl=" + e.base + "/r/hello/main/" + sha + "/centos/9/flavors/default/noarch\n", nil},
		{"delete a repo with binaries (upstream 500)", "DELETE", deb, "", 500, crash, nil},
		{"search without filters", "GET", "/search/", "", 200, "{}", nil},
		{"search by name-has and distro", "GET", "/search/?name-has=a.&distro=centos", "", 200, `"name":"a.rpm"`, nil},
		{"search by arch", "GET", "/search/?arch=noarch", "", 200, `"arch":"noarch"`, nil},
		{"search nothing found", "GET", "/search/?name=zzz", "", 200, "[]", nil},
		{"search bad param", "GET", "/search/?sha1=1", "", 405, `{"message":"invalid query params: sha1"}`, nil},
		{"root", "GET", "/", "", 200, `"repos":["hello"]`, nil},
		{"unknown tree", "GET", "/nope/", "", 404, "404 Not Found", nil},
	}
	for _, c := range cases {
		var a answer
		switch c.method {
		case "POST", "DELETE":
			a = e.do(t, c.method, c.path, "admin:secret", "application/json", []byte(c.body))
		case "NOAUTH":
			a = e.do(t, "POST", c.path, "", "", nil)
		default:
			a = e.get(t, c.path)
		}
		if a.code != c.code || !strings.Contains(string(a.body), c.want) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, a.code, a.body, c.code, c.want)
			continue
		}
		if c.check != nil {
			c.check(t, a.json(t).(map[string]any))
		}
	}
	if n := e.node.UpdateCalls(debURI); n != 2 {
		t.Errorf("UpdateCalls = %d after update and recreate", n)
	}
	if s := e.repoState(t, deb); s["extra"].(map[string]any)["a"] != nil {
		t.Errorf("extra merged instead of replaced: %v", s["extra"])
	}
}

// TestRepoMove: POST ref, distro or distro_version moves the repo; its
// binaries stay where they were uploaded; a move onto another repo is
// refused.
func TestRepoMove(t *testing.T) {
	e := quiet(t)
	uploadDeb(t, e)
	if a := e.upload(t, "POST", "/binaries/hello/main/"+sha+"/ubuntu/noble/x86_64/", "admin:secret", "b.deb", []byte("x"), nil); a.code != 201 {
		t.Fatal(a.code)
	}
	old := "/repos/hello/main/" + sha + "/ubuntu/jammy/"
	if a := e.postJSON(t, old, `{"ref":"stable","distro_version":"focal"}`); a.code != 200 || !strings.Contains(string(a.body), `"ref":"stable"`) {
		t.Fatalf("move: %d %s", a.code, a.body)
	}
	if a := e.get(t, old); a.code != 404 {
		t.Errorf("the old path still answers %d", a.code)
	}
	s := e.repoState(t, "/repos/hello/stable/"+sha+"/ubuntu/focal/")
	if archs := s["archs"].([]any); len(archs) != 1 || archs[0] != "x86_64" || s["distro_version"] != "focal" {
		t.Errorf("moved repo: %v", s)
	}
	if a := e.get(t, "/binaries/hello/main/"+sha+"/ubuntu/jammy/"); a.code != 200 {
		t.Errorf("the binaries moved with the repo: %d", a.code)
	}
	noble := "/repos/hello/main/" + sha + "/ubuntu/noble/"
	if a := e.postJSON(t, noble, `{"ref":"stable","distro_version":"focal"}`); a.code != 400 {
		t.Errorf("move onto another repo: %d %s", a.code, a.body)
	}
	if a := e.do(t, "DELETE", "/binaries/hello/main/"+sha+"/ubuntu/jammy/x86_64/a.deb/", "admin:secret", "", nil); a.code != 204 {
		t.Fatal(a.code)
	}
	if a := e.get(t, "/repos/hello/stable/"+sha+"/ubuntu/focal/"); a.code != 404 {
		t.Errorf("the moved repo outlived its last binary: %d", a.code)
	}
}
