// Package cd holds the end-to-end tests of the CD verbs a Jenkins job
// runs: `minka apply --wait`, `minka rollout status|history|undo|restart`,
// `minka set image`, and the deploy role that may run them. Each test
// starts the real binary with the Deployment controller against the
// Marathon simulator served over HTTP from this process. It is a package
// of its own so that it runs beside test/.
package cd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"

	simmarathon "minka/sim/marathon"
	"minka/test/e2e"
)

// minkaBin is the binary under test, built once by TestMain.
var minkaBin string

func TestMain(m *testing.M) { e2e.Main(m, &minkaBin) }

// The tokens of the server's config, one per role.
const (
	viewToken   = "cd-view-token-0123456789"
	deployToken = "cd-deploy-token-0123456789"
	editToken   = "cd-edit-token-0123456789"
)

// world is a simulated Marathon and Mesos in this process and a `minka
// server` whose Deployment controller drives them.
type world struct {
	sim    *simmarathon.Cluster
	api    marathon.Marathon
	server *e2e.Server
	// puts counts the PUTs of /v2/apps/ci/... that reached the simulator.
	puts func() int
}

// startWorld serves the simulators (tasks start and get healthy within
// 200 ms, so a rollout takes about a second) and starts the server with
// a token of each role.
func startWorld(t *testing.T) *world {
	t.Helper()
	c := simmarathon.New(simmarathon.Options{StageDelay: 200 * time.Millisecond, HealthDelay: 200 * time.Millisecond})
	m := httptest.NewServer(c.Marathon())
	ms := httptest.NewServer(c.Mesos())
	t.Cleanup(func() { c.Close(); m.Close(); ms.Close() })
	cfg := marathon.NewDefaultConfig()
	cfg.URL = m.URL
	api, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sha := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	config := filepath.Join(t.TempDir(), "server.yaml")
	body := fmt.Sprintf(`auth:
  tokens:
  - {name: dashboard, role: view, sha256: %s}
  - {name: jenkins-deploy, role: deploy, sha256: %s}
  - {name: ci-bot, role: edit, sha256: %s}
backends:
  marathon:
  - {name: default, urls: [%s], mesosURL: %s, verifyProxy: %s, timeout: 2s}
`, sha(viewToken), sha(deployToken), sha(editToken), m.URL, ms.URL, m.URL)
	if err := os.WriteFile(config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s := e2e.StartServer(t, minkaBin, "--config", config, "--controllers", "deployment", "--log-format", "json")
	return &world{sim: c, api: api, server: s, puts: c.Puts}
}

// minka runs the CLI against the world's server with token.
func (w *world) minka(t *testing.T, token string, args ...string) (string, string, int) {
	t.Helper()
	return e2e.Minka(t, minkaBin, w.server, "", append([]string{"--token", token, "-n", "ci"}, args...)...)
}

// must runs the CLI and fails the test unless it exits 0.
func (w *world) must(t *testing.T, token string, args ...string) string {
	t.Helper()
	out, errOut, code := w.minka(t, token, args...)
	if code != 0 {
		t.Fatalf("minka %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// image is what Marathon runs for /ci/NAME.
func (w *world) image(t *testing.T, name string) string {
	t.Helper()
	app, err := w.api.Application("/ci/" + name)
	if err != nil {
		t.Fatalf("GET /ci/%s from Marathon: %v", name, err)
	}
	return app.Container.Docker.Image
}

// waitImage waits until Marathon runs image for /ci/NAME.
func (w *world) waitImage(t *testing.T, name, image string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for w.image(t, name) != image {
		if time.Now().After(deadline) {
			t.Fatalf("Marathon runs %s for /ci/%s after 20s, want %s", w.image(t, name), name, image)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// versions is how many app versions Marathon keeps for /ci/NAME.
func (w *world) versions(t *testing.T, name string) int {
	t.Helper()
	vs, err := w.api.ApplicationVersions("/ci/" + name)
	if err != nil {
		t.Fatalf("GET /ci/%s versions: %v", name, err)
	}
	return len(vs.Versions)
}

// manifests writes docs into a fresh directory, one file each, for
// `apply -f DIR`.
func manifests(t *testing.T, docs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i, d := range docs {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d.yaml", i)), []byte(d), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// deploymentManifest is ci/NAME: two replicas with a health check and a
// verify GET, progressDeadlineSeconds deadline.
func deploymentManifest(name, image string, deadline int) string {
	return strings.Replace(e2e.WebManifest(image, 2, deadline), "name: web,", "name: "+name+",", 1)
}
