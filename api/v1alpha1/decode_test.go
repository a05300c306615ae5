package v1alpha1

import (
	"strings"
	"testing"
)

func TestDecodeDocumentShapes(t *testing.T) {
	deploy := `{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"a"},"spec":{"image":"nginx","cpus":1,"mem":1}}`
	cases := []struct {
		reason string
		in     string
		names  []string
	}{
		{"multi-document YAML with empty documents and comments",
			"---\n# nothing here\n---\napiVersion: minka.dev/v1alpha1\nkind: Repo\nmetadata: {name: r1}\n---\n\n---\napiVersion: minka.dev/v1alpha1\nkind: Build\nmetadata: {name: b1}\n",
			[]string{"r1", "b1"}},
		{"one JSON object", deploy, []string{"a"}},
		{"a JSON array", "[" + deploy + "," + strings.Replace(deploy, `"a"`, `"b"`, 1) + "]", []string{"a", "b"}},
		{"concatenated JSON objects", deploy + "\n" + strings.Replace(deploy, `"a"`, `"c"`, 1), []string{"a", "c"}},
		{"a List expands to its items", `{"apiVersion":"minka.dev/v1alpha1","kind":"DeploymentList","items":[` + deploy + `]}`, []string{"a"}},
		{"a YAML List", "apiVersion: v1\nkind: List\nitems:\n- " + deploy + "\n", []string{"a"}},
	}
	for _, c := range cases {
		objs, err := Decode([]byte(c.in), "f")
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		var got []string
		for _, o := range objs {
			got = append(got, o.GetName())
		}
		if strings.Join(got, ",") != strings.Join(c.names, ",") {
			t.Errorf("%s: names %v, want %v", c.reason, got, c.names)
		}
	}
}

func TestDecodeErrorsNameDocumentAndField(t *testing.T) {
	cases := []struct {
		reason string
		in     string
		want   []string
	}{
		{"unknown field in the second document",
			"apiVersion: minka.dev/v1alpha1\nkind: Repo\nmetadata: {name: ok}\n---\napiVersion: minka.dev/v1alpha1\nkind: SlavePool\nmetadata: {name: builders, namespace: ci}\nspec: {replicaz: 1}\n",
			[]string{"f.yaml: document 2 (SlavePool ci/builders)", "spec.replicaz: unknown field"}},
		{"duplicate JSON key", `{"apiVersion":"minka.dev/v1alpha1","kind":"Repo","metadata":{"name":"r"},"spec":{"ref":"a","ref":"b"}}`,
			[]string{"document 1", "spec.ref: duplicate field"}},
		{"wrong type", "apiVersion: minka.dev/v1alpha1\nkind: Deployment\nmetadata: {name: w}\nspec: {replicas: three}\n",
			[]string{"spec.replicas: Invalid type: got string, want int32"}},
		{"unknown kind", "apiVersion: minka.dev/v1alpha1\nkind: Pod\nmetadata: {name: p}\n", []string{`kind "Pod" is not a minka.dev/v1alpha1 kind`}},
		{"not an object", "- a\n- b\n", []string{"document 1"}},
		{"bad duration", "apiVersion: minka.dev/v1alpha1\nkind: SlavePool\nmetadata: {name: p}\nspec: {bootTimeout: 5 minutes}\n",
			[]string{`spec.bootTimeout: Invalid value: "5 minutes": not a duration`}},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.in), "f.yaml")
		if err == nil {
			t.Errorf("%s: no error", c.reason)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.reason, err, w)
			}
		}
	}
	if _, err := DecodeObject([]byte("")); err == nil {
		t.Errorf("DecodeObject of an empty body: no error")
	}
}

// TestDecodeObjectLax: unknown and duplicate fields come back as kube's
// warnings instead of failing, in JSON and YAML; type errors still fail.
func TestDecodeObjectLax(t *testing.T) {
	cases := []struct {
		name, doc string
		warnings  []string
		fails     bool
	}{
		{"json unknown", `{"apiVersion":"minka.dev/v1alpha1","kind":"SlavePool","metadata":{"name":"p"},"spec":{"replicaz":1,"executors":2}}`,
			[]string{`unknown field "spec.replicaz"`}, false},
		{"json duplicate", `{"apiVersion":"minka.dev/v1alpha1","kind":"SlavePool","metadata":{"name":"p"},"spec":{"executors":1,"executors":2}}`,
			[]string{`duplicate field "spec.executors"`}, false},
		{"yaml duplicate key", "apiVersion: minka.dev/v1alpha1\nkind: SlavePool\nmetadata: {name: p}\nspec:\n  executors: 1\n  executors: 2\n",
			[]string{`yaml: unmarshal errors:`}, false},
		{"wrong type", `{"apiVersion":"minka.dev/v1alpha1","kind":"SlavePool","metadata":{"name":"p"},"spec":{"executors":"two"}}`, nil, true},
		{"a list", `{"apiVersion":"v1","kind":"List","items":[]}`, nil, true},
	}
	for _, c := range cases {
		obj, warnings, err := DecodeObjectLax([]byte(c.doc))
		if (err != nil) != c.fails {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		if c.fails {
			continue
		}
		if len(warnings) != len(c.warnings) || !strings.HasPrefix(warnings[0], c.warnings[0]) {
			t.Errorf("%s: warnings %q, want %q", c.name, warnings, c.warnings)
		}
		if sp := obj.(*SlavePool); sp.Spec.Executors != 2 {
			t.Errorf("%s: executors %d, want 2 (the last value wins)", c.name, sp.Spec.Executors)
		}
	}
}
