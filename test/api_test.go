package test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	viewToken  = "view-token-0123456789"
	editToken  = "edit-token-0123456789"
	adminToken = "admin-token-0123456789"
)

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// authServer starts a server with a token of each role and a small body limit.
func authServer(t *testing.T) *Server {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "server.yaml")
	body := fmt.Sprintf("auth:\n  tokens:\n  - {name: viewer, role: view, sha256: %s}\n  - {name: ci-bot, role: edit, sha256: %s}\n  - {name: ops, role: admin, sha256: %s}\n",
		sha(viewToken), sha(editToken), sha(adminToken))
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return StartServer(t, "--config", cfg, "--max-body-bytes", "65536", "--controllers", "none")
}

type reply struct {
	code int
	body map[string]any
	raw  string
}

func call(t *testing.T, s *Server, method, path, token, body string) reply {
	t.Helper()
	r, _ := callWithHeader(t, s, method, path, token, body)
	return r
}

// callWithHeader is call with the answer's header.
func callWithHeader(t *testing.T, s *Server, method, path, token, body string) (reply, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{code: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r, resp.Header
}

func (r reply) str(path ...string) string {
	var v any = r.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

const deploys = "/apis/minka.dev/v1alpha1/namespaces/ci/deployments"

func webJSON(name, image string, replicas int) string {
	return fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":%q,"namespace":"ci","labels":{"app":%q}},`+
		`"spec":{"image":%q,"replicas":%d,"cpus":0.5,"mem":512,"ports":[{"name":"http","containerPort":8080,"servicePort":10000}]}}`, name, name, image, replicas)
}

func TestAPIStatusCodes(t *testing.T) {
	s := authServer(t)
	cases := []struct {
		reason, method, path, token, body string
		code                              int
		statusReason                      string
	}{
		{"no token", "GET", deploys, "", "", 401, "Unauthorized"},
		{"unknown token", "GET", deploys, "nope", "", 401, "Unauthorized"},
		{"view may list", "GET", deploys, viewToken, "", 200, ""},
		{"view may not create", "POST", deploys, viewToken, webJSON("web", "nginx:1", 3), 403, "Forbidden"},
		{"edit creates", "POST", deploys, editToken, webJSON("web", "nginx:1", 3), 201, ""},
		{"a second create", "POST", deploys, editToken, webJSON("web", "nginx:1", 3), 409, "AlreadyExists"},
		{"get", "GET", deploys + "/web", viewToken, "", 200, ""},
		{"missing", "GET", deploys + "/nope", viewToken, "", 404, "NotFound"},
		{"unknown resource", "GET", "/apis/minka.dev/v1alpha1/namespaces/ci/pods", viewToken, "", 404, "NotFound"},
		{"invalid object", "POST", deploys, editToken, webJSON("bad", "nginx:1", -1), 422, "Invalid"},
		{"unknown field", "POST", deploys, editToken, strings.Replace(webJSON("x", "nginx:1", 1), `"cpus"`, `"cpuz"`, 1), 400, "BadRequest"},
		{"body kind differs from URL", "POST", "/apis/minka.dev/v1alpha1/namespaces/ci/repos", editToken, webJSON("x", "nginx:1", 1), 400, "BadRequest"},
		{"body over the limit", "POST", deploys, editToken, webJSON(strings.Repeat("a", 70000), "nginx:1", 1), 413, "RequestEntityTooLarge"},
		{"edit may not write status", "PUT", deploys + "/web/status", editToken, webJSON("web", "nginx:1", 3), 403, "Forbidden"},
		{"edit may scale", "GET", deploys + "/web/scale", editToken, "", 200, ""},
		{"repos have no scale", "GET", "/apis/minka.dev/v1alpha1/namespaces/ci/repos/x/scale", viewToken, "", 404, "NotFound"},
		{"collection delete is not a verb here", "DELETE", deploys, adminToken, "", 405, "MethodNotAllowed"},
		{"healthz needs no token", "GET", "/healthz", "", "", 200, ""},
		{"readyz needs no token", "GET", "/readyz", "", "", 200, ""},
	}
	for _, c := range cases {
		r := call(t, s, c.method, c.path, c.token, c.body)
		if r.code != c.code {
			t.Errorf("%s: %s %s = %d, want %d\n%s", c.reason, c.method, c.path, r.code, c.code, r.raw)
			continue
		}
		if c.statusReason != "" && (r.str("kind") != "Status" || r.str("reason") != c.statusReason) {
			t.Errorf("%s: want a Status with reason %s, got %s", c.reason, c.statusReason, r.raw)
		}
	}
	inv := call(t, s, "POST", deploys, editToken, webJSON("bad", "nginx:1", -1))
	if !strings.Contains(inv.raw, `"field":"spec.replicas"`) {
		t.Errorf("422 without the field cause: %s", inv.raw)
	}
	if r := call(t, s, "GET", deploys, "", ""); !strings.Contains(fmt.Sprint(r.code), "401") {
		t.Errorf("401 expected")
	}
}

func TestConcurrentUpdatesFromOneVersion(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	created := call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 3))
	rv := created.str("metadata", "resourceVersion")
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := strings.Replace(webJSON("web", fmt.Sprintf("nginx:%d", i+2), 3), `"namespace":"ci"`, `"namespace":"ci","resourceVersion":"`+rv+`"`, 1)
			codes[i] = call(t, s, "PUT", deploys+"/web", "", body).code
		}()
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Fatalf("two updates from resourceVersion %s: codes %v, want one 200 and one 409", rv, codes)
	}
	t.Logf("two updates from resourceVersion %s: %v", rv, codes)
}

func TestStatusScaleAndGeneration(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 3))
	status := `{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"web","namespace":"ci"},` +
		`"spec":{"image":"sneaky:9","cpus":1,"mem":1},"status":{"readyReplicas":3,"observedGeneration":1}}`
	r := call(t, s, "PUT", deploys+"/web/status", "", status)
	if r.code != 200 || r.str("spec", "image") != "nginx:1" || r.str("metadata", "generation") != "1" || r.str("status", "readyReplicas") != "3" {
		t.Fatalf("status write: %d image=%s gen=%s ready=%s", r.code, r.str("spec", "image"), r.str("metadata", "generation"), r.str("status", "readyReplicas"))
	}
	r = call(t, s, "PUT", deploys+"/web", "", webJSON("web", "nginx:2", 3))
	if r.str("metadata", "generation") != "2" || r.str("status", "readyReplicas") != "3" {
		t.Errorf("spec update: generation %s (want 2), status.readyReplicas %s (want 3, kept)", r.str("metadata", "generation"), r.str("status", "readyReplicas"))
	}
	sc := call(t, s, "GET", deploys+"/web/scale", "", "")
	if sc.str("apiVersion") != "autoscaling/v1" || sc.str("kind") != "Scale" || sc.str("spec", "replicas") != "3" || sc.str("status", "replicas") != "<nil>" && sc.str("status", "replicas") != "0" {
		t.Errorf("scale GET: %s", sc.raw)
	}
	put := call(t, s, "PUT", deploys+"/web/scale", "", `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web"},"spec":{"replicas":10}}`)
	if put.code != 200 || put.str("spec", "replicas") != "10" {
		t.Fatalf("scale PUT: %d %s", put.code, put.raw)
	}
	got := call(t, s, "GET", deploys+"/web", "", "")
	if got.str("spec", "replicas") != "10" || got.str("metadata", "generation") != "3" {
		t.Errorf("after scale: replicas %s generation %s, want 10 and 3", got.str("spec", "replicas"), got.str("metadata", "generation"))
	}
	patch := call(t, s, "PATCH", deploys+"/web/scale", "", `{"spec":{"replicas":4}}`)
	if patch.code != 415 && patch.str("spec", "replicas") != "4" {
		t.Errorf("scale PATCH: %d %s", patch.code, patch.raw)
	}
}

func TestListSelectorsAndNamespaces(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 1))
	call(t, s, "POST", deploys, "", webJSON("api", "nginx:1", 1))
	call(t, s, "POST", "/apis/minka.dev/v1alpha1/namespaces/prod/deployments", "", strings.Replace(webJSON("web", "nginx:1", 1), `"ci"`, `"prod"`, 1))
	cases := []struct {
		reason, path string
		want         int
	}{
		{"one namespace", deploys, 2},
		{"all namespaces", "/apis/minka.dev/v1alpha1/deployments", 3},
		{"label selector across namespaces", "/apis/minka.dev/v1alpha1/deployments?labelSelector=app%3Dweb", 2},
		{"field selector", deploys + "?fieldSelector=metadata.name%3Dapi", 1},
	}
	for _, c := range cases {
		r := call(t, s, "GET", c.path, "", "")
		items, _ := r.body["items"].([]any)
		if r.code != 200 || len(items) != c.want || r.str("kind") != "DeploymentList" || r.str("metadata", "resourceVersion") == "" {
			t.Errorf("%s: %d, %d items (want %d), kind %s\n%s", c.reason, r.code, len(items), c.want, r.str("kind"), r.raw)
		}
	}
	if r := call(t, s, "GET", deploys+"?labelSelector=a%3D%3D%3Db", "", ""); r.code != 400 {
		t.Errorf("bad labelSelector: %d, want 400", r.code)
	}
}

func TestWatchStreamsInOrder(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	created := call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 1))
	rv := created.str("metadata", "resourceVersion")
	resp, err := http.Get(s.URL + deploys + "?watch=true&resourceVersion=" + rv)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	call(t, s, "PUT", deploys+"/web", "", webJSON("web", "nginx:2", 1))
	call(t, s, "POST", deploys, "", webJSON("api", "nginx:1", 1))
	call(t, s, "DELETE", deploys+"/web", "", "")
	want := []string{"MODIFIED web", "ADDED api", "DELETED web"}
	last := int64(0)
	for _, w := range want {
		select {
		case l := <-lines:
			var ev struct {
				Type   string
				Object struct {
					Kind     string
					Metadata struct{ Name, ResourceVersion string }
				}
			}
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("watch line %q: %v", l, err)
			}
			if got := ev.Type + " " + ev.Object.Metadata.Name; got != w || ev.Object.Kind != "Deployment" {
				t.Errorf("watch event %q (kind %s), want %q", got, ev.Object.Kind, w)
			}
			var n int64
			fmt.Sscan(ev.Object.Metadata.ResourceVersion, &n)
			if n <= last {
				t.Errorf("resourceVersion went from %d to %d", last, n)
			}
			last = n
		case <-time.After(10 * time.Second):
			t.Fatalf("no watch event %q within 10s", w)
		}
	}
}

func TestServerLifecycle(t *testing.T) {
	s := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	if err := s.Stop(t); err != nil {
		t.Errorf("SIGTERM: exit %v, want 0\n%s", err, s.Logs())
	}
	out, err := exec.Command(minkaBin, "server", "--listen", "0.0.0.0:0", "--data-dir", t.TempDir()).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "refusing to listen on 0.0.0.0:0 without authentication") {
		t.Errorf("non-loopback without auth: err %v, output:\n%s", err, out)
	}
}
