package apiserver

import (
	"strings"
	"testing"
)

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
		{RoleView, requestInfo{Verb: "create", Resource: "deployments", Subresource: "rollback"}, false},
		{RoleEdit, requestInfo{Verb: "create", Resource: "deployments", Subresource: "rollback"}, true},
		{RoleDeploy, requestInfo{Verb: "list", Resource: "events"}, true},
		{RoleDeploy, requestInfo{Verb: "get", Resource: "builds"}, true},
		{RoleDeploy, requestInfo{Verb: "update", Resource: "deployments", Subresource: "scale"}, true},
		{RoleDeploy, requestInfo{Verb: "patch", Resource: "slavepools", Subresource: "scale"}, true},
		{RoleDeploy, requestInfo{Verb: "create", Resource: "builds"}, true},
		{RoleDeploy, requestInfo{Verb: "create", Resource: "deployments", Subresource: "rollback"}, true},
		{RoleDeploy, requestInfo{Verb: "patch", Resource: "deployments"}, true}, // what it changes is checked in the store
		{RoleDeploy, requestInfo{Verb: "update", Resource: "deployments"}, true},
		{RoleDeploy, requestInfo{Verb: "create", Resource: "deployments"}, false},
		{RoleDeploy, requestInfo{Verb: "delete", Resource: "deployments"}, false},
		{RoleDeploy, requestInfo{Verb: "delete", Resource: "builds"}, false},
		{RoleDeploy, requestInfo{Verb: "update", Resource: "builds"}, false},
		{RoleDeploy, requestInfo{Verb: "update", Resource: "slavepools"}, false},
		{RoleDeploy, requestInfo{Verb: "update", Resource: "deployments", Subresource: "status"}, false},
		{RoleDeploy, requestInfo{Verb: "create", Resource: "events"}, false},
		{RoleDeploy, requestInfo{Verb: "create", Resource: "pipelines"}, false},
	}
	for _, c := range cases {
		if got := (User{Name: "u", Role: c.role}).Allowed(c.info.attributes()); got != c.ok {
			t.Errorf("%s %s %s/%s = %v, want %v", c.role, c.info.Verb, c.info.Resource, c.info.Subresource, got, c.ok)
		}
	}
	// The routes beside the resource API: deploy reads them, writes none;
	// /admin is admin's.
	paths := []struct {
		a  Attributes
		ok bool
	}{
		{Attributes{Verb: "get", Path: "/shaman/api/repos/"}, true},
		{Attributes{Verb: "create", Path: "/hooks/push"}, false},
		{Attributes{Verb: "get", Path: "/admin/etcd"}, false},
		{Attributes{Verb: "create", Path: "/admin/etcd/compact"}, false},
	}
	for _, c := range paths {
		if got := (User{Name: "u", Role: RoleDeploy}).Allowed(c.a); got != c.ok {
			t.Errorf("deploy %s %s = %v, want %v", c.a.Verb, c.a.Path, got, c.ok)
		}
	}
}

func TestConfigRoles(t *testing.T) {
	for _, role := range []Role{RoleView, RoleDeploy, RoleEdit, RoleAdmin, "owner"} {
		cfg := Config{Auth: AuthConfig{Tokens: []TokenConfig{{Name: "t", Role: role, SHA256: strings.Repeat("ab", 32)}}}}
		errs := cfg.Validate()
		if role == "owner" {
			if len(errs) == 0 || !strings.Contains(errs.ToAggregate().Error(), `auth.tokens[0].role: Unsupported value: "owner": supported values: "view", "deploy", "edit", "admin"`) {
				t.Errorf("role owner: %v", errs.ToAggregate())
			}
			continue
		}
		if len(errs) > 0 {
			t.Errorf("role %s: %v", role, errs.ToAggregate())
		}
	}
}
