package pipeline

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/client"
	"minka/sim/chacra"
	simgit "minka/sim/git"
	"minka/sim/jenkins"
)

// buildEnv is the world a Build goes through, in this test process: a
// git server with the seeded webapp repository, Jenkins (with built-in
// executors unless an agent pool is wanted), one chacra node, and a
// server config naming them, with the webhook secret hook-a.
type buildEnv struct {
	jenkins *jenkins.Server
	jkURL   string
	git     *simgit.Repo
	gitURL  string
	chacra  *chacra.Cluster
	config  string
	dir     string
}

// The shaman endpoints' credentials in the env's config.
const (
	shamanUser = "jenkins"
	shamanKey  = "shaman-test-key"
)

// buildJob is the Jenkins job of the tests' Pipelines: every parameter
// minka sends, and SIM_RESULT to choose a build's result.
func buildJob(label string) string {
	var defs strings.Builder
	for _, p := range []string{"BRANCH", "SHA1", "TAG", "IMAGE", "BUILD_NUMBER", "MINKA_BUILD", "CHACRA_URL", "GIT_TAG", "SIM_RESULT", "SIM_DURATION", "DEPLOY_TOKEN"} {
		fmt.Fprintf(&defs, "<hudson.model.StringParameterDefinition><name>%s</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition>", p)
	}
	node := ""
	if label != "" {
		node = "<assignedNode>" + strings.ReplaceAll(label, "&", "&amp;") + "</assignedNode>"
	}
	return `<?xml version='1.1' encoding='UTF-8'?><project>` + node + `<properties><hudson.model.ParametersDefinitionProperty><parameterDefinitions>` +
		defs.String() + `</parameterDefinitions></hudson.model.ParametersDefinitionProperty></properties></project>`
}

func startBuildWorld(t testing.TB, jopts jenkins.Options, extraConfig string) *buildEnv {
	t.Helper()
	dir := t.TempDir()
	if jopts.User == "" {
		jopts.User, jopts.Token = "admin", "token"
	}
	jk := jenkins.New(jopts)
	js := httptest.NewServer(jk)
	gs := simgit.New(filepath.Join(dir, "git"), simgit.Options{})
	repo, err := gs.Create("webapp")
	if err != nil {
		t.Fatal(err)
	}
	if err := simgit.Seed(repo); err != nil {
		t.Fatal(err)
	}
	ghs := httptest.NewServer(gs)
	cl := chacra.NewCluster(1, chacra.Options{CallbackRetryDelay: 200 * time.Millisecond})
	t.Cleanup(func() { jk.Close(); js.Close(); ghs.Close(); cl.Close() })
	e := &buildEnv{jenkins: jk, jkURL: js.URL, git: repo, gitURL: ghs.URL + "/webapp.git", chacra: cl, dir: dir,
		config: filepath.Join(dir, "server.yaml")}
	files := map[string]string{"jenkins-token": jopts.Token, "hook-a": "secret-a", "chacra-key": "secret", "shaman-key": shamanKey}
	for name, v := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	body := fmt.Sprintf(`backends:
  jenkins:
  - {name: default, url: %s, user: %s, token: {file: %s}, timeout: 2s}
  chacra:
  - {name: default, user: admin, key: {file: %s}, healthInterval: 300ms, timeout: 2s, nodes: [{name: %s, url: %q}]}
%sshaman: {chacra: default, user: %s, key: {file: %s}}
secrets:
- {name: hook-a, file: %s}
`, js.URL, jopts.User, filepath.Join(dir, "jenkins-token"), filepath.Join(dir, "chacra-key"), cl.Nodes[0].Name(), cl.Nodes[0].URL(),
		extraConfig, shamanUser, filepath.Join(dir, "shaman-key"), filepath.Join(dir, "hook-a"))
	if err := os.WriteFile(e.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	e.createJob(t, "webapp-build", "")
	return e
}

func (e *buildEnv) createJob(t testing.TB, name, label string) {
	t.Helper()
	e.createRawJob(t, name, buildJob(label))
}

func (e *buildEnv) createRawJob(t testing.TB, name, config string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.jkURL+"/createItem?name="+name, strings.NewReader(config))
	req.Header.Set("Content-Type", "application/xml")
	req.SetBasicAuth("admin", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("createItem %s: %s", name, resp.Status)
	}
}

// buildServer starts a server on the env's config and points the chacra
// node's callbacks at it.
func buildServer(t testing.TB, e *buildEnv, args ...string) (*Server, *client.Client) {
	t.Helper()
	if !hasFlag(args, "--controllers") {
		args = append(args, "--controllers", "pipeline,repo,deployment,slavepool")
	}
	s := StartServer(t, append([]string{"--config", e.config}, args...)...)
	for _, n := range e.chacra.Nodes {
		n.SetShaman(s.URL+"/shaman/api/repos", "", shamanUser, shamanKey)
	}
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, cli
}

// pipelineManifest is a webhook-triggered Pipeline of the env's webapp
// repository; extra is more spec, indented by two.
func (e *buildEnv) pipelineManifest(name, extra string) string {
	return fmt.Sprintf(`apiVersion: minka.dev/v1alpha1
kind: Pipeline
metadata: {name: %s, namespace: ci}
spec:
  job: webapp-build
  source: {git: %q, branches: [master, "release/*"], tags: ["v*"]}
  trigger: {webhook: {secretRef: hook-a}}
%s`, name, e.gitURL, extra)
}

// postHook posts a delivery with headers h to pipeline's webhook and
// returns the status and body. It is called from goroutines: a failure
// to send is an error of the test, not a Fatal.
func postHook(t testing.TB, s *Server, pipeline string, body []byte, h map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/webhooks/git/ci/"+pipeline, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("posting to the webhook of %s: %v", pipeline, err)
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

// pushGitHub sends a GitHub-style push of branch at sha1 to pipeline's
// webhook, signed with hook-a's secret.
func pushGitHub(t testing.TB, s *Server, pipeline, delivery, branch, sha1 string) (int, string) {
	t.Helper()
	body := githubPush("refs/heads/"+branch, sha1, "change "+delivery, false)
	mac := hmac.New(sha256.New, []byte("secret-a"))
	mac.Write(body)
	return postHook(t, s, pipeline, body, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": delivery,
		"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))})
}

// get reads ci/name of kind k.
func get[T v1alpha1.Object](t testing.TB, cli *client.Client, k v1alpha1.Kind, name string) T {
	t.Helper()
	obj, err := cli.Get(context.Background(), k, "ci", name)
	if err != nil {
		t.Fatalf("get %s %s: %v", k.Singular, name, err)
	}
	return obj.(T)
}

func getBuild(t testing.TB, cli *client.Client, name string) *v1alpha1.Build {
	t.Helper()
	return get[*v1alpha1.Build](t, cli, buildKind, name)
}

func waitBuild(t testing.TB, cli *client.Client, name string, timeout time.Duration, what string, ok func(*v1alpha1.Build) bool) *v1alpha1.Build {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var b *v1alpha1.Build
	for time.Now().Before(deadline) {
		if b = getBuild(t, cli, name); ok(b) {
			return b
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("build ci/%s: not %s within %v; status %+v", name, what, timeout, b.Status)
	return nil
}

func listBuilds(t testing.TB, cli *client.Client, pipeline string) []*v1alpha1.Build {
	t.Helper()
	list, err := cli.List(context.Background(), buildKind, "ci", client.ListOptions{LabelSelector: v1alpha1.LabelPipeline + "=" + pipeline})
	if err != nil {
		t.Fatal(err)
	}
	var out []*v1alpha1.Build
	for _, o := range list.GetItems() {
		out = append(out, o.(*v1alpha1.Build))
	}
	return out
}

func finished(b *v1alpha1.Build) bool { return v1alpha1.Finished(b.Status.Phase) }

// requestsPer counts the Jenkins build requests of job per MINKA_BUILD.
func (e *buildEnv) requestsPer(job string) map[string]int {
	out := map[string]int{}
	for _, r := range e.jenkins.BuildRequests(job) {
		out[r.Params["MINKA_BUILD"]]++
	}
	return out
}
