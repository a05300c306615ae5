package apiserver

import (
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
	}
	for _, c := range cases {
		if got := (User{Name: "u", Role: c.role}).Allowed(c.info.attributes()); got != c.ok {
			t.Errorf("%s %s %s/%s = %v, want %v", c.role, c.info.Verb, c.info.Resource, c.info.Subresource, got, c.ok)
		}
	}
}
