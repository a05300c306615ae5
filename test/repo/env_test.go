package repo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/client"
	"minka/sim/chacra"
)

// chacraEnv is three simulated chacra nodes in this test process and a
// server config naming them as the "default" chacra backend, with the
// shaman endpoints on: the nodes' callbacks go to the server's
// /shaman/api/repos once it is up (attach).
type chacraEnv struct {
	cluster *chacra.Cluster
	config  string
}

const (
	testShamanUser = "jenkins"
	testShamanKey  = "shaman-test-key"
)

func startChacraWorld(t testing.TB, opts chacra.Options) *chacraEnv {
	t.Helper()
	if opts.CallbackRetryDelay == 0 {
		opts.CallbackRetryDelay = 200 * time.Millisecond
	}
	c := chacra.NewCluster(3, opts)
	t.Cleanup(c.Close)
	dir := t.TempDir()
	key := filepath.Join(dir, "chacra-key")
	skey := filepath.Join(dir, "shaman-key")
	_ = os.WriteFile(key, []byte("secret\n"), 0o600)
	_ = os.WriteFile(skey, []byte(testShamanKey+"\n"), 0o600)
	var nodes []string
	for _, n := range c.Nodes {
		nodes = append(nodes, fmt.Sprintf("{name: %s, url: %q}", n.Name(), n.URL()))
	}
	body := fmt.Sprintf("backends:\n  chacra:\n  - {name: default, user: admin, key: {file: %s}, healthInterval: 300ms, timeout: 2s, nodes: [%s]}\n"+
		"shaman: {chacra: default, user: %s, key: {file: %s}}\n", key, strings.Join(nodes, ", "), testShamanUser, skey)
	e := &chacraEnv{cluster: c, config: filepath.Join(dir, "server.yaml")}
	if err := os.WriteFile(e.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// repoServer starts a server on the env's config with the Repo
// controller and points the nodes' callbacks at it.
func repoServer(t testing.TB, e *chacraEnv, args ...string) (*Server, *client.Client) {
	t.Helper()
	s := StartServer(t, append([]string{"--config", e.config, "--controllers", "repo"}, args...)...)
	e.attach(s)
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, cli
}

func (e *chacraEnv) attach(s *Server) {
	for _, n := range e.cluster.Nodes {
		n.SetShaman(s.URL+"/shaman/api/repos", "", testShamanUser, testShamanKey)
	}
}

// upload is a Jenkins job's `chacractl binary create`: a multipart POST
// of one file to the node, with chacra's api user and key.
func upload(t testing.TB, nodeURL, project, ref, sha1, distro, version, arch, file string, force bool) int {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", file)
	_, _ = io.WriteString(fw, "package "+file+" "+sha1)
	if force {
		_ = mw.WriteField("force", "1")
	}
	_ = mw.Close()
	u := fmt.Sprintf("%s/binaries/%s/%s/%s/%s/%s/%s/", strings.TrimSuffix(nodeURL, "/"), project, ref, sha1, distro, version, arch)
	req, _ := http.NewRequest(http.MethodPost, u, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth("admin", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload to %s: %v", u, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// pkgName is a package file name of the distro's kind.
func pkgName(distro, name string) string {
	if distro == "ubuntu" || distro == "debian" {
		return name + "_1.0-1_amd64.deb"
	}
	return name + "-1.0-1.x86_64.rpm"
}

var repoKind = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("Repo"); return k }()

func getRepo(t testing.TB, cli *client.Client, ns, name string) *v1alpha1.Repo {
	t.Helper()
	obj, err := cli.Get(context.Background(), repoKind, ns, name)
	if err != nil {
		t.Fatalf("get repo %s/%s: %v", ns, name, err)
	}
	return obj.(*v1alpha1.Repo)
}

func waitRepo(t testing.TB, cli *client.Client, ns, name string, timeout time.Duration, what string, ok func(*v1alpha1.Repo) bool) *v1alpha1.Repo {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var r *v1alpha1.Repo
	for time.Now().Before(deadline) {
		obj, err := cli.Get(context.Background(), repoKind, ns, name)
		if err == nil {
			if r = obj.(*v1alpha1.Repo); ok(r) {
				return r
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("repo %s/%s not %s within %v; last: %+v", ns, name, what, timeout, r)
	return nil
}

func repoReady(r *v1alpha1.Repo) bool {
	for _, c := range r.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True"
		}
	}
	return false
}

func repoCondition(r *v1alpha1.Repo, typ string) (status, reason, message string) {
	for _, c := range r.Status.Conditions {
		if c.Type == typ {
			return string(c.Status), c.Reason, c.Message
		}
	}
	return "", "", ""
}

// repoManifest is a Repo of project hello at sha1 over distros
// ("ubuntu/jammy").
func repoManifest(name, sha1 string, distros []string, extra string) string {
	var ds []string
	for _, d := range distros {
		p := strings.SplitN(d, "/", 2)
		ds = append(ds, fmt.Sprintf("    - {distro: %s, version: %q}", p[0], p[1]))
	}
	return fmt.Sprintf("apiVersion: minka.dev/v1alpha1\nkind: Repo\nmetadata: {name: %s, namespace: ci}\nspec:\n  project: hello\n  ref: main\n  sha1: %q\n  distros:\n%s\n%s",
		name, sha1, strings.Join(ds, "\n"), extra)
}
