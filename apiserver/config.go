package apiserver

import (
	"encoding/hex"
	"fmt"
	"net"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Config is the API server's part of the server configuration file.
type Config struct {
	Auth AuthConfig `json:"auth,omitempty"`
}

// AuthConfig lists the bearer tokens the server accepts.
type AuthConfig struct {
	Tokens []TokenConfig `json:"tokens,omitempty"`
}

// TokenConfig is one token: who it is, what it may do, and the SHA-256 hex
// of the token itself (the token is never stored).
type TokenConfig struct {
	Name   string `json:"name"`
	Role   Role   `json:"role"`
	SHA256 string `json:"sha256"`
}

// Validate checks the config and names every bad field.
func (c Config) Validate() field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, t := range c.Auth.Tokens {
		p := field.NewPath("auth", "tokens").Index(i)
		switch {
		case t.Name == "":
			errs = append(errs, field.Required(p.Child("name"), "names the token's user in logs and errors"))
		case seen[t.Name]:
			errs = append(errs, field.Duplicate(p.Child("name"), t.Name))
		}
		seen[t.Name] = true
		if _, ok := roleVerbs[t.Role]; !ok {
			errs = append(errs, field.NotSupported(p.Child("role"), t.Role, Roles))
		}
		if b, err := hex.DecodeString(t.SHA256); err != nil || len(b) != 32 {
			errs = append(errs, field.Invalid(p.Child("sha256"), t.SHA256, "must be the 64 hex digits of the token's SHA-256"))
		}
	}
	return errs
}

// CheckListen refuses to serve a non-loopback address without auth: an
// unauthenticated API is only acceptable when only this machine reaches it.
func CheckListen(addr string, authEnabled bool) error {
	if authEnabled {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to listen on %s without authentication: configure auth.tokens in --config, or listen on 127.0.0.1", addr)
	}
	return nil
}
