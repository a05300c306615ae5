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
		name, sealed string
		scopes       []string
		want, err    string
	}{
		{"the newest key, its scope", sealed, []string{NamespaceScope("ci")}, secret, ""},
		{"an older key", old, []string{NamespaceScope("ci")}, "old", ""},
		{"another namespace", sealed, []string{NamespaceScope("prod")}, "", "sealed for another scope: it was sealed for namespace/ci, not namespace/prod"},
		{"a pipeline of the namespace", sealed, []string{PipelineScope("ci", "webapp")}, "", "sealed for another scope"},
		{"altered", tampered, []string{NamespaceScope("ci")}, "", "does not decrypt"},
		{"another server's key", foreign, []string{NamespaceScope("ci")}, "", "which the server does not hold"},
		{"not sealed", "hunter2", []string{NamespaceScope("ci")}, "", "not a sealed value"},
		{"bad base64", Prefix + "0123456789abcdef:!!", []string{NamespaceScope("ci")}, "", "not base64"},
		{"bad key id", Prefix + "xyz:AAAA", []string{NamespaceScope("ci")}, "", "malformed key id"},
		{"a key id that is not hex", Prefix + "0123456789abcdeg:AAAA", []string{NamespaceScope("ci")}, "", "malformed key id"},
		{"the second of two scopes", sealed, []string{PipelineScope("ci", "webapp"), NamespaceScope("ci")}, secret, ""},
		{"neither of two scopes", sealed, []string{PipelineScope("prod", "webapp"), NamespaceScope("prod")}, "", "not pipeline/prod/webapp or namespace/prod"},
	}
	for _, c := range cases {
		got, err := keys.Open(c.sealed, c.scopes...)
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

func TestOpenWithoutKeys(t *testing.T) {
	keys, _ := newKeys(t, 1)
	v, _ := Seal(keys.Recipient(), NamespaceScope("ci"), "hunter2")
	var none *Keys
	if _, err := none.Open(v, NamespaceScope("ci")); !errors.Is(err, ErrNoKeys) {
		t.Errorf("nil keys: %v, want ErrNoKeys", err)
	}
	if _, err := none.Open("hunter2", NamespaceScope("ci")); err == nil || errors.Is(err, ErrNoKeys) {
		t.Errorf("nil keys, a clear value: %v, want the format error first", err)
	}
}

func TestCheck(t *testing.T) {
	keys, _ := newKeys(t, 1)
	good, _ := Seal(keys.Recipient(), NamespaceScope("ci"), "hunter2")
	for _, c := range []struct{ value, err string }{
		{good, ""},
		{"hunter2", "not a sealed value"},
		{Prefix + "0123456789abcdef:", "no data"},
		{Prefix + "0123456789abcdef:%%", "not base64"},
		{Prefix + "short:AAAA", "malformed key id"},
	} {
		err := Check(c.value)
		if (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("Check(%.30q): %v, want %q", c.value, err, c.err)
		}
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
