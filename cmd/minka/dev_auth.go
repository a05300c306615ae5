package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"minka/apiserver"
)

// The names of the sandbox's tokens in the server config: its own admin
// token, which its own API calls need once any token is configured, and
// with --auth a view-only one, to try the roles (and the web UI) with.
const (
	devAdminTokenName = "dev-admin"
	devViewTokenName  = "dev-viewer"
)

// devTokens are the tokens the sandbox added to its server config, in
// the clear: only their hashes are written. Empty when auth is off.
type devTokens struct{ admin, view string }

// addDevTokens adds the sandbox's tokens after the user's: with
// withAuth (--auth) dev-admin and dev-viewer; without it dev-admin only
// if the user's config has tokens, since then auth is on and the sandbox
// could not apply the examples without a token of its own.
func addDevTokens(auth *apiserver.AuthConfig, withAuth bool) (devTokens, error) {
	var t devTokens
	if !withAuth && len(auth.Tokens) == 0 {
		return t, nil
	}
	var err error
	if t.admin, err = addDevToken(auth, devAdminTokenName, apiserver.RoleAdmin); err != nil {
		return devTokens{}, err
	}
	if withAuth {
		if t.view, err = addDevToken(auth, devViewTokenName, apiserver.RoleView); err != nil {
			return devTokens{}, err
		}
	}
	return t, nil
}

// addDevToken adds a fresh random token named name and returns it.
func addDevToken(auth *apiserver.AuthConfig, name string, role apiserver.Role) (string, error) {
	if slices.ContainsFunc(auth.Tokens, func(t apiserver.TokenConfig) bool { return t.Name == name }) {
		return "", fmt.Errorf("auth.tokens: the token %q clashes with the one minka dev adds: rename yours", name)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: since Go 1.24 it crashes the program instead
	token := hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	auth.Tokens = append(auth.Tokens, apiserver.TokenConfig{Name: name, Role: role, SHA256: hex.EncodeToString(sum[:])})
	return token, nil
}

// env is the tokens' export lines.
func (t devTokens) env() []string {
	var env []string
	if t.admin != "" {
		env = append(env, "MINKA_TOKEN="+t.admin)
	}
	if t.view != "" {
		env = append(env, "MINKA_VIEW_TOKEN="+t.view)
	}
	return env
}

// loginHint says which of the printed tokens the web UI's login takes.
func (t devTokens) loginHint() string {
	switch {
	case t.view != "":
		return " (log in with $MINKA_TOKEN, or $MINKA_VIEW_TOKEN to only look)"
	case t.admin != "":
		return " (log in with $MINKA_TOKEN)"
	}
	return ""
}
