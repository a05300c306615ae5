package client

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	t.Setenv("MINKA_CONFIG", file)
	if _, err := SaveConfig(Config{Server: "http://file:7070", Token: "file-token"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v, want 0600", st.Mode().Perm())
	}
	cases := []struct {
		reason                string
		flagServer, flagToken string
		envServer, envToken   string
		wantServer, wantToken string
	}{
		{"the login file", "", "", "", "", "http://file:7070", "file-token"},
		{"env over file", "", "", "http://env:1", "env-token", "http://env:1", "env-token"},
		{"flags over env", "http://flag:2", "flag-token", "http://env:1", "env-token", "http://flag:2", "flag-token"},
		{"a saved token is not sent to another server", "http://other:3", "", "", "", "http://other:3", ""},
		{"nor to a server named by the environment", "", "", "http://env:1", "", "http://env:1", ""},
		{"the saved token goes to its own server", "http://file:7070", "", "", "", "http://file:7070", "file-token"},
	}
	for _, c := range cases {
		t.Setenv("MINKA_SERVER", c.envServer)
		t.Setenv("MINKA_TOKEN", c.envToken)
		cfg, err := LoadConfig(c.flagServer, c.flagToken)
		if err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		if cfg.Server != c.wantServer || cfg.Token != c.wantToken {
			t.Errorf("%s: got %s %q, want %s %q", c.reason, cfg.Server, cfg.Token, c.wantServer, c.wantToken)
		}
	}
	os.Remove(file)
	t.Setenv("MINKA_SERVER", "")
	t.Setenv("MINKA_TOKEN", "")
	if cfg, _ := LoadConfig("", ""); cfg.Server != DefaultServer {
		t.Errorf("no source: server %s, want %s", cfg.Server, DefaultServer)
	}
}

func TestNewRejectsBadServer(t *testing.T) {
	for _, s := range []string{"localhost:7070", "ftp://x", "http://"} {
		if _, err := New(Config{Server: s}); err == nil {
			t.Errorf("New(%q) accepted", s)
		}
	}
}
