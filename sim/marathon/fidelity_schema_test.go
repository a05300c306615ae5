package marathon

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// computed are the fields Marathon adds to an app definition when it
// answers; AppDefinition.json describes the definition alone.
var computed = []string{"tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "deployments", "tasks", "lastTaskFailure"}

// TestFidelityAppSchema: every app the simulator returns, less the
// computed fields and the nulls that stand for "unset", validates against
// Marathon 1.4's schema/AppDefinition.json, so it can be PUT back as is.
func TestFidelityAppSchema(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(refDir, "schema/AppDefinition.json"))
	if err != nil {
		t.Fatalf("reference file: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "$schema") // "http://json-schema.org/schema#" names no draft; 1.4 wrote draft 4
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft4)
	if err := comp.AddResource("AppDefinition.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := comp.Compile("AppDefinition.json")
	if err != nil {
		t.Fatal(err)
	}

	c := New(Options{})
	hs := httptest.NewServer(c.Marathon())
	defer hs.Close()
	for _, def := range []string{
		`{"id":"/test/cmd-app","cmd":"python3 -m http.server $PORT0","instances":2,"cpus":0.1,"mem":64,` +
			`"healthChecks":[{"protocol":"HTTP","path":"/health","portIndex":0,"gracePeriodSeconds":300,"intervalSeconds":60,"timeoutSeconds":20,"maxConsecutiveFailures":3}]}`,
		`{"id":"/ci/web","instances":3,"cpus":0.5,"mem":512,"env":{"MODE":"prod"},"labels":{"team":"ci"},` +
			`"constraints":[["hostname","UNIQUE"],["rack","GROUP_BY","2"]],"upgradeStrategy":{"minimumHealthCapacity":0.5,"maximumOverCapacity":0},` +
			`"container":{"type":"DOCKER","docker":{"image":"registry.example.com/webapp:1","network":"BRIDGE",` +
			`"portMappings":[{"containerPort":8080,"hostPort":0,"servicePort":0,"protocol":"tcp"}]}},"uris":["https://example.com/a.tgz"]}`,
	} {
		var body map[string]any
		_ = json.Unmarshal([]byte(def), &body)
		req, _ := http.NewRequest(http.MethodPut, hs.URL+"/v2/apps"+body["id"].(string), strings.NewReader(def))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %s: %v %v", body["id"], err, resp)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(hs.URL + "/v2/apps")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Apps []map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list.Apps) != 2 {
		t.Fatalf("%d apps, want 2", len(list.Apps))
	}
	for _, app := range list.Apps {
		for _, k := range computed {
			delete(app, k)
		}
		if err := schema.Validate(dropNulls(app)); err != nil {
			t.Errorf("%s does not validate against AppDefinition.json: %v", app["id"], err)
		}
	}
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = dropNulls(e)
		}
		return out
	}
	return v
}
