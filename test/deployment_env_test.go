package test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	"minka/client"
	simmarathon "minka/sim/marathon"
)

// marathonEnv is a simulated Marathon and Mesos in this test process, and
// a server config naming them as the "default" backend.
type marathonEnv struct {
	cluster     *simmarathon.Cluster
	marathonURL string
	api         marathon.Marathon
	config      string
}

func startMarathon(t *testing.T, opts simmarathon.Options) *marathonEnv {
	t.Helper()
	c := simmarathon.New(opts)
	m := httptest.NewServer(c.Marathon())
	ms := httptest.NewServer(c.Mesos())
	t.Cleanup(func() { c.Close(); m.Close(); ms.Close() })
	cfg := marathon.NewDefaultConfig()
	cfg.URL = m.URL
	api, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &marathonEnv{cluster: c, marathonURL: m.URL, api: api, config: filepath.Join(t.TempDir(), "server.yaml")}
	e.writeConfig(t, []string{m.URL}, ms.URL)
	return e
}

// writeConfig names the Marathon URLs (failover order) and Mesos; the
// simulator proxies the verify GETs for its tasks.
func (e *marathonEnv) writeConfig(t *testing.T, urls []string, mesos string) {
	t.Helper()
	body := fmt.Sprintf("backends:\n  marathon:\n  - name: default\n    urls: [%s]\n    mesosURL: %s\n    verifyProxy: %s\n    timeout: 2s\n",
		strings.Join(urls, ", "), mesos, e.marathonURL)
	if err := os.WriteFile(e.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// deploymentServer runs `minka server` with the deployment controller
// against env.
func deploymentServer(t *testing.T, env *marathonEnv, args ...string) (*Server, *client.Client) {
	t.Helper()
	s := StartServer(t, append([]string{"--config", env.config, "--controllers", "deployment", "--log-format", "json"}, args...)...)
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, cli
}

var deploymentKind = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("Deployment"); return k }()

func getDeployment(t *testing.T, cli *client.Client) *v1alpha1.Deployment {
	t.Helper()
	obj, err := cli.Get(context.Background(), deploymentKind, "ci", "web")
	if err != nil {
		t.Fatalf("get deployment: %v", err)
	}
	return obj.(*v1alpha1.Deployment)
}

// waitDeployment polls ci/web until ok says so, and fails with the last
// status after timeout.
func waitDeployment(t *testing.T, cli *client.Client, timeout time.Duration, what string, ok func(*v1alpha1.Deployment) bool) *v1alpha1.Deployment {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var d *v1alpha1.Deployment
	for time.Now().Before(deadline) {
		if d = getDeployment(t, cli); ok(d) {
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("deployment ci/web: not %s within %v; status %+v", what, timeout, d.Status)
	return nil
}

func isTrue(d *v1alpha1.Deployment, typ, reason string) bool {
	c := meta.FindStatusCondition(d.Status.Conditions, typ)
	return c != nil && c.Status == "True" && (reason == "" || c.Reason == reason) && c.ObservedGeneration == d.Generation
}

func available(d *v1alpha1.Deployment) bool {
	return isTrue(d, "Available", "AllReplicasReady") && d.Status.ObservedGeneration == d.Generation
}

// liveImage is the image Marathon runs for /ci/web.
func liveImage(t *testing.T, env *marathonEnv) string {
	t.Helper()
	app, err := env.api.Application("/ci/web")
	if err != nil {
		t.Fatalf("GET /ci/web from Marathon: %v", err)
	}
	return app.Container.Docker.Image
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
