package sealed

import (
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

func newKeys(t *testing.T, n int) (*Keys, []*age.X25519Identity) {
	t.Helper()
	var ids []*age.X25519Identity
	var lines []string
	for i := 0; i < n; i++ {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		lines = append(lines, id.String())
	}
	k, err := ParseKeys("# minka sealing keys, newest first\n" + strings.Join(lines, "\n") + "\n")
	if err != nil {
		t.Fatal(err)
	}
	return k, ids
}

func TestSealOpen(t *testing.T) {
	keys, ids := newKeys(t, 2)
	secret := "hunter2 with spaces\nand a newline"
	sealed, err := Seal(keys.Recipient(), NamespaceScope("ci"), secret)
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(sealed) || strings.Contains(sealed, "hunter2") || SealedKeyID(sealed) != KeyID(ids[0].Recipient().String()) {
		t.Fatalf("sealed form %q", sealed)
	}
	// An old key still opens what it sealed.
	old, err := Seal(ids[1].Recipient().String(), NamespaceScope("ci"), "old")
	if err != nil {
		t.Fatal(err)
	}
	tampered := sealed[:len(sealed)-8] + "AAAAAAA="
	other, _ := newKeys(t, 1)
	foreign, _ := Seal(other.Recipient(), NamespaceScope("ci"), secret)
	cases := []struct {
		name, sealed, scope, want, err string
	}{
		{"the newest key, its scope", sealed, NamespaceScope("ci"), secret, ""},
		{"an older key", old, NamespaceScope("ci"), "old", ""},
		{"another namespace", sealed, NamespaceScope("prod"), "", "sealed for another scope: it was sealed for namespace/ci, not namespace/prod"},
		{"a pipeline of the namespace", sealed, PipelineScope("ci", "webapp"), "", "sealed for another scope"},
		{"altered", tampered, NamespaceScope("ci"), "", "does not decrypt"},
		{"another server's key", foreign, NamespaceScope("ci"), "", "which the server does not hold"},
		{"not sealed", "hunter2", NamespaceScope("ci"), "", "not a sealed value"},
		{"bad base64", Prefix + "0123456789abcdef:!!", NamespaceScope("ci"), "", "not base64"},
		{"bad key id", Prefix + "xyz:AAAA", NamespaceScope("ci"), "", "malformed key id"},
	}
	for _, c := range cases {
		got, err := keys.Open(c.sealed, c.scope)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows the value: %v", c.name, err)
		}
	}
	if _, err := keys.Open(sealed, NamespaceScope("prod")); !errors.Is(err, ErrScope) {
		t.Errorf("scope error is not ErrScope: %v", err)
	}
}

func TestParseKeysNeverQuotesAKey(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "AGE-SECRET-KEY-1NOTAKEY\n"} {
		_, err := ParseKeys(text)
		if err == nil || strings.Contains(err.Error(), "NOTAKEY") {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestSealRefuses(t *testing.T) {
	keys, _ := newKeys(t, 1)
	for _, c := range []struct{ recipient, scope, value, err string }{
		{"age1nope", "namespace/ci", "v", "the server's public key"},
		{keys.Recipient(), "", "v", "scope"},
		{keys.Recipient(), "namespace/ci", strings.Repeat("x", maxValue+1), "at most"},
	} {
		if _, err := Seal(c.recipient, c.scope, c.value); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Seal(%q, %q): %v, want %q", c.recipient, c.scope, err, c.err)
		}
	}
}
