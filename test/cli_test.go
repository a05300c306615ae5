package test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCLIGetDescribeScaleDelete(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	examples, _ := filepath.Abs("../examples")
	if out, errOut, code := Minka(t, s, "", "apply", "-f", examples); code != 0 {
		t.Fatalf("apply: %s%s", out, errOut)
	}
	out, _, _ := Minka(t, s, "", "get", "deploy", "-n", "ci")
	if !strings.HasPrefix(out, "NAME          READY   UP-TO-DATE   AVAILABLE   IMAGE") || !strings.Contains(out, "web           0/3") ||
		!strings.Contains(out, "web-staging   0/1") {
		t.Errorf("get deploy table:\n%s", out)
	}
	out, _, _ = Minka(t, s, "", "get", "sp", "-A")
	if !strings.HasPrefix(out, "NAMESPACE   NAME           DESIRED   READY   BUSY   QUEUED   AGE") {
		t.Errorf("get sp -A table:\n%s", out)
	}
	out, _, _ = Minka(t, s, "", "get", "deploy,sp", "-n", "ci", "-o", "name")
	if out != "deployment.minka.dev/web\ndeployment.minka.dev/web-staging\nslavepool.minka.dev/trusty-amd64\n" {
		t.Errorf("get deploy,sp -o name: %q", out)
	}
	out, _, _ = Minka(t, s, "", "get", "deploy/web", "-n", "ci", "-o", "name")
	if out != "deployment.minka.dev/web\n" {
		t.Errorf("-o name: %q", out)
	}
	if _, errOut, code := Minka(t, s, "", "get", "deploy", "nope", "-n", "ci"); code != 1 || !strings.Contains(errOut, `deployments.minka.dev "nope" not found`) {
		t.Errorf("get missing: exit %d, %q", code, errOut)
	}
	if _, errOut, code := Minka(t, s, "", "get", "pods"); code != 1 || !strings.Contains(errOut, `unknown resource type "pods"`) {
		t.Errorf("get pods: exit %d, %q", code, errOut)
	}

	// A controller's view: conditions and an event, written through the API.
	status := `{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"web","namespace":"ci"},"spec":{"image":"x","cpus":1,"mem":1},` +
		`"status":{"readyReplicas":2,"conditions":[{"type":"Available","status":"False","reason":"MinimumReplicasUnavailable","message":"2 of 3 tasks healthy","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}`
	if r := call(t, s, "PUT", deploys+"/web/status", "", status); r.code != 200 {
		t.Fatalf("status: %s", r.raw)
	}
	event := `{"apiVersion":"minka.dev/v1alpha1","kind":"Event","metadata":{"name":"web.1","namespace":"ci"},"involvedObject":{"kind":"Deployment","name":"web","namespace":"ci"},` +
		`"reason":"RolloutStarted","message":"rolling out nginx:2","type":"Normal","count":1,"source":{"component":"deployment-controller"}}`
	if r := call(t, s, "POST", "/apis/minka.dev/v1alpha1/namespaces/ci/events", "", event); r.code != 201 {
		t.Fatalf("event: %s", r.raw)
	}
	out, _, _ = Minka(t, s, "", "describe", "deploy", "web", "-n", "ci")
	for _, want := range []string{"Name:               web", "Available  False   MinimumReplicasUnavailable", "2 of 3 tasks healthy",
		"Normal  RolloutStarted", "deployment-controller", "rolling out nginx:2", "image: registry.example.com/webapp"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = Minka(t, s, "", "events", "-n", "ci", "--for", "deploy/web")
	if !strings.Contains(out, "RolloutStarted") || !strings.Contains(out, "deployment/web") {
		t.Errorf("events --for:\n%s", out)
	}

	if out, errOut, code := Minka(t, s, "", "scale", "sp", "trusty-amd64", "-n", "ci", "--replicas", "4"); code != 0 || out != "slavepool.minka.dev/trusty-amd64 scaled\n" {
		t.Errorf("scale: %d %q %q", code, out, errOut)
	}
	if r := call(t, s, "GET", "/apis/minka.dev/v1alpha1/namespaces/ci/slavepools/trusty-amd64", "", ""); r.str("spec", "replicas") != "4" {
		t.Errorf("after scale: replicas %s", r.str("spec", "replicas"))
	}
	if _, errOut, code := Minka(t, s, "", "scale", "repo", "ceph-master-45e3f3c", "-n", "ci", "--replicas", "2"); code != 1 || !strings.Contains(errOut, "cannot be scaled") {
		t.Errorf("scale repo: %d %q", code, errOut)
	}
	if _, errOut, code := Minka(t, s, "", "scale", "sp", "trusty-amd64", "-n", "ci", "--replicas", "9", "--current-replicas", "2"); code != 1 || !strings.Contains(errOut, "expected replicas to be 2, was 4") {
		t.Errorf("scale precondition: %d %q", code, errOut)
	}
	if out, _, code := Minka(t, s, "", "delete", "build", "webapp-manual-1", "-n", "ci"); code != 0 || out != "build.minka.dev/webapp-manual-1 deleted\n" {
		t.Errorf("delete: %d %q", code, out)
	}
	if _, _, code := Minka(t, s, "", "get", "build", "webapp-manual-1", "-n", "ci"); code != 1 {
		t.Errorf("deleted build still there")
	}
}

func TestCLIGetWatchPrintsChanges(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 3))
	cmd := exec.Command(minkaBin, "get", "deploy", "-n", "ci", "-w", "--server", s.URL)
	cmd.Env = append(os.Environ(), "MINKA_CONFIG="+filepath.Join(t.TempDir(), "none"))
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(15 * time.Second):
			t.Fatal("get -w printed nothing within 15s")
		}
		return ""
	}
	if h := next(); !strings.HasPrefix(h, "NAME") {
		t.Fatalf("first line %q, want the header", h)
	}
	if l := next(); !strings.HasPrefix(l, "web") || !strings.Contains(l, "0/3") {
		t.Fatalf("second line %q, want web 0/3", l)
	}
	Minka(t, s, "", "scale", "deploy", "web", "-n", "ci", "--replicas", "5")
	if l := next(); !strings.HasPrefix(l, "web") || !strings.Contains(l, "0/5") {
		t.Errorf("after scale: %q, want web 0/5", l)
	}
}

// editorScript writes an $EDITOR that runs sed expressions over the file,
// one per invocation (the second run uses the second expression).
func editorScript(t *testing.T, exprs ...string) string {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("#!/bin/sh\nn=$(cat " + dir + "/count 2>/dev/null || echo 0)\necho $((n+1)) > " + dir + "/count\ncase $n in\n")
	for i, e := range exprs {
		fmt.Fprintf(&b, "%d) sed -i '%s' \"$1\" ;;\n", i, e)
	}
	b.WriteString("esac\n")
	p := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(p, []byte(b.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func minkaEditor(t *testing.T, s *Server, editor string, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("EDITOR", editor)
	return Minka(t, s, "", args...)
}

func TestCLIEdit(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 3))
	out, errOut, code := minkaEditor(t, s, editorScript(t, "s/replicas: 3/replicas: 4/"), "edit", "deploy", "web", "-n", "ci")
	if code != 0 || out != "deployment.minka.dev/web edited\n" {
		t.Fatalf("edit: %d %q %q", code, out, errOut)
	}
	if r := call(t, s, "GET", deploys+"/web", "", ""); r.str("spec", "replicas") != "4" {
		t.Errorf("after edit: replicas %s, want 4", r.str("spec", "replicas"))
	}
	// First save is invalid: the editor reopens with the error on top; the
	// second run checks the error is there and fixes the value.
	mark := filepath.Join(t.TempDir(), "saw-error")
	fix := "s/replicas: -7/replicas: 6/; /spec.replicas: Invalid value: -7/w " + mark
	out, errOut, code = minkaEditor(t, s, editorScript(t, "s/replicas: 4/replicas: -7/", fix), "edit", "deploy", "web", "-n", "ci")
	if code != 0 || !strings.Contains(out, "edited") {
		t.Fatalf("edit with a fix: %d %q %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(mark); !strings.Contains(string(b), "spec.replicas") {
		t.Errorf("the reopened file did not show the validation error on top")
	}
	if r := call(t, s, "GET", deploys+"/web", "", ""); r.str("spec", "replicas") != "6" {
		t.Errorf("after fixed edit: replicas %s, want 6", r.str("spec", "replicas"))
	}
	_, errOut, code = minkaEditor(t, s, editorScript(t, "s/nothing//"), "edit", "deploy", "web", "-n", "ci")
	if code != 0 || !strings.Contains(errOut, "Edit cancelled, no changes made.") {
		t.Errorf("unchanged edit: %d %q", code, errOut)
	}
	_, errOut, code = minkaEditor(t, s, editorScript(t, "s/replicas: 6/replicas: -1/", "s/nothing//"), "edit", "deploy", "web", "-n", "ci")
	if code != 1 || !strings.Contains(errOut, "a copy of your changes is in") {
		t.Errorf("edit given up: %d %q", code, errOut)
	}
}
