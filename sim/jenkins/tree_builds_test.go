package jenkins

import (
	"encoding/json"
	"testing"
)

// A job's builds are Runs: at the default depth each shows its _class,
// number and url only, as Jenkins' job api does, but a ?tree= reaches a
// Run's exported properties, which is how clients find a build by its
// parameters (builds[number,result,actions[parameters[name,value]]]).
func TestJobBuildsUnderTree(t *testing.T) {
	e := newCI(t, Options{})
	e.build(t, "MINKA_BUILD=ci/webapp-7")
	type run struct {
		Class   string  `json:"_class"`
		Number  int     `json:"number"`
		URL     string  `json:"url"`
		Result  *string `json:"result"`
		Actions []struct {
			Parameters []struct{ Name, Value string } `json:"parameters"`
		} `json:"actions"`
	}
	var plain struct{ Builds []map[string]any }
	if r := e.get(t, "/job/ceph/api/json"); r.code != 200 || json.Unmarshal([]byte(r.body), &plain) != nil || len(plain.Builds) != 1 {
		t.Fatalf("job api: %d %s", r.code, r.body)
	}
	if len(plain.Builds[0]) != 3 {
		t.Fatalf("a build at the default depth is _class, number and url: %v", plain.Builds[0])
	}
	var tree struct{ Builds []run }
	r := e.get(t, "/job/ceph/api/json?tree=builds[number,url,result,actions[parameters[name,value]]]{0,10}")
	if r.code != 200 || json.Unmarshal([]byte(r.body), &tree) != nil || len(tree.Builds) != 1 {
		t.Fatalf("job api with a tree: %d %s", r.code, r.body)
	}
	b := tree.Builds[0]
	found := false
	for _, a := range b.Actions {
		for _, p := range a.Parameters {
			found = found || (p.Name == "MINKA_BUILD" && p.Value == "ci/webapp-7")
		}
	}
	if b.Number != 1 || b.Class != "hudson.model.FreeStyleBuild" || !found {
		t.Fatalf("the build under the tree: %+v (%s)", b, r.body)
	}
}
