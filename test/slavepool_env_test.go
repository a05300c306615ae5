package test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/client"
	"minka/sim/jenkins"
	simos "minka/sim/openstack"
	"minka/sim/world"
)

// poolEnv is a simulated Jenkins and OpenStack joined into one world in
// this test process (a booted server brings its agent online), and a
// server config naming them as the "default" backends.
type poolEnv struct {
	jenkins    *jenkins.Server
	cloud      *simos.Cloud
	creates    atomic.Int64 // POST /compute/v2.1/servers calls
	mu         sync.Mutex
	createdAt  []time.Time
	jenkinsURL string
	config     string
}

func startPoolWorld(t testing.TB, osOpts simos.Options) *poolEnv {
	t.Helper()
	if osOpts.BootDelay == 0 {
		osOpts.BootDelay = 300 * time.Millisecond
	}
	jk := jenkins.New(jenkins.Options{User: "admin", Token: "token", BuildDuration: 30 * time.Second})
	cloud := simos.New(osOpts)
	w := world.New(cloud, jk)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx, 20*time.Millisecond) }()
	e := &poolEnv{jenkins: jk, cloud: cloud}
	js := httptest.NewServer(jk)
	cs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/servers") {
			e.creates.Add(1)
			e.mu.Lock()
			e.createdAt = append(e.createdAt, time.Now())
			e.mu.Unlock()
		}
		cloud.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		cancel()
		<-done
		jk.Close()
		cloud.Close()
		js.Close()
		cs.Close()
	})
	cloud.SetBaseURL(cs.URL)
	dir := t.TempDir()
	clouds := filepath.Join(dir, "clouds.yaml")
	if err := cloud.WriteCloudsYAML(clouds); err != nil {
		t.Fatal(err)
	}
	token := filepath.Join(dir, "jenkins-token")
	_ = os.WriteFile(token, []byte("token\n"), 0o600)
	e.jenkinsURL, e.config = js.URL, filepath.Join(dir, "server.yaml")
	body := fmt.Sprintf("backends:\n  jenkins:\n  - {name: default, url: %s, user: admin, token: {file: %s}, timeout: 2s}\n"+
		"  openstack:\n  - {name: default, cloud: minka-sim, cloudsFile: %s}\n", js.URL, token, clouds)
	if err := os.WriteFile(e.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

func poolServer(t testing.TB, e *poolEnv, args ...string) (*Server, *client.Client) {
	t.Helper()
	s := StartServer(t, append([]string{"--config", e.config, "--controllers", "slavepool"}, args...)...)
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, cli
}

var slavePoolKind = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("SlavePool"); return k }()

func waitPool(t *testing.T, cli *client.Client, name string, timeout time.Duration, what string, ok func(*v1alpha1.SlavePool) bool) *v1alpha1.SlavePool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var p *v1alpha1.SlavePool
	for time.Now().Before(deadline) {
		obj, err := cli.Get(context.Background(), slavePoolKind, "ci", name)
		if err != nil {
			t.Fatalf("get pool: %v", err)
		}
		if p = obj.(*v1alpha1.SlavePool); ok(p) {
			return p
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("pool ci/%s: not %s within %v; status %+v", name, what, timeout, p.Status)
	return nil
}

// job is a Jenkins job whose builds ask for trusty && amd64.
const trustyJob = `<?xml version='1.1' encoding='UTF-8'?><project><assignedNode>trusty &amp;&amp; amd64</assignedNode>` +
	`<properties><hudson.model.ParametersDefinitionProperty><parameterDefinitions><hudson.model.StringParameterDefinition>` +
	`<name>N</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition></parameterDefinitions>` +
	`</hudson.model.ParametersDefinitionProperty></properties></project>`

func (e *poolEnv) post(t testing.TB, path, contentType, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.jenkinsURL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.SetBasicAuth("admin", "token")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// queueBuilds creates job `name` (if needed) and queues n builds of it.
func (e *poolEnv) queueBuilds(t testing.TB, name string, n int, d time.Duration) {
	t.Helper()
	if resp := e.post(t, "/createItem?name="+name, "application/xml", trustyJob); resp.StatusCode != 200 && resp.StatusCode != 400 {
		t.Fatalf("createItem: %s", resp.Status)
	}
	if err := e.jenkins.SetJobOutcome(name, d, "SUCCESS"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if resp := e.post(t, "/job/"+name+"/buildWithParameters", "application/x-www-form-urlencoded", "N="+strconv.Itoa(i)); resp.StatusCode != 201 {
			t.Fatalf("queueing build %d: %s", i, resp.Status)
		}
	}
}
