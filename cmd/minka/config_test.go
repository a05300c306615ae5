package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minka/api/sealed"
	"minka/backend"
)

func TestLoadConfig(t *testing.T) {
	good := strings.Repeat("ab", 32)
	cases := []struct {
		reason, body, want string
	}{
		{"valid", "auth:\n  tokens:\n  - {name: a, role: view, sha256: " + good + "}\n", ""},
		{"unknown field", "auth:\n  tokenz: []\n", `unknown field "tokenz"`},
		{"bad role", "auth:\n  tokens:\n  - {name: a, role: root, sha256: " + good + "}\n", `auth.tokens[0].role: Unsupported value: "root"`},
		{"short hash", "auth:\n  tokens:\n  - {name: a, role: view, sha256: abc}\n", "auth.tokens[0].sha256: Invalid value"},
		{"duplicate names", "auth:\n  tokens:\n  - {name: a, role: view, sha256: " + good + "}\n  - {name: a, role: edit, sha256: " + good + "}\n", `auth.tokens[1].name: Duplicate value: "a"`},
		{"missing name", "auth:\n  tokens:\n  - {role: view, sha256: " + good + "}\n", "auth.tokens[0].name: Required value"},
		{"valid backends", "backends:\n  marathon:\n  - {name: default, urls: [http://m1:8080, http://m2:8080], mesosURL: http://mesos:5050, timeout: 5s}\n" +
			"  jenkins:\n  - {name: default, url: http://jenkins:8080, user: admin, token: {env: JENKINS_TOKEN}}\n" +
			"  openstack:\n  - {name: default, cloud: ci}\n", ""},
		{"marathon without urls", "backends:\n  marathon:\n  - {name: default}\n", "backends.marathon[0].urls: Required value"},
		{"marathon url scheme", "backends:\n  marathon:\n  - {name: default, urls: [marathon:8080]}\n", `backends.marathon[0].urls[0]: Invalid value: "marathon:8080": must be an http:// or https:// URL`},
		{"duplicate backend", "backends:\n  marathon:\n  - {name: a, urls: [http://m]}\n  - {name: a, urls: [http://m]}\n", `backends.marathon[1].name: Duplicate value: "a"`},
		{"jenkins token required", "backends:\n  jenkins:\n  - {name: j, url: http://j, user: u}\n", "backends.jenkins[0].token: Required value"},
		{"secret from one place", "backends:\n  jenkins:\n  - {name: j, url: http://j, user: u, token: {env: T, file: /t}}\n", "backends.jenkins[0].token: Invalid value"},
		{"bad timeout", "backends:\n  marathon:\n  - {name: a, urls: [http://m], timeout: soon}\n", "time: invalid duration"},
		{"openstack timeout", "backends:\n  openstack:\n  - {name: default, cloud: ci, timeout: 5s}\n", ""},
		{"negative timeout", "backends:\n  openstack:\n  - {name: default, cloud: ci, timeout: -1s}\n", `backends.openstack[0].timeout: Invalid value: "-1s": must not be negative`},
		{"valid chacra and shaman", "backends:\n  chacra:\n  - {name: default, user: admin, key: {env: K}, nodes: [{url: https://c1}, {name: c2, url: http://c2:8000}], healthInterval: 5s}\n" +
			"shaman: {chacra: default, user: jenkins, key: {env: HOME}}\n", ""},
		{"chacra key required", "backends:\n  chacra:\n  - {name: default, user: admin}\n", "backends.chacra[0].key: Required value"},
		{"chacra user required", "backends:\n  chacra:\n  - {name: default, key: {env: K}}\n", "backends.chacra[0].user: Required value"},
		{"chacra node url", "backends:\n  chacra:\n  - {name: default, user: a, key: {env: K}, nodes: [{url: chacra1}]}\n", `backends.chacra[0].nodes[0].url: Invalid value: "chacra1"`},
		{"chacra duplicate node", "backends:\n  chacra:\n  - {name: default, user: a, key: {env: K}, nodes: [{url: https://c1}, {url: https://c1/}]}\n", `backends.chacra[0].nodes[1].name: Duplicate value: "c1"`},
		{"chacra health interval", "backends:\n  chacra:\n  - {name: default, user: a, key: {env: K}, healthInterval: 1ms}\n", "backends.chacra[0].healthInterval: Invalid value"},
		{"chacra register scheme", "backends:\n  chacra:\n  - {name: default, user: a, key: {env: K}, registerScheme: ftp}\n", `backends.chacra[0].registerScheme: Unsupported value: "ftp"`},
		{"shaman unknown field", "shaman: {usr: a}\n", `unknown field "usr"`},
		{"valid secrets", "secrets:\n- {name: webapp-hook, file: /etc/minka/webapp-hook}\n- {name: other, env: OTHER_HOOK}\n", ""},
		{"secret without a source", "secrets:\n- {name: webapp-hook}\n", "secrets[0]: Required value"},
		{"secret from two sources", "secrets:\n- {name: a, file: /f, env: E}\n", "secrets[0]: Invalid value"},
		{"duplicate secret", "secrets:\n- {name: a, env: E}\n- {name: a, env: F}\n", `secrets[1].name: Duplicate value: "a"`},
		{"valid encryption keys", "encryption:\n  keys:\n  - {file: /etc/minka/sealing-2026.key}\n  - {env: MINKA_OLD_KEY}\n", ""},
		{"encryption key without a source", "encryption:\n  keys:\n  - {}\n", "encryption.keys[0]: Required value"},
		{"encryption key from two sources", "encryption:\n  keys:\n  - {file: /f, env: E}\n", "encryption.keys[0]: Invalid value"},
		{"encryption unknown field", "encryption: {key: {file: /f}}\n", `unknown field "key"`},
		{"valid receivers", "notifications:\n  receivers:\n  - {name: slack, type: slack, url: {file: /etc/minka/slack-url}, channel: \"#ci\"}\n  - {name: audit, type: webhook, url: {env: AUDIT_URL}, hmacKey: {env: AUDIT_KEY}, timeout: 5s}\n", ""},
		{"receiver type", "notifications:\n  receivers:\n  - {name: a, type: teams, url: {env: U}}\n", `notifications.receivers[0].type: Unsupported value: "teams"`},
		{"receiver url required", "notifications:\n  receivers:\n  - {name: a, type: slack}\n", "notifications.receivers[0].url: Required value"},
		{"receiver url in clear", "notifications:\n  receivers:\n  - {name: a, type: slack, url: https://hooks.slack.com/services/T/B/x}\n", "receivers.url of type backend.Secret"},
		{"duplicate receiver", "notifications:\n  receivers:\n  - {name: a, type: slack, url: {env: U}}\n  - {name: a, type: slack, url: {env: V}}\n", `notifications.receivers[1].name: Duplicate value: "a"`},
		{"hmac key on slack", "notifications:\n  receivers:\n  - {name: a, type: slack, url: {env: U}, hmacKey: {env: K}}\n", "notifications.receivers[0].hmacKey: Forbidden"},
	}
	for _, c := range cases {
		p := filepath.Join(t.TempDir(), "c.yaml")
		_ = os.WriteFile(p, []byte(c.body), 0o600)
		_, err := loadConfig(p)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.reason, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.reason, err, c.want)
		}
	}
}

// TestConfigRoundTrip: what minka dev writes, loadConfig reads back.
func TestConfigRoundTrip(t *testing.T) {
	r := &runningSims{}
	dir := t.TempDir()
	sims, _, err := devSimulators(dir)
	if err != nil {
		t.Fatal(err)
	}
	port := map[string]int{"marathon": 1, "mesos": 2, "jenkins": 3, "openstack": 4, "git": 5, "slack": 6}
	for _, s := range sims {
		url := fmt.Sprintf("http://127.0.0.1:%d", port[s.name])
		if s.configure != nil {
			s.configure(url, &r.backends)
		}
		if s.git != nil {
			s.git(url, &r.git)
		}
		if s.notify != nil {
			s.notify(url, &r.notify)
		}
	}
	ch, err := startDevChacra(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ch.stop(); r.wg.Wait() }()
	keyDir := t.TempDir()
	p, tokens, err := writeDevConfig(t.TempDir(), keyDir, "", r, false)
	if err != nil {
		t.Fatal(err)
	}
	if tokens != (devTokens{}) {
		t.Errorf("tokens without --auth or tokens of --config: %+v", tokens)
	}
	out, err := loadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := out.Backends.FindMarathon("default"); !ok || m.URLs[0] != "http://127.0.0.1:1" || m.MesosURL != "http://127.0.0.1:2" {
		t.Errorf("marathon backend after a round trip: %+v", out.Backends.Marathon)
	}
	if got := out.Git.Rewrite("https://git.example.com/webapp.git"); got != "http://127.0.0.1:5/webapp.git" {
		t.Errorf("the example Pipeline's source after a round trip: %s", got)
	}
	if len(out.Backends.Jenkins) != 1 || len(out.Backends.OpenStack) != 1 {
		t.Errorf("jenkins %+v openstack %+v: want one of each", out.Backends.Jenkins, out.Backends.OpenStack)
	}
	if tok, err := out.Backends.Jenkins[0].Token.Value(); err != nil || tok != "minka-dev-token" {
		t.Errorf("jenkins token from its file: %q %v", tok, err)
	}
	c, ok := out.Backends.FindChacra("default")
	if !ok || len(c.Nodes) != devChacraNodes {
		t.Fatalf("chacra backend after a round trip: %+v", out.Backends.Chacra)
	}
	if key, err := c.Key.Value(); err != nil || key != devChacraKey {
		t.Errorf("chacra key from its file: %q %v", key, err)
	}
	if key, err := out.Shaman.Key.Value(); err != nil || key != devShamanKey || out.Shaman.User != devShamanUser {
		t.Errorf("shaman credentials after a round trip: %q %q %v", out.Shaman.User, key, err)
	}
	// The example Alert's receiver: the simulated Slack, its URL in a file.
	rc, ok := out.Notifications.FindReceiver("slack")
	if u, err := backend.ReceiverURL(rc); !ok || rc.Type != backend.ReceiverSlack || err != nil || !strings.HasPrefix(u, "http://127.0.0.1:6/services/") {
		t.Errorf("the slack receiver after a round trip: %+v %q %v", rc, u, err)
	}
	// The sandbox's sealing key, made in keyDir, opens what its public
	// key seals; a second config over the same directory keeps it.
	keys, err := loadKeys(out.Encryption)
	if err != nil || len(out.Encryption.Keys) != 1 || filepath.Dir(out.Encryption.Keys[0].File) != keyDir {
		t.Fatalf("sealing keys %+v: %v", out.Encryption, err)
	}
	v, _ := sealed.Seal(keys.Recipient(), sealed.NamespaceScope("ci"), "hunter2")
	p2, _, err := writeDevConfig(t.TempDir(), keyDir, "", r, false)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := loadConfig(p2)
	keys2, err := loadKeys(again.Encryption)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := keys2.Open(v, sealed.NamespaceScope("ci")); err != nil || got != "hunter2" {
		t.Errorf("a second run's key: %q %v", got, err)
	}
}

// loadKeys reads the config's keys in order and names a bad entry, never
// its contents.
func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	newer, _ := sealed.NewKey()
	older, _ := sealed.NewKey()
	write := func(name, text string) backend.Secret {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return backend.Secret{File: f}
	}
	k, err := loadKeys(backend.Encryption{Keys: []backend.Secret{write("new", newer), write("old", older)}})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := sealed.ParseKeys(older)
	if ids := k.KeyIDs(); len(ids) != 2 || ids[1] != old.KeyIDs()[0] || k.Recipient() == old.Recipient() {
		t.Errorf("key ids %v: want the newer first", ids)
	}
	if k, err := loadKeys(backend.Encryption{}); k != nil || err != nil {
		t.Errorf("no keys: %v %v", k, err)
	}
	_, err = loadKeys(backend.Encryption{Keys: []backend.Secret{write("new", newer), write("bad", "AGE-SECRET-KEY-1NOTAKEYATALL\n")}})
	if err == nil || !strings.Contains(err.Error(), "encryption.keys[1]") || strings.Contains(err.Error(), "NOTAKEY") {
		t.Errorf("a bad second key: %v", err)
	}
	_, err = loadKeys(backend.Encryption{Keys: []backend.Secret{{Env: "MINKA_TEST_NO_SUCH_KEY_VAR"}}})
	if err == nil || !strings.Contains(err.Error(), "encryption.keys[0]") {
		t.Errorf("an unset variable: %v", err)
	}
}

// TestExampleConfigLoads: the config the README points at stays valid.
func TestExampleConfigLoads(t *testing.T) {
	cfg, err := loadConfig("../../examples/config/server.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Auth.Tokens) != 4 || len(cfg.Backends.Marathon) != 1 || len(cfg.Backends.Marathon[0].URLs) != 2 {
		t.Errorf("examples/config/server.yaml: %d tokens, marathon %+v", len(cfg.Auth.Tokens), cfg.Backends.Marathon)
	}
}
