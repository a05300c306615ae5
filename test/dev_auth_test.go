package test

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minka/test/e2e"
)

// TestDevAuth runs `minka dev --auth` and checks over HTTP what its two
// tokens may do: without one the API answers 401, the view token reads
// but does not write, and the examples were applied with the admin token.
func TestDevAuth(t *testing.T) {
	d := e2e.StartDev(t, minkaBin, "../examples", "--auth")
	server, admin, view := d.Env["MINKA_SERVER"], d.Env["MINKA_TOKEN"], d.Env["MINKA_VIEW_TOKEN"]
	if server == "" || len(admin) != 64 || len(view) != 64 || admin == view {
		t.Fatalf("MINKA_SERVER %q, MINKA_TOKEN %q, MINKA_VIEW_TOKEN %q: want a server and two different 64-digit tokens", server, admin, view)
	}
	// The output is a script to source: exports and comments only.
	for _, l := range d.Lines {
		if !strings.HasPrefix(l, "export ") && !strings.HasPrefix(l, "# ") {
			t.Errorf("minka dev printed a line a shell would run: %q", l)
		}
	}
	ui := "# minka dev: web UI at " + server + "/ui/ (log in with $MINKA_TOKEN, or $MINKA_VIEW_TOKEN to only look)"
	if n := len(d.Lines); n < 2 || d.Lines[n-2] != ui {
		t.Errorf("the line before ready is not %q:\n%s", ui, strings.Join(d.Lines, "\n"))
	}

	deploys := server + "/apis/minka.dev/v1alpha1/deployments"
	web := server + "/apis/minka.dev/v1alpha1/namespaces/ci/deployments/web"
	if code, body := devCall(t, "GET", deploys, "", ""); code != http.StatusUnauthorized {
		t.Errorf("a list without a token: %d %s, want 401", code, body)
	}
	code, body := devCall(t, "GET", deploys, view, "")
	var list struct {
		Items []struct {
			Metadata struct{ Namespace, Name string } `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &list); code != http.StatusOK || err != nil {
		t.Fatalf("a list with the view token: %d %v %s", code, err, body)
	}
	var names []string
	for _, it := range list.Items {
		names = append(names, it.Metadata.Namespace+"/"+it.Metadata.Name)
	}
	if !slices.Contains(names, "ci/web") || !slices.Contains(names, "ci/web-staging") {
		t.Errorf("the view token lists %q, want the example deployments ci/web and ci/web-staging", names)
	}
	for _, w := range []struct{ what, method, url, body string }{
		{"scaling web", "PATCH", web + "/scale", `{"spec":{"replicas":2}}`},
		{"creating a deployment", "POST", server + "/apis/minka.dev/v1alpha1/namespaces/ci/deployments",
			`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"viewer","namespace":"ci"},"spec":{"image":"x","cpus":0.1,"mem":64}}`},
	} {
		if code, body := devCall(t, w.method, w.url, view, w.body); code != http.StatusForbidden {
			t.Errorf("%s with the view token: %d %s, want 403", w.what, code, body)
		}
	}

	// The examples were applied, so with the sandbox's own admin token.
	for _, o := range []string{"deployments/web", "deployments/web-staging", "slavepools/trusty-amd64", "repos/ceph-master-45e3f3c"} {
		if code, body := devCall(t, "GET", server+"/apis/minka.dev/v1alpha1/namespaces/ci/"+o, admin, ""); code != http.StatusOK {
			t.Errorf("GET ci/%s with the admin token: %d %s", o, code, body)
		}
	}
	env := []string{"MINKA_CONFIG=" + filepath.Join(t.TempDir(), "none.yaml"), "MINKA_SERVER=" + server, "MINKA_TOKEN=" + admin}
	if out, errOut, code := e2e.Run(t, minkaBin, env, "", "get", "deploy", "-A"); code != 0 || !strings.Contains(out, "web-staging") {
		t.Errorf("minka get deploy -A with the exported MINKA_SERVER and MINKA_TOKEN: %d %q %s", code, out, errOut)
	}
	d.Stop(t)
}

// devCall sends one request with token as its bearer token (none if
// empty) and returns the status code and body.
func devCall(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	switch method {
	case "PATCH":
		req.Header.Set("Content-Type", "application/merge-patch+json")
	case "POST", "PUT":
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
