package cd

import (
	"strings"
	"testing"
	"time"
)

// TestApplyWait: `minka apply -f DIR --wait` is the pass/fail answer of
// a deploying job. Two Deployments that roll out exit 0 once both are
// Available, with kubectl's progress lines on the way; an image whose
// tasks never get healthy is rolled back by the controller after its
// progress deadline, and apply exits non-zero naming that Deployment
// and the reason, while the other one is still reported rolled out;
// `rollout status` then says the same. A wait that runs out of time
// names what it waited for.
func TestApplyWait(t *testing.T) {
	w := startWorld(t)
	const v1, bad = "registry.example.com/webapp:1", "registry.example.com/webapp:bad"
	dir := manifests(t, deploymentManifest("web", v1, 60), deploymentManifest("api", v1, 60))
	start := time.Now()
	out := w.must(t, editToken, "apply", "-f", dir, "--wait", "--timeout", "60s")
	for _, want := range []string{"deployment.minka.dev/web created", "deployment.minka.dev/api created",
		`deployment "web" successfully rolled out`, `deployment "api" successfully rolled out`, `Waiting for deployment "web"`} {
		if !strings.Contains(out, want) {
			t.Errorf("apply --wait printed no %q:\n%s", want, out)
		}
	}
	if img := w.image(t, "web"); img != v1 {
		t.Errorf("Marathon runs %s, want %s", img, v1)
	}
	t.Logf("apply --wait of two Deployments: exit 0 after %v\n%s", time.Since(start).Round(100*time.Millisecond), out)

	// Unchanged: done at once.
	start = time.Now()
	if out := w.must(t, editToken, "apply", "-f", dir, "--wait"); !strings.Contains(out, "unchanged") || time.Since(start) > 10*time.Second {
		t.Errorf("apply --wait of what is rolled out: %v\n%s", time.Since(start), out)
	}

	w.sim.MarkImageBad(bad)
	dir = manifests(t, deploymentManifest("web", bad, 3), deploymentManifest("api", v1, 60))
	start = time.Now()
	out, errOut, code := w.minka(t, editToken, "apply", "-f", dir, "--wait", "--timeout", "60s")
	took := time.Since(start)
	if code == 0 {
		t.Fatalf("apply --wait of a failing image exited 0:\n%s%s", out, errOut)
	}
	for _, want := range []string{"1 of 2 objects not rolled out", "deployment.minka.dev/web: RolledBack:", "webapp:bad", "made no progress for 3s"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("apply --wait's error lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "deployment.minka.dev/api") {
		t.Errorf("the error names api, which rolled out:\n%s", errOut)
	}
	w.waitImage(t, "web", v1) // apply exits once the failure is recorded; the rollback follows
	t.Logf("apply --wait of a failing image: exit %d after %v\n%s%s", code, took.Round(100*time.Millisecond), out, errOut)

	out, errOut, code = w.minka(t, viewToken, "rollout", "status", "deploy/web")
	if code == 0 || !strings.Contains(errOut, "RolledBack") || !strings.Contains(errOut, `deployment "web" rolled back`) {
		t.Errorf("rollout status of the rolled-back Deployment: exit %d\n%s%s", code, out, errOut)
	}

	// A spec that cannot become ready within --timeout: named with what it waits for.
	w.must(t, editToken, "scale", "deploy/api", "--replicas", "5") // UNIQUE hostname on three agents: 3 fit
	out, errOut, code = w.minka(t, viewToken, "rollout", "status", "deploy/api", "--timeout", "3s")
	if code == 0 || !strings.Contains(errOut, "timed out") {
		t.Errorf("rollout status of a scale that cannot fit, --timeout 3s: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, `Waiting for deployment "api" rollout to finish`) {
		t.Errorf("no progress line while waiting:\n%s", out)
	}
}
