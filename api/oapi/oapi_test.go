package oapi

import (
	"bytes"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"

	"minka/api/v1alpha1"
)

// TestDocsAreGenerated: the checked-in descriptions are what the
// generator makes of api/v1alpha1's comments now.
func TestDocsAreGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "docs.go")
	cmd := exec.Command("go", "run", "./gen", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, b)
	}
	want, _ := os.ReadFile(out)
	got, _ := os.ReadFile("zz_generated.docs.go")
	if !bytes.Equal(got, want) {
		t.Fatal("zz_generated.docs.go is stale: run go generate ./api/oapi")
	}
}

func TestV2(t *testing.T) {
	b, err := V2()
	if err != nil {
		t.Fatal(err)
	}
	var doc spec.Swagger
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("v2 is no Swagger document: %v", err)
	}
	for _, k := range v1alpha1.Kinds() {
		for _, name := range []string{k.Kind, k.ListKind} {
			def, ok := doc.Definitions[defPrefix+name]
			if !ok || def.Extensions[gvkExtension] == nil {
				t.Errorf("definition %s missing or without its group-version-kind", name)
			}
		}
		item := "/apis/minka.dev/v1alpha1/namespaces/{namespace}/" + k.Plural + "/{name}"
		p, ok := doc.Paths.Paths[item]
		if !ok || p.Patch == nil || p.Get == nil || p.Put == nil || p.Delete == nil {
			t.Fatalf("%s: missing or incomplete", item)
		}
		if strings.Contains(strings.Join(p.Patch.Consumes, ","), "strategic") || len(p.Patch.Consumes) != 3 {
			t.Errorf("%s PATCH consumes %v, want json, merge and apply patches only", item, p.Patch.Consumes)
		}
		if !hasParam(p.Patch.Parameters, "fieldValidation") || !hasParam(p.Patch.Parameters, "force") || !hasParam(p.Put.Parameters, "dryRun") {
			t.Errorf("%s: write parameters missing", item)
		}
		_, status := doc.Paths.Paths[item+"/status"]
		_, scale := doc.Paths.Paths[item+"/scale"]
		rollback, hasRollback := doc.Paths.Paths[item+"/rollback"]
		if status != k.Status || scale != k.Scale || hasRollback != k.Rollback {
			t.Errorf("%s: status path %v scale path %v rollback path %v, want %v %v %v", k.Kind, status, scale, hasRollback, k.Status, k.Scale, k.Rollback)
		}
		if hasRollback && (rollback.Post == nil || rollback.Get != nil || !hasParam(rollback.Post.Parameters, "dryRun") ||
			rollback.Post.ID != "createMinkaDevV1alpha1NamespacedDeploymentRollback") {
			t.Errorf("%s/rollback: %+v, want a POST with dryRun only", item, rollback)
		}
	}
	// Descriptions, required fields and enums.
	sp := doc.Definitions[defPrefix+"SlavePoolSpec"]
	if d := sp.Properties["idleTimeout"].Description; !strings.Contains(d, "idle agent") || sp.Properties["idleTimeout"].Format != "duration" {
		t.Errorf("SlavePoolSpec.idleTimeout: %q %q", d, sp.Properties["idleTimeout"].Format)
	}
	if strings.Join(sp.Required, ",") != "labels,template" {
		t.Errorf("SlavePoolSpec required %v, want labels and template", sp.Required)
	}
	rb := doc.Definitions[defPrefix+"DeploymentRollback"]
	if rb.Extensions[gvkExtension] == nil || !strings.Contains(rb.Properties["rollbackTo"].Description, "revision") ||
		!strings.Contains(doc.Definitions[defPrefix+"RollbackConfig"].Properties["revision"].Description, "last Good revision") {
		t.Errorf("DeploymentRollback: %+v", rb)
	}
	if e := doc.Definitions[defPrefix+"Concurrency"].Properties["policy"].Enum; fmt.Sprint(e) != "[Allow Serial Replace]" {
		t.Errorf("Concurrency.policy enum %v", e)
	}
}

func hasParam(ps []spec.Parameter, name string) bool {
	for _, p := range ps {
		if p.Name == name && p.In == "query" {
			return true
		}
	}
	return false
}

// TestV3: the root names the group version's document by its hash, and
// the document has what kubectl looks for: each kind's PATCH with its
// group-version-kind, no strategic merge patch, and fieldValidation.
func TestV3(t *testing.T) {
	root, err := V3Root()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := V3()
	var r struct {
		Paths map[string]struct{ ServerRelativeURL string }
	}
	if err := json.Unmarshal(root, &r); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("/openapi/v3/apis/minka.dev/v1alpha1?hash=%X", sha512.Sum512(b))
	if got := r.Paths[GroupVersionPath].ServerRelativeURL; got != want {
		t.Errorf("root: %q, want %q", got, want)
	}
	var doc spec3.OpenAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("v3 is no OpenAPI document: %v", err)
	}
	patched := map[string]bool{}
	for path, p := range doc.Paths.Paths {
		if p.Patch == nil || strings.HasSuffix(path, "/status") || strings.HasSuffix(path, "/scale") {
			continue
		}
		var gvk map[string]string
		if err := p.Patch.Extensions.GetObject(gvkExtension, &gvk); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		patched[gvk["kind"]] = true
		if _, ok := p.Patch.RequestBody.Content["application/strategic-merge-patch+json"]; ok {
			t.Errorf("%s offers a strategic merge patch", path)
		}
		found := false
		for _, param := range p.Patch.Parameters {
			found = found || param.Name == "fieldValidation" && param.In == "query"
		}
		if !found {
			t.Errorf("%s PATCH has no fieldValidation", path)
		}
	}
	for _, k := range v1alpha1.Kinds() {
		if !patched[k.Kind] {
			t.Errorf("no PATCH of %s", k.Kind)
		}
		if _, ok := doc.Components.Schemas[defPrefix+k.Kind]; !ok {
			t.Errorf("no schema of %s", k.Kind)
		}
	}
	again, _ := V3()
	if !bytes.Equal(b, again) {
		t.Error("v3 differs between calls")
	}
}

// TestTypeConverterTakesEveryExample: server-side apply's field manager
// can type every example by these schemas.
func TestTypeConverterTakesEveryExample(t *testing.T) {
	tc, err := managedfields.NewTypeConverter(Definitions(), false)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../examples/*.yaml")
	valid, _ := filepath.Glob("../v1alpha1/testdata/valid/*.yaml")
	n := 0
	for _, f := range append(files, valid...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := v1alpha1.Decode(data, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range objs {
			v1alpha1.Default(obj)
			js, _ := json.Marshal(obj)
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(js); err != nil {
				t.Fatal(err)
			}
			if _, err := tc.ObjectToTyped(u); err != nil {
				t.Errorf("%s %s: %v", f, obj.GetName(), err)
			}
			n++
		}
	}
	if n < 6 {
		t.Errorf("typed %d objects, want every example", n)
	}
	// An unknown field is refused by name.
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "minka.dev/v1alpha1", "kind": "SlavePool",
		"metadata": map[string]any{"name": "p"}, "spec": map[string]any{"replicaz": int64(1)}}}
	if _, err := tc.ObjectToTyped(u); err == nil || !strings.Contains(err.Error(), ".spec.replicaz") {
		t.Errorf("unknown field: %v", err)
	}
}
