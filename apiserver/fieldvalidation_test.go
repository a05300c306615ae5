package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestFieldValidation: ?fieldValidation as kube-apiserver honours it on
// create, update and patch. Strict (and no value) refuses an unknown or
// duplicate field naming it; Warn writes the object without it and says
// so in a Warning header; Ignore writes it silently; anything else is 422
// naming the parameter, and nothing is written.
func TestFieldValidation(t *testing.T) {
	hs, _ := newTestServer(t, Config{})
	unknown := strings.Replace(pool("p"), `"spec":{`, `"spec":{"replicaz":3,`, 1)
	dup := strings.Replace(pool("p"), `"spec":{`, `"spec":{"executors":2,"executors":3,`, 1)
	cases := []struct {
		name, method, path, ctype, query, body string
		code                                   int
		warning, message                       string
	}{
		{"create strict by default", "POST", poolPath, "application/json", "", unknown, 400, "", `spec.replicaz: unknown field`},
		{"create strict", "POST", poolPath, "application/json", "?fieldValidation=Strict", unknown, 400, "", `spec.replicaz: unknown field`},
		{"duplicate strict", "POST", poolPath, "application/json", "?fieldValidation=Strict", dup, 400, "", `spec.executors: duplicate field`},
		{"bad directive", "POST", poolPath, "application/json", "?fieldValidation=Loud", unknown, 422, "", `fieldValidation: Unsupported value: "Loud"`},
		{"create warn", "POST", poolPath, "application/json", "?fieldValidation=Warn", unknown, 201, `299 - "unknown field \"spec.replicaz\""`, ""},
		{"update ignore", "PUT", poolPath + "/p", "application/json", "?fieldValidation=Ignore", strings.Replace(unknown, `"spec":{`, `"spec":{"executors":4,`, 1), 200, "", ""},
		{"patch warn", "PATCH", poolPath + "/p", "application/merge-patch+json", "?fieldValidation=Warn", `{"spec":{"flavour":"x"}}`, 200, `299 - "unknown field \"spec.flavour\""`, ""},
		{"patch strict", "PATCH", poolPath + "/p", "application/merge-patch+json", "", `{"spec":{"flavour":"x"}}`, 400, "", `spec.flavour: unknown field`},
		{"duplicate warn", "PUT", poolPath + "/p", "application/json", "?fieldValidation=Warn", dup, 200, `299 - "duplicate field \"spec.executors\""`, ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, hs.URL+c.path+c.query, strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if resp.StatusCode != c.code || resp.Header.Get("Warning") != c.warning {
			t.Errorf("%s: %d warning %q, want %d %q: %v", c.name, resp.StatusCode, resp.Header.Get("Warning"), c.code, c.warning, m)
		}
		if msg, _ := m["message"].(string); !strings.Contains(msg, c.message) {
			t.Errorf("%s: message %q lacks %q", c.name, msg, c.message)
		}
		if spec, _ := m["spec"].(map[string]any); spec != nil && (spec["replicaz"] != nil || spec["flavour"] != nil) {
			t.Errorf("%s: the unknown field was kept: %v", c.name, spec)
		}
	}
	// The last write (duplicate, Warn) kept the last value, as JSON
	// decoders and kube-apiserver do.
	resp, err := http.Get(hs.URL + poolPath + "/p")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Spec struct{ Executors int } }
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if got.Spec.Executors != 3 {
		t.Errorf("executors %d, want 3", got.Spec.Executors)
	}
}
