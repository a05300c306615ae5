package pipeline

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/sim/jenkins"
	simmarathon "minka/sim/marathon"
)

// TestSealedValues is issue 17's encrypted values end to end, through
// the CLI and a `minka server` child: values sealed by `minka encrypt`
// (with the server's public key, fetched) reach Jenkins (a Pipeline
// parameter) and Marathon (a Deployment's env) in clear and sign the
// pushes (a sealed webhook secret); copied into another namespace or
// Pipeline they do not open, and the object says why; and no clear value
// is in an API answer, an event, the server's log or etcd's files.
func TestSealedValues(t *testing.T) {
	const (
		token = "deploy-t0ken-in-clear"
		dbPW  = "db-passw0rd-in-clear"
		hook  = "hook-s3cret-in-clear"
	)
	mc := simmarathon.New(simmarathon.Options{})
	ms, mm := httptest.NewServer(mc.Marathon()), httptest.NewServer(mc.Mesos())
	t.Cleanup(func() { mc.Close(); ms.Close(); mm.Close() })
	key, err := sealed.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "sealing.key")
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	extra := fmt.Sprintf("  marathon:\n  - {name: default, urls: [%s], mesosURL: %s, timeout: 2s}\nencryption:\n  keys: [{file: %s}]\n", ms.URL, mm.URL, keyFile)
	e := startBuildWorld(t, jenkins.Options{BuiltInExecutors: 2, BuildDuration: 300 * time.Millisecond}, extra)
	s, cli := buildServer(t, e, "--controllers", "pipeline,deployment")

	encrypt := func(value string, args ...string) string {
		t.Helper()
		out, errOut, code := Minka(t, s, value, append([]string{"encrypt"}, args...)...)
		if code != 0 || !strings.HasPrefix(out, sealed.Prefix) {
			t.Fatalf("minka encrypt %v: %d %s%s", args, code, out, errOut)
		}
		return strings.TrimSpace(out)
	}
	sealedToken := encrypt(token, "-n", "ci", "--scope", "pipeline/webapp")
	sealedDB := encrypt(dbPW, "-n", "ci")
	sealedHook := encrypt(hook, "-n", "ci", "--scope", "pipeline/webapp")

	// A sealed webhook secret signs the pushes; a sealed parameter
	// reaches Jenkins in clear.
	pipeline := strings.Replace(e.pipelineManifest("webapp", "  parameters: {DEPLOY_TOKEN: \""+sealedToken+"\"}\n"),
		"trigger: {webhook: {secretRef: hook-a}}", "trigger: {webhook: {secret: \""+sealedHook+"\"}}", 1)
	apply(t, s, pipeline)
	head, err := e.git.Head("master")
	if err != nil {
		t.Fatal(err)
	}
	body := githubPush("refs/heads/master", head, "sealed", false)
	mac := hmac.New(sha256.New, []byte(hook))
	mac.Write(body)
	code, answer := postHook(t, s, "webapp", body, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "sealed-1",
		"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))})
	if code != http.StatusCreated {
		t.Fatalf("a push signed with the sealed secret: %d %s", code, answer)
	}
	waitBuild(t, cli, "webapp-1", 30*time.Second, "Succeeded", finished)
	builds := e.jenkins.Builds("webapp-build")
	if len(builds) != 1 || builds[0].Params["DEPLOY_TOKEN"] != token {
		t.Fatalf("jenkins builds %+v: want DEPLOY_TOKEN in clear", builds)
	}

	// A sealed env value reaches Marathon in clear.
	apply(t, s, strings.Replace(webManifest("registry.example.com/webapp:1", 1, 60), "  verify: {path: /ping}\n",
		"  env: {DB_PASSWORD: \""+sealedDB+"\", MODE: fast}\n", 1))
	cfg := marathon.NewDefaultConfig()
	cfg.URL = ms.URL
	api, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var app *marathon.Application
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if app, err = api.Application("/ci/web"); err == nil {
			break
		}
	}
	if app == nil || app.Env == nil || (*app.Env)["DB_PASSWORD"] != dbPW || (*app.Env)["MODE"] != "fast" {
		t.Fatalf("the Marathon app's env: %+v %v", app, err)
	}

	// Copied into another namespace, or another Pipeline, a value does
	// not open: the object's condition says which field and why.
	moved := strings.Replace(webManifest("registry.example.com/webapp:1", 1, 60), "namespace: ci", "namespace: prod", 1)
	apply(t, s, strings.Replace(moved, "  verify: {path: /ping}\n", "  env: {DB_PASSWORD: \""+sealedDB+"\"}\n", 1))
	var degraded string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !strings.Contains(degraded, "SealedValueUnreadable"); time.Sleep(200 * time.Millisecond) {
		degraded, _, _ = Minka(t, s, "", "describe", "deploy", "web", "-n", "prod")
	}
	if want := "spec.env[DB_PASSWORD]: sealed for another scope: it was sealed for namespace/ci, not namespace/prod"; !strings.Contains(degraded, want) {
		t.Errorf("describe deploy web -n prod:\n%s\nwant %q", degraded, want)
	}
	other := strings.Replace(pipeline, "name: webapp,", "name: other,", 1)
	other = strings.Replace(other, "secret: \""+sealedHook+"\"", "secret: \""+encrypt(hook, "-n", "ci", "--scope", "pipeline/other")+"\"", 1)
	apply(t, s, other)
	if out, errOut, code := Minka(t, s, "", "trigger", "pipeline", "other", "-n", "ci", "--branch", "master"); code != 0 {
		t.Fatalf("trigger other: %s%s", out, errOut)
	}
	b := waitBuild(t, cli, "other-1", 20*time.Second, "SealedValueUnreadable", func(b *v1alpha1.Build) bool {
		return b.Status.Reason == "SealedValueUnreadable"
	})
	if want := "spec.parameters[DEPLOY_TOKEN]: sealed for another scope: it was sealed for pipeline/ci/webapp, not pipeline/ci/other or namespace/ci"; !strings.Contains(b.Status.Message, want) || b.Status.Phase != v1alpha1.BuildPending {
		t.Errorf("build other-1: %s %s, want Pending and %q", b.Status.Phase, b.Status.Message, want)
	}
	if n := len(e.jenkins.Builds("webapp-build")); n != 1 {
		t.Errorf("%d Jenkins builds: a Build whose parameter does not open was triggered", n)
	}

	// The key listing: one key, which seals all six sealed values.
	out, errOut, code := Minka(t, s, "", "keys")
	if code != 0 || !strings.Contains(out, "seals, opens   6") {
		t.Errorf("minka keys: %d\n%s%s", code, out, errOut)
	}
	if out, _, code := Minka(t, s, "", "keys", "--stale"); code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("minka keys --stale with one key: %d\n%s", code, out)
	}

	// The job echoes its parameters (the simulator's shell -x trace):
	// minka's log shows the sealed one masked, as Jenkins' Credentials
	// Binding does.
	if out, errOut, code := Minka(t, s, "", "logs", "build/webapp-1", "-n", "ci"); code != 0 || !strings.Contains(out, "+ echo DEPLOY_TOKEN=****\n") {
		t.Errorf("minka logs build/webapp-1: %d\n%s%s", code, out, errOut)
	}

	// Rotation: a new key first, the old one kept, and a restart. What the
	// old key sealed still opens (a new Build gets the parameter), a new
	// seal uses the new key, and keys --stale lists the six fields to seal
	// again.
	newKey, _ := sealed.NewKey()
	newFile := filepath.Join(t.TempDir(), "new.key")
	if err := os.WriteFile(newFile, []byte(newKey), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(e.config)
	rotated := strings.Replace(string(before), "keys: [{file: "+keyFile+"}]", "keys: [{file: "+newFile+"}, {file: "+keyFile+"}]", 1)
	if err := os.WriteFile(e.config, []byte(rotated), 0o600); err != nil || rotated == string(before) {
		t.Fatalf("rotating the config's keys: %v", err)
	}
	oldLogs, dataDir := s.Logs(), s.DataDir
	if err := s.Stop(t); err != nil {
		t.Fatal(err)
	}
	s, cli = buildServer(t, e, "--controllers", "pipeline,deployment", "--data-dir", dataDir)
	nk, _ := sealed.ParseKeys(newKey)
	ok, _ := sealed.ParseKeys(key)
	newID, oldID := nk.KeyIDs()[0], ok.KeyIDs()[0]
	out, errOut, code = Minka(t, s, "", "keys")
	if code != 0 || !strings.Contains(out, newID+"   seals, opens   0") || !strings.Contains(out, oldID+"   opens          6") {
		t.Errorf("minka keys after the rotation: %d\n%s%s", code, out, errOut)
	}
	out, _, code = Minka(t, s, "", "keys", "--stale")
	if code != 0 || strings.Count(out, "\n") != 7 || strings.Count(out, oldID) != 6 || !strings.Contains(out, "spec.parameters[DEPLOY_TOKEN]") {
		t.Errorf("minka keys --stale after the rotation: %d\n%s", code, out)
	}
	if v := encrypt(token, "-n", "ci", "--scope", "pipeline/webapp"); sealed.SealedKeyID(v) != newID {
		t.Errorf("a seal after the rotation names key %s, want the new %s", sealed.SealedKeyID(v), newID)
	}
	if out, errOut, code := Minka(t, s, "", "trigger", "pipeline", "webapp", "-n", "ci", "--branch", "master"); code != 0 {
		t.Fatalf("trigger webapp: %s%s", out, errOut)
	}
	waitBuild(t, cli, "webapp-2", 30*time.Second, "Succeeded", finished)
	if builds := e.jenkins.Builds("webapp-build"); len(builds) != 2 || builds[1].Params["DEPLOY_TOKEN"] != token {
		t.Errorf("the Jenkins build after the rotation: %+v", builds)
	}

	// No clear value anywhere minka writes or answers.
	for _, args := range [][]string{
		{"get", "deploy,pipelines,builds", "-A", "-o", "yaml"}, {"get", "deploy,pipelines,builds", "-A", "-o", "json"},
		{"describe", "deploy", "web", "-n", "ci"}, {"describe", "deploy", "web", "-n", "prod"},
		{"describe", "pipeline", "webapp", "-n", "ci"}, {"describe", "build", "other-1", "-n", "ci"},
		{"events", "-A"}, {"logs", "build/webapp-1", "-n", "ci"},
	} {
		out, errOut, _ := Minka(t, s, "", args...)
		for _, v := range []string{token, dbPW, hook} {
			if strings.Contains(out+errOut, v) {
				t.Errorf("minka %s shows %q", strings.Join(args, " "), v)
			}
		}
	}
	if err := s.Stop(t); err != nil {
		t.Errorf("server stop: %v", err)
	}
	for _, v := range []string{token, dbPW, hook} {
		if strings.Contains(oldLogs+s.Logs(), v) {
			t.Errorf("the server's log holds %q", v)
		}
	}
	files := 0
	_ = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		files++
		b, _ := os.ReadFile(p)
		for _, v := range []string{token, dbPW, hook} {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds %q in clear", p, v)
			}
		}
		return nil
	})
	if files == 0 {
		t.Errorf("no files under the data dir %s", dataDir)
	}
}
