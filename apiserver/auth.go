package apiserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// Role is what a token may do.
type Role string

// Roles, each including the one before.
const (
	RoleView  Role = "view"
	RoleEdit  Role = "edit"
	RoleAdmin Role = "admin"
)

var (
	readVerbs  = []string{"get", "list", "watch"}
	writeVerbs = []string{"create", "update", "patch", "delete"}
	roleVerbs  = map[Role]func(info *requestInfo) bool{
		RoleView: func(info *requestInfo) bool { return contains(readVerbs, info.Verb) },
		// edit writes objects and their scale, but not what controllers
		// own: status and events.
		RoleEdit: func(info *requestInfo) bool {
			return contains(readVerbs, info.Verb) ||
				(info.Subresource != "status" && info.Resource != "events" && contains(writeVerbs, info.Verb))
		},
		RoleAdmin: func(*requestInfo) bool { return true },
	}
)

// user is an authenticated caller.
type user struct {
	Name string
	Role Role
}

// authenticator matches bearer tokens against configured hashes.
type authenticator struct {
	tokens []tokenHash
}

type tokenHash struct {
	user user
	hash []byte
}

func newAuthenticator(cfg AuthConfig) *authenticator {
	a := &authenticator{}
	for _, t := range cfg.Tokens {
		h, _ := hex.DecodeString(t.SHA256) // Config.Validate checked it
		a.tokens = append(a.tokens, tokenHash{user: user{Name: t.Name, Role: t.Role}, hash: h})
	}
	return a
}

func (a *authenticator) enabled() bool { return len(a.tokens) > 0 }

// authenticate returns the token's user. Every configured hash is compared,
// in constant time, so timing says nothing about which one is close.
func (a *authenticator) authenticate(header string) (user, bool) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || token == "" {
		return user{}, false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	var found user
	matched := 0
	for _, t := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.hash) == 1 {
			found, matched = t.user, 1
		}
	}
	return found, matched == 1
}

func (u user) allowed(info *requestInfo) bool {
	allow, ok := roleVerbs[u.Role]
	return ok && allow(info)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
