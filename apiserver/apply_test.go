package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServerSideApplyRequests: what kube-apiserver refuses of an apply
// is refused here too, by the same field, and fieldValidation holds for
// an applied configuration as for any body.
func TestServerSideApplyRequests(t *testing.T) {
	hs, _ := newTestServer(t, Config{})
	cfg := "apiVersion: minka.dev/v1alpha1\nkind: SlavePool\nmetadata: {name: p}\nspec: {labels: [amd64], template: {image: u, flavor: f}}\n"
	unknown := strings.Replace(cfg, "labels:", "flavour: x, labels:", 1)
	cases := []struct {
		name, ctype, query, path, body string
		code                           int
		want, warning                  string
	}{
		{"no field manager", applyPatchType, "", "/p", cfg, 422, "fieldManager: Required value: is required for apply patch", ""},
		{"bad force", applyPatchType, "?fieldManager=a&force=maybe", "/p", cfg, 422, "force: Invalid value", ""},
		{"creates", applyPatchType, "?fieldManager=a", "/p", cfg, 201, `"manager":"a","operation":"Apply"`, ""},
		{"unknown field, strict", applyPatchType, "?fieldManager=a", "/p", unknown, 400, "spec.flavour: unknown field", ""},
		{"unknown field, warn", applyPatchType, "?fieldManager=a&fieldValidation=Warn", "/p", unknown, 200, `"labels":["amd64"]`, `299 - "unknown field \"spec.flavour\""`},
		{"to status", applyPatchType, "?fieldManager=a", "/p/status", cfg, 405, "apply to status", ""},
		{"force on a merge patch", "application/merge-patch+json", "?force=true", "/p", `{}`, 422, "force: Forbidden: may not be specified for non-apply patch", ""},
		{"another kind", applyPatchType, "?fieldManager=a", "/p", "apiVersion: minka.dev/v1alpha1\nkind: Pipeline\nmetadata: {name: p}\nspec: {job: j, source: {git: \"https://g/x.git\"}}\n", 400, "the body is a Pipeline", ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("PATCH", hs.URL+poolPath+c.path+c.query, strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || !strings.Contains(string(b), c.want) || resp.Header.Get("Warning") != c.warning {
			t.Errorf("%s: %d %s (warning %q), want %d with %q", c.name, resp.StatusCode, b, resp.Header.Get("Warning"), c.code, c.want)
		}
		if c.code == 200 {
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			if spec, _ := m["spec"].(map[string]any); spec["flavour"] != nil {
				t.Errorf("%s: the unknown field was kept", c.name)
			}
		}
	}
}
