package apiserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	good := strings.Repeat("ab", 32)
	cases := []struct {
		reason, body, want string
	}{
		{"valid", "auth:\n  tokens:\n  - {name: a, role: view, sha256: " + good + "}\n", ""},
		{"unknown field", "auth:\n  tokenz: []\n", `unknown field "tokenz"`},
		{"bad role", "auth:\n  tokens:\n  - {name: a, role: root, sha256: " + good + "}\n", `auth.tokens[0].role: Unsupported value: "root"`},
		{"short hash", "auth:\n  tokens:\n  - {name: a, role: view, sha256: abc}\n", "auth.tokens[0].sha256: Invalid value"},
		{"duplicate names", "auth:\n  tokens:\n  - {name: a, role: view, sha256: " + good + "}\n  - {name: a, role: edit, sha256: " + good + "}\n", `auth.tokens[1].name: Duplicate value: "a"`},
		{"missing name", "auth:\n  tokens:\n  - {role: view, sha256: " + good + "}\n", "auth.tokens[0].name: Required value"},
	}
	for _, c := range cases {
		p := filepath.Join(t.TempDir(), "c.yaml")
		_ = os.WriteFile(p, []byte(c.body), 0o600)
		_, err := LoadConfig(p)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.reason, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.reason, err, c.want)
		}
	}
}

func TestCheckListen(t *testing.T) {
	cases := []struct {
		addr string
		auth bool
		ok   bool
	}{
		{"127.0.0.1:7070", false, true},
		{"localhost:7070", false, true},
		{"[::1]:7070", false, true},
		{"0.0.0.0:7070", false, false},
		{":7070", false, false},
		{"10.1.2.3:7070", false, false},
		{"0.0.0.0:7070", true, true},
	}
	for _, c := range cases {
		if err := CheckListen(c.addr, c.auth); (err == nil) != c.ok {
			t.Errorf("CheckListen(%q, auth=%v) = %v, want ok=%v", c.addr, c.auth, err, c.ok)
		}
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		role Role
		info requestInfo
		ok   bool
	}{
		{RoleView, requestInfo{Verb: "watch", Resource: "deployments"}, true},
		{RoleView, requestInfo{Verb: "update", Resource: "deployments", Subresource: "scale"}, false},
		{RoleEdit, requestInfo{Verb: "update", Resource: "deployments", Subresource: "scale"}, true},
		{RoleEdit, requestInfo{Verb: "delete", Resource: "slavepools"}, true},
		{RoleEdit, requestInfo{Verb: "update", Resource: "deployments", Subresource: "status"}, false},
		{RoleEdit, requestInfo{Verb: "create", Resource: "events"}, false},
		{RoleAdmin, requestInfo{Verb: "create", Resource: "events"}, true},
	}
	for _, c := range cases {
		if got := (user{Name: "u", Role: c.role}).allowed(&c.info); got != c.ok {
			t.Errorf("%s %s %s/%s = %v, want %v", c.role, c.info.Verb, c.info.Resource, c.info.Subresource, got, c.ok)
		}
	}
}
