package cd

import (
	"regexp"
	"strings"
	"testing"
)

// historyRows are `rollout history`'s rows as "REVISION IMAGE RESULT".
func historyRows(t *testing.T, w *world, token string) []string {
	t.Helper()
	out := w.must(t, token, "rollout", "history", "deploy/web")
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[2:] {
		f := strings.Fields(strings.Replace(line, " (current)", "*", 1))
		rows = append(rows, strings.Join(f[:3], " "))
	}
	return rows
}

func sameRows(got []string, want ...string) bool {
	return strings.Join(got, "|") == strings.Join(want, "|")
}

const (
	v1 = "registry.example.com/webapp:1"
	v2 = "registry.example.com/webapp:2"
	v3 = "registry.example.com/webapp:3"
)

// TestDeployRoleRunsTheCDVerbs: what a Jenkins job with a deploy token
// does, against the simulated Marathon: set image, then rollout status
// until it is rolled out; rollout history lists the revisions; rollout
// undo returns Marathon to the previous good image (a revision of its
// own); rollout restart makes a new Marathon version of the same image;
// scale; trigger a Build. The token is refused (403, nothing changed)
// for a delete and for any spec change beyond the image and the
// restart: cpus, env.
func TestDeployRoleRunsTheCDVerbs(t *testing.T) {
	w := startWorld(t)
	w.must(t, editToken, "apply", "-f", manifests(t, deploymentManifest("web", v1, 60), pipelineManifest), "--wait", "--timeout", "60s")
	if _, _, code := w.minka(t, viewToken, "set", "image", "deploy/web", v2); code == 0 {
		t.Fatalf("view set the image")
	}

	if out := w.must(t, deployToken, "set", "image", "deploy/web", v2); !strings.Contains(out, "deployment.minka.dev/web image updated") {
		t.Errorf("set image: %s", out)
	}
	out := w.must(t, deployToken, "rollout", "status", "deploy/web", "--timeout", "60s")
	if !strings.Contains(out, `deployment "web" successfully rolled out`) || !strings.Contains(out, `Waiting for deployment "web"`) {
		t.Errorf("rollout status after set image:\n%s", out)
	}
	if img := w.image(t, "web"); img != v2 {
		t.Errorf("after set image Marathon runs %s", img)
	}
	if rows := historyRows(t, w, deployToken); !sameRows(rows, "1 "+v1+" Good", "2* "+v2+" Good") {
		t.Errorf("history after set image: %v", rows)
	}

	if out := w.must(t, deployToken, "rollout", "undo", "deployment", "web"); !strings.Contains(out, "rolled back to image "+v1) {
		t.Errorf("rollout undo: %s", out)
	}
	w.must(t, deployToken, "rollout", "status", "deployments/web", "--timeout", "60s")
	if img := w.image(t, "web"); img != v1 {
		t.Errorf("after rollout undo Marathon runs %s, want %s", img, v1)
	}
	if rows := historyRows(t, w, deployToken); !sameRows(rows, "1 "+v1+" Good", "2 "+v2+" Good", "3* "+v1+" Good") {
		t.Errorf("history after undo: %v", rows)
	}
	out = w.must(t, deployToken, "rollout", "history", "deploy/web", "--revision", "2")
	if !strings.Contains(out, "deployment.minka.dev/web with revision #2") || !strings.Contains(out, "image: "+v2) || strings.Contains(out, "replicas:") {
		t.Errorf("history --revision 2:\n%s", out)
	}

	before := w.versions(t, "web")
	w.must(t, deployToken, "rollout", "restart", "deploy/web")
	w.must(t, deployToken, "rollout", "status", "deploy/web", "--timeout", "60s")
	if n, img := w.versions(t, "web"), w.image(t, "web"); n != before+1 || img != v1 {
		t.Errorf("after rollout restart: %d app versions (was %d), image %s; want one more, same image %s", n, before, img, v1)
	}
	if rows := historyRows(t, w, deployToken); !sameRows(rows, "1 "+v1+" Good", "2 "+v2+" Good", "3 "+v1+" Good", "4* "+v1+" Good") {
		t.Errorf("history after restart: %v", rows)
	}

	w.must(t, deployToken, "scale", "deploy/web", "--replicas", "3")
	w.must(t, deployToken, "rollout", "status", "deploy/web", "--timeout", "60s")
	if out := w.must(t, deployToken, "trigger", "pipeline", "webapp", "--branch", "master"); !strings.Contains(out, "build.minka.dev/webapp-1 created") {
		t.Errorf("trigger: %s", out)
	}

	puts := w.puts()
	refusals := []struct {
		reason string
		args   []string
		want   string
	}{
		{"delete", []string{"delete", "deploy/web"}, "cannot delete deployments"},
		{"cpus", []string{"apply", "-f", manifests(t, strings.Replace(deploymentManifest("web", v1, 60), "cpus: 0.5", "cpus: 1", 1))}, "this change touches spec.cpus"},
		{"env", []string{"apply", "-f", manifests(t, deploymentManifest("web", v1, 60)+"  env: {DEBUG: \"1\"}\n")}, "this change touches spec.env"},
		{"a new Deployment", []string{"apply", "-f", manifests(t, deploymentManifest("db", v1, 60))}, "cannot create deployments"},
		{"a Pipeline", []string{"delete", "pipeline/webapp"}, "cannot delete pipelines"},
	}
	for _, r := range refusals {
		out, errOut, code := w.minka(t, deployToken, r.args...)
		if code == 0 || !strings.Contains(errOut, "forbidden") || !strings.Contains(errOut, r.want) {
			t.Errorf("deploy role, %s: exit %d, want 403 naming %q\n%s%s", r.reason, code, r.want, out, errOut)
		}
		t.Logf("deploy role, %s: exit %d: %s", r.reason, code, strings.TrimSpace(errOut))
	}
	if n := w.puts(); n != puts {
		t.Errorf("the refused changes reached Marathon: %d PUTs, was %d", n, puts)
	}
	if out := w.must(t, viewToken, "get", "deploy/web", "-o", "yaml"); !strings.Contains(out, "cpus: 0.5") || strings.Contains(out, "DEBUG") {
		t.Errorf("a refused change was stored:\n%s", out)
	}
	t.Logf("rollout history:\n%s", w.must(t, viewToken, "rollout", "history", "deploy/web"))
	if ev := w.must(t, viewToken, "events"); !regexp.MustCompile(`RollbackRequested\s.*jenkins-deploy asked for revision 1`).MatchString(ev) {
		t.Errorf("no RollbackRequested event naming the deploy user:\n%s", ev)
	}
}

// TestEditRunsTheCDVerbs: edit, which includes everything deploy may
// do, runs the same verbs, and the spec changes deploy may not make;
// --to-revision picks a revision by number.
func TestEditRunsTheCDVerbs(t *testing.T) {
	w := startWorld(t)
	w.must(t, editToken, "apply", "-f", manifests(t, deploymentManifest("web", v1, 60), pipelineManifest), "--wait")
	w.must(t, editToken, "set", "image", "deployment/web", "web="+v2)
	w.must(t, editToken, "rollout", "status", "deploy/web")
	w.must(t, editToken, "set", "image", "deploy", "web", v3)
	w.must(t, editToken, "rollout", "status", "deploy/web")
	out, errOut, code := w.minka(t, editToken, "rollout", "undo", "deploy/web", "--to-revision", "9")
	if code == 0 || !strings.Contains(errOut, "rollbackTo.revision") || !strings.Contains(errOut, "no revision 9") {
		t.Errorf("undo to an unknown revision: exit %d %s%s", code, out, errOut)
	}
	if out := w.must(t, editToken, "rollout", "undo", "deploy/web", "--to-revision", "1", "--dry-run=server"); !strings.Contains(out, "(server dry run)") {
		t.Errorf("undo --dry-run=server: %s", out)
	}
	if img := w.image(t, "web"); img != v3 {
		t.Errorf("after a dry-run undo Marathon runs %s", img)
	}
	w.must(t, editToken, "rollout", "undo", "deploy/web", "--to-revision", "1")
	w.must(t, editToken, "rollout", "status", "deploy/web")
	w.waitImage(t, "web", v1)
	w.must(t, editToken, "rollout", "restart", "deploy/web")
	w.must(t, editToken, "rollout", "status", "deploy/web")
	w.must(t, editToken, "scale", "deploy/web", "--replicas", "1")
	w.must(t, editToken, "trigger", "pipeline", "webapp", "--branch", "master")
	w.must(t, editToken, "apply", "-f", manifests(t, strings.Replace(deploymentManifest("web", v1, 60), "cpus: 0.5", "cpus: 0.25", 1)), "--wait")
	if rows := historyRows(t, w, viewToken); !sameRows(rows, "1 "+v1+" Good", "2 "+v2+" Good", "3 "+v3+" Good", "4 "+v1+" Good", "5 "+v1+" Good", "6* "+v1+" Good") {
		t.Errorf("history: %v", rows)
	}
	w.must(t, editToken, "delete", "deploy/web")
}

// pipelineManifest is a Pipeline for `minka trigger` (no pipeline
// controller runs here: its Builds only get stored).
const pipelineManifest = `apiVersion: minka.dev/v1alpha1
kind: Pipeline
metadata: {name: webapp, namespace: ci}
spec:
  job: webapp-build
  source: {git: https://git.example.com/webapp.git}
`
