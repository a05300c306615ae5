package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minka/apiserver"
)

// TestDevTokens: the sandbox adds its tokens after the user's, only
// when auth is on, and refuses a user's token of the same name.
func TestDevTokens(t *testing.T) {
	userTokens := "auth:\n  tokens:\n  - {name: %s, role: view, sha256: " + strings.Repeat("ab", 32) + "}\n"
	cases := []struct {
		reason, user string
		withAuth     bool
		want         []string // the config's token names, in order
		err          string
	}{
		{"no auth", "", false, nil, ""},
		{"--auth", "", true, []string{"dev-admin", "dev-viewer"}, ""},
		{"tokens of --config", userTokens, false, []string{"me", "dev-admin"}, ""},
		{"--auth and tokens of --config", userTokens, true, []string{"me", "dev-admin", "dev-viewer"}, ""},
		{"a clash with dev-admin", strings.Replace(userTokens, "%s", "dev-admin", 1), false, nil, `"dev-admin"`},
		{"a clash with dev-viewer", strings.Replace(userTokens, "%s", "dev-viewer", 1), true, nil, `"dev-viewer"`},
	}
	for _, c := range cases {
		userConfig := ""
		if c.user != "" {
			userConfig = filepath.Join(t.TempDir(), "user.yaml")
			_ = os.WriteFile(userConfig, []byte(strings.Replace(c.user, "%s", "me", 1)), 0o600)
		}
		p, tokens, err := writeDevConfig(t.TempDir(), t.TempDir(), userConfig, &runningSims{}, c.withAuth)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), userConfig) {
				t.Errorf("%s: error %v, want one naming %s and %s", c.reason, err, c.err, userConfig)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		cfg, err := loadConfig(p)
		if err != nil {
			t.Fatalf("%s: the written config: %v", c.reason, err)
		}
		var names []string
		hashes := map[string]apiserver.TokenConfig{}
		for _, tc := range cfg.Auth.Tokens {
			names = append(names, tc.Name)
			hashes[tc.SHA256] = tc
		}
		if strings.Join(names, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: tokens %q, want %q", c.reason, names, c.want)
		}
		// Each printed token is the one its hash in the config stands for.
		for token, want := range map[string]apiserver.TokenConfig{
			tokens.admin: {Name: "dev-admin", Role: apiserver.RoleAdmin},
			tokens.view:  {Name: "dev-viewer", Role: apiserver.RoleView},
		} {
			if token == "" {
				continue
			}
			sum := sha256.Sum256([]byte(token))
			got := hashes[hex.EncodeToString(sum[:])]
			if len(token) != 64 || got.Name != want.Name || got.Role != want.Role {
				t.Errorf("%s: token %q is %+v in the config, want %s (%s)", c.reason, token, got, want.Name, want.Role)
			}
		}
		if (tokens.admin != "") != (len(c.want) > 0) || (tokens.view != "") != c.withAuth {
			t.Errorf("%s: tokens %+v", c.reason, tokens)
		}
	}
}
