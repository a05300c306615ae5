package apiserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
)

// Role is what a token may do.
type Role string

// Roles. View, edit and admin each include the one before; deploy is
// view and what a CI job that deploys needs (deployrole.go), all of
// which edit may do too.
const (
	RoleView   Role = "view"
	RoleDeploy Role = "deploy"
	RoleEdit   Role = "edit"
	RoleAdmin  Role = "admin"
)

// Roles lists the roles in the order of the config's documentation.
var Roles = []Role{RoleView, RoleDeploy, RoleEdit, RoleAdmin}

var (
	readVerbs  = []string{"get", "list", "watch"}
	writeVerbs = []string{"create", "update", "patch", "delete"}
	roleVerbs  = map[Role]func(a Attributes) bool{
		RoleView:   func(a Attributes) bool { return !isAdminPath(a.Path) && slices.Contains(readVerbs, a.Verb) },
		RoleDeploy: deployAllowed,
		// edit writes objects and their scale, but not what controllers
		// own: status and events. Neither reads nor runs etcd's
		// maintenance (admin.go).
		RoleEdit: func(a Attributes) bool {
			return !isAdminPath(a.Path) && (slices.Contains(readVerbs, a.Verb) ||
				(a.Subresource != "status" && a.Resource != "events" && slices.Contains(writeVerbs, a.Verb)))
		},
		RoleAdmin: func(Attributes) bool { return true },
	}
)

// User is an authenticated caller: the name of its token in the server
// config, and the token's role.
type User struct {
	Name string
	Role Role
}

// Anonymous names the user of every request when no token is configured:
// then anyone who reaches the server (loopback only, see CheckListen) is
// an admin.
const Anonymous = "anonymous"

// Allowed says whether u's role permits a. It is the authoriser of the
// handler chain, and what a page can ask before offering an action.
func (u User) Allowed(a Attributes) bool {
	allow, ok := roleVerbs[u.Role]
	return ok && allow(a)
}

// authenticator matches bearer tokens against configured hashes.
type authenticator struct {
	tokens []tokenHash
}

type tokenHash struct {
	user User
	hash []byte
}

func newAuthenticator(cfg AuthConfig) *authenticator {
	a := &authenticator{}
	for _, t := range cfg.Tokens {
		h, _ := hex.DecodeString(t.SHA256) // Config.Validate checked it
		a.tokens = append(a.tokens, tokenHash{user: User{Name: t.Name, Role: t.Role}, hash: h})
	}
	return a
}

func (a *authenticator) enabled() bool { return len(a.tokens) > 0 }

// authenticateRequest returns the request's user: Anonymous when auth is
// off, else the user of its bearer token.
func (a *authenticator) authenticateRequest(r *http.Request) (User, bool) {
	if !a.enabled() {
		return User{Name: Anonymous, Role: RoleAdmin}, true
	}
	return a.authenticate(r.Header.Get("Authorization"))
}

// authenticate returns the token's user. Every configured hash is compared,
// in constant time, so timing says nothing about which one is close.
func (a *authenticator) authenticate(header string) (User, bool) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || token == "" {
		return User{}, false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	var found User
	matched := 0
	for _, t := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.hash) == 1 {
			found, matched = t.user, 1
		}
	}
	return found, matched == 1
}

// Authenticate returns the user of a token, as a bearer token of a
// request would authenticate: for the routes that carry the token another
// way (the web UI's session cookie). With auth off every token is the
// admin named Anonymous.
func (s *Server) Authenticate(token string) (User, bool) {
	if !s.auth.enabled() {
		return User{Name: Anonymous, Role: RoleAdmin}, true
	}
	return s.auth.authenticate("Bearer " + token)
}
