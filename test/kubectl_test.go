package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minka/test/e2e"
)

// kubectlBin is the kubectl the tests drive; every machine image here has
// v1.32, so under CI a missing one fails the test instead of skipping it.
func kubectlBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("kubectl is not on PATH: %v", err)
		}
		t.Skipf("kubectl is not on PATH: %v", err)
	}
	return bin
}

// kubeServer is a server with a token of each role serving HTTPS (kubectl
// sends a token over HTTPS only), and the CA kubectl trusts it by.
type kubeServer struct {
	*Server
	ca string
}

func tlsAuthServer(t *testing.T) *kubeServer {
	t.Helper()
	dir := t.TempDir()
	cert, key := e2e.SelfSigned(t, dir)
	cfg := filepath.Join(dir, "server.yaml")
	body := fmt.Sprintf("auth:\n  tokens:\n  - {name: viewer, role: view, sha256: %s}\n  - {name: ci-bot, role: edit, sha256: %s}\n  - {name: ops, role: admin, sha256: %s}\n",
		sha(viewToken), sha(editToken), sha(adminToken))
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s := StartServer(t, "--config", cfg, "--controllers", "none", "--tls-cert-file", cert, "--tls-private-key-file", key)
	return &kubeServer{Server: s, ca: cert}
}

// kubectl runs kubectl against s with token, a kubeconfig of its own (no
// user config leaks in) and returns stdout, stderr and the exit code.
func kubectl(t *testing.T, s *kubeServer, token, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return e2e.Run(t, kubectlBin(t), []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "kubeconfig"), "HOME=" + t.TempDir()}, stdin,
		append([]string{"--server", s.URL, "--token", token, "--certificate-authority", s.ca}, args...)...)
}

// storeRevision is etcd's revision as the API reports it: a list's
// resourceVersion. Any write of any object moves it.
func storeRevision(t *testing.T, s *kubeServer) string {
	t.Helper()
	out, errOut, _ := kubectl(t, s, viewToken, "", "get", "--raw", "/apis/minka.dev/v1alpha1/deployments")
	var meta struct {
		Metadata struct{ ResourceVersion string } `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(out), &meta); err != nil || meta.Metadata.ResourceVersion == "" {
		t.Fatalf("list: %s%s", out, errOut)
	}
	return meta.Metadata.ResourceVersion
}

// TestKubectlDryRunWritesNothing: every kubectl write that asks the
// server for a dry run — diff, create, replace, apply, patch (spec and
// status), scale, label, annotate, delete — answers as the write would
// and leaves etcd's revision where it was; a dry-run Build takes no
// number; an unknown dryRun value is refused naming the field.
func TestKubectlDryRunWritesNothing(t *testing.T) {
	s := tlsAuthServer(t)
	examples, _ := filepath.Abs("../examples")
	if out, errOut, code := kubectl(t, s, editToken, "", "apply", "-f", examples); code != 0 {
		t.Fatalf("apply: %s%s", out, errOut)
	}
	manifest, err := os.ReadFile(filepath.Join(examples, "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	scaled := strings.Replace(string(manifest), "replicas: 3", "replicas: 4", 1)
	other := strings.Replace(string(manifest), "name: web\n", "name: web2\n", 1)
	build := "apiVersion: minka.dev/v1alpha1\nkind: Build\nmetadata: {namespace: ci}\nspec: {pipeline: webapp, branch: master}\n"
	before := storeRevision(t, s)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string // in stdout
	}{
		{"diff", scaled, []string{"diff", "-f", "-"}, "+  replicas: 4"},
		{"create", other, []string{"create", "--dry-run=server", "-f", "-"}, "web2 created (server dry run)"},
		{"create of a Build", build, []string{"create", "--dry-run=server", "-f", "-", "-o", "jsonpath={.metadata.name}"}, "webapp-2"}, // webapp-manual-1 is number 1
		{"replace", scaled, []string{"replace", "--dry-run=server", "-f", "-"}, "web replaced (server dry run)"},
		{"apply", scaled, []string{"apply", "--dry-run=server", "-f", "-"}, "web configured (server dry run)"},
		{"patch", "", []string{"patch", "deploy", "web", "-n", "ci", "--type", "merge", "-p", `{"spec":{"replicas":5}}`, "--dry-run=server", "-o", "jsonpath={.spec.replicas}"}, "5"},
		{"scale", "", []string{"scale", "deploy", "web", "-n", "ci", "--replicas", "6", "--dry-run=server"}, "web scaled (server dry run)"},
		{"label", "", []string{"label", "deploy", "web", "-n", "ci", "tier=front", "--dry-run=server"}, "web labeled (server dry run)"},
		{"annotate", "", []string{"annotate", "deploy", "web", "-n", "ci", "note=x", "--dry-run=server"}, "web annotated (server dry run)"},
		{"delete", "", []string{"delete", "deploy", "web", "-n", "ci", "--dry-run=server"}, `"web" deleted (server dry run)`},
		{"delete of everything", "", []string{"delete", "deploy,sp,repos,pipelines,builds", "--all", "-n", "ci", "--dry-run=server"}, "deleted (server dry run)"},
	}
	for _, tt := range tests {
		token := editToken
		out, errOut, code := kubectl(t, s, token, tt.stdin, append(tt.args, "-n", "ci")...)
		if tt.name == "diff" {
			code &^= 1 // diff exits 1 when it found differences
		}
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("kubectl %s: exit %d, stdout %q, stderr %q; want %q", tt.name, code, out, errOut, tt.want)
		}
		if got := storeRevision(t, s); got != before {
			t.Fatalf("kubectl %s --dry-run=server moved etcd's revision %s → %s", tt.name, before, got)
		}
	}
	// The status subresource: an admin's dry run.
	out, errOut, code := kubectl(t, s, adminToken, "", "patch", "deploy", "web", "-n", "ci", "--subresource", "status", "--type", "merge",
		"-p", `{"status":{"readyReplicas":2}}`, "--dry-run=server", "-o", "jsonpath={.status.readyReplicas}")
	if code != 0 || out != "2" || storeRevision(t, s) != before {
		t.Errorf("dry-run status patch: exit %d %q %s", code, out, errOut)
	}
	if out, _, _ := kubectl(t, s, viewToken, "", "get", "deploy", "web", "-n", "ci", "-o", "jsonpath={.spec.replicas} {.metadata.labels.tier}"); out != "3 " {
		t.Errorf("after the dry runs: %q, want replicas 3 and no tier label", out)
	}
	if out, _, _ := kubectl(t, s, viewToken, "", "get", "deploy", "web2", "-n", "ci"); out != "" {
		t.Errorf("the dry-run create left web2: %q", out)
	}
	if _, errOut, code := kubectl(t, s, editToken, "", "delete", "--raw", "/apis/minka.dev/v1alpha1/namespaces/ci/deployments/web?dryRun=Some"); code == 0 ||
		!strings.Contains(errOut, `DeleteOptions "" is invalid: dryRun: Unsupported value: ["Some"]: supported values: "All"`) {
		t.Errorf("dryRun=Some: exit %d %s", code, errOut)
	}
	// A view token may not even dry-run a write.
	if _, errOut, code := kubectl(t, s, viewToken, "", "delete", "deploy", "web", "-n", "ci", "--dry-run=server"); code == 0 || !strings.Contains(errOut, "Forbidden") {
		t.Errorf("view token dry-run delete: exit %d %s", code, errOut)
	}
	// The dry-run Build took no number: the next real one is webapp-2 too.
	out, errOut, code = kubectl(t, s, editToken, build, "create", "-f", "-", "-o", "name")
	if code != 0 || strings.TrimSpace(out) != "build.minka.dev/webapp-2" {
		t.Errorf("the first Build after a dry run: %q %s", out, errOut)
	}
	if got := storeRevision(t, s); got == before {
		t.Errorf("a real create did not move the revision: the revision check proves nothing")
	}
	// minka's own CLI over the same HTTPS, trusting the same CA.
	if out, errOut, code := Minka(t, s.Server, "", "get", "deploy", "web", "-n", "ci", "-o", "name", "--token", viewToken, "--certificate-authority", s.ca); code != 0 || out != "deployment.minka.dev/web\n" {
		t.Errorf("minka over https: exit %d %q %s", code, out, errOut)
	}
	if _, errOut, code := Minka(t, s.Server, "", "get", "deploy", "-n", "ci", "--token", viewToken); code == 0 || !strings.Contains(errOut, "certificate") {
		t.Errorf("minka over https without the CA: exit %d %s", code, errOut)
	}
}

// withoutAge drops the AGE column of a table's lines (kubectl and minka
// print a second apart), keeping every other cell.
func withoutAge(out string) []string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 {
		return nil
	}
	age := -1
	for i, h := range strings.Fields(lines[0]) {
		if h == "AGE" {
			age = i
		}
	}
	var kept []string
	for _, l := range lines {
		f := strings.Fields(l)
		if age >= 0 && age < len(f) {
			f = append(f[:age], f[age+1:]...)
		}
		kept = append(kept, strings.Join(f, " "))
	}
	return kept
}

// TestKubectlGetShowsMinkaColumns: the server answers kubectl's Table
// request with the columns `minka get` prints, the wide ones at -o wide,
// and watches as Tables too.
func TestKubectlGetShowsMinkaColumns(t *testing.T) {
	s := tlsAuthServer(t)
	examples, _ := filepath.Abs("../examples")
	if out, errOut, code := kubectl(t, s, editToken, "", "apply", "-f", examples); code != 0 {
		t.Fatalf("apply: %s%s", out, errOut)
	}
	for _, kind := range []string{"deployments", "slavepools", "repos", "pipelines", "builds"} {
		for _, wide := range [][]string{nil, {"-o", "wide"}} {
			args := append([]string{"get", kind, "-n", "ci"}, wide...)
			kout, kerr, kcode := kubectl(t, s, viewToken, "", args...)
			mout, merr, mcode := Minka(t, s.Server, "", append(args, "--token", viewToken, "--certificate-authority", s.ca)...)
			if kcode != 0 || mcode != 0 {
				t.Fatalf("get %s %v: kubectl %d %s, minka %d %s", kind, wide, kcode, kerr, mcode, merr)
			}
			if k, m := withoutAge(kout), withoutAge(mout); strings.Join(k, "\n") != strings.Join(m, "\n") || len(k) < 2 {
				t.Errorf("get %s %v:\nkubectl:\n%s\nminka:\n%s", kind, wide, kout, mout)
			}
		}
	}
	// get all: the five kinds are in the "all" category.
	out, errOut, code := kubectl(t, s, viewToken, "", "get", "all", "-n", "ci", "-o", "name")
	for _, want := range []string{"deployment.minka.dev/web", "slavepool.minka.dev/trusty-amd64", "repo.minka.dev/ceph-master-45e3f3c",
		"pipeline.minka.dev/webapp", "build.minka.dev/webapp-manual-1"} {
		if code != 0 || !strings.Contains(out, want+"\n") {
			t.Errorf("get all lacks %s: exit %d %q %s", want, code, out, errOut)
		}
	}
	// describe and events read minka's Events as core v1 events.
	uid, _, _ := kubectl(t, s, viewToken, "", "get", "deploy", "web", "-n", "ci", "-o", "jsonpath={.metadata.uid}")
	ev := fmt.Sprintf("apiVersion: minka.dev/v1alpha1\nkind: Event\nmetadata: {name: web.1, namespace: ci}\n"+
		"involvedObject: {apiVersion: minka.dev/v1alpha1, kind: Deployment, namespace: ci, name: web, uid: %s}\n"+
		"reason: RolloutStarted\nmessage: generation 2 of web\ntype: Normal\ncount: 1\nsource: {component: deployment}\n", uid)
	if out, errOut, code := kubectl(t, s, adminToken, ev, "create", "-f", "-"); code != 0 {
		t.Fatalf("create event: %s%s", out, errOut)
	}
	if out, errOut, code := kubectl(t, s, viewToken, "", "describe", "deploy", "web", "-n", "ci"); code != 0 ||
		!regexp.MustCompile(`Events:\s+Type\s+Reason\s+Age\s+From\s+Message`).MatchString(out) || !strings.Contains(out, "RolloutStarted") {
		t.Errorf("describe: exit %d %s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"events", "-n", "ci"}, {"events", "-n", "ci", "--for", "deployment.minka.dev/web"}} {
		if out, errOut, code := kubectl(t, s, viewToken, "", args...); code != 0 || !strings.Contains(out, "Deployment/web   generation 2 of web") {
			t.Errorf("kubectl %v: exit %d %q %s", args, code, out, errOut)
		}
	}
	if out, errOut, code := kubectl(t, s, viewToken, "", "get", "namespaces", "-o", "name"); code != 0 || out != "namespace/ci\nnamespace/default\n" {
		t.Errorf("get namespaces: exit %d %q %s", code, out, errOut)
	}

	// Patches: json and merge; a strategic merge patch is refused as
	// kube-apiserver refuses it for a custom resource.
	for _, tt := range []struct {
		args []string
		want string
		ok   bool
	}{
		{[]string{"--type", "json", "-p", `[{"op":"replace","path":"/spec/replicas","value":2}]`}, "2", true},
		{[]string{"--type", "merge", "-p", `{"spec":{"replicas":3}}`}, "3", true},
		{[]string{"--type", "json", "-p", `[{"op":"test","path":"/spec/replicas","value":9}]`}, "applying json patch", false},
		{[]string{"-p", `{"spec":{"replicas":4}}`}, "accepted media types include: application/json-patch+json, application/merge-patch+json", false},
	} {
		out, errOut, code := kubectl(t, s, editToken, "", append([]string{"patch", "deploy", "web", "-n", "ci", "-o", "jsonpath={.spec.replicas}"}, tt.args...)...)
		if tt.ok != (code == 0) || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("patch %v: exit %d %q %s; want %q", tt.args, code, out, errOut, tt.want)
		}
	}

	// version: the server's is semver.
	if out, errOut, code := kubectl(t, s, viewToken, "", "version"); code != 0 || !strings.Contains(out, "Server Version: v0.1.0-") {
		t.Errorf("kubectl version: exit %d %q %s", code, out, errOut)
	}

	// A watch: each change a Table row under the same columns.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kubectlBin(t), "--server", s.URL, "--token", viewToken, "--certificate-authority", s.ca,
		"get", "deploy", "web", "-n", "ci", "-w", "--output-watch-events")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "kubeconfig"), "HOME="+t.TempDir())
	watched := &lockedBuffer{}
	cmd.Stdout = watched
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(watched.String(), "ADDED") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if _, errOut, code := kubectl(t, s, editToken, "", "scale", "deploy", "web", "-n", "ci", "--replicas", "7"); code != 0 {
		t.Fatalf("scale: %s", errOut)
	}
	for !strings.Contains(watched.String(), "MODIFIED") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	lines := withoutAge(watched.String())
	if len(lines) != 3 || lines[0] != "EVENT NAME READY UP-TO-DATE AVAILABLE IMAGE" || !strings.HasPrefix(lines[2], "MODIFIED web 0/7 0 0 ") {
		t.Errorf("kubectl get -w:\n%s", watched.String())
	}
}

// lockedBuffer is a bytes.Buffer a child process writes while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestKubectlAuth: kubectl auth can-i answers from the token's role
// (edit may write Deployments but not their status; view writes
// nothing), can-i --list shows the rules, and auth whoami the token.
func TestKubectlAuth(t *testing.T) {
	s := tlsAuthServer(t)
	for _, tt := range []struct {
		token string
		args  []string
		want  string
	}{
		{editToken, []string{"create", "deployments"}, "yes"},
		{editToken, []string{"patch", "slavepools", "--subresource=scale"}, "yes"},
		{editToken, []string{"delete", "builds"}, "yes"},
		{editToken, []string{"update", "deployments", "--subresource=status"}, "no"},
		{editToken, []string{"create", "events"}, "no"},
		{viewToken, []string{"get", "deployments"}, "yes"},
		{viewToken, []string{"list", "events"}, "yes"},
		{viewToken, []string{"create", "deployments"}, "no"},
		{viewToken, []string{"delete", "pipelines"}, "no"},
		{adminToken, []string{"update", "deployments", "--subresource=status"}, "yes"},
		{adminToken, []string{"get", "/metrics"}, "yes"},
	} {
		out, errOut, _ := kubectl(t, s, tt.token, "", append([]string{"auth", "can-i"}, append(tt.args, "-n", "ci")...)...)
		if answer, _, _ := strings.Cut(strings.TrimSpace(out), " "); answer != tt.want { // "no - role view … does not allow it"
			t.Errorf("%s: can-i %v = %q (%s), want %s", tt.token[:4], tt.args, out, errOut, tt.want)
		}
	}
	out, errOut, code := kubectl(t, s, editToken, "", "auth", "can-i", "--list", "-n", "ci")
	if code != 0 || !strings.Contains(out, "deployments.minka.dev/scale") || !regexp.MustCompile(`\*\.minka\.dev\s+\[\]\s+\[\]\s+\[get list watch\]`).MatchString(out) {
		t.Errorf("can-i --list: exit %d\n%s%s", code, out, errOut)
	}
	// minka kubeconfig: kubectl with nothing but that file.
	kc, errOut, code := Minka(t, s.Server, "", "kubeconfig", "--context", "ci", "-n", "ci", "--token", editToken, "--certificate-authority", s.ca)
	if code != 0 {
		t.Fatalf("minka kubeconfig: %s", errOut)
	}
	kcFile := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kcFile, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	kcmd := exec.Command(kubectlBin(t), "--kubeconfig", kcFile, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
	kcmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if got, err := kcmd.CombinedOutput(); err != nil || string(got) != "ci-bot" {
		t.Errorf("kubectl with minka's kubeconfig:\n%s\n%s %v", kc, got, err)
	}

	out, errOut, code = kubectl(t, s, viewToken, "", "auth", "whoami")
	if code != 0 || !regexp.MustCompile(`Username\s+viewer`).MatchString(out) || !strings.Contains(out, "minka:view") {
		t.Errorf("auth whoami: exit %d\n%s%s", code, out, errOut)
	}
}
