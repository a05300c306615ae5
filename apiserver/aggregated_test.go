package apiserver

import (
	"encoding/json"
	"net/http"
	"testing"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"

	"minka/api/v1alpha1"
)

// TestAggregatedDiscovery: /apis and /api answer kubectl's aggregated
// Accept with an APIGroupDiscoveryList (every resource, its subresources
// nested) and anything else with the legacy documents.
func TestAggregatedDiscovery(t *testing.T) {
	hs, _ := newTestServer(t, Config{})
	const kubectlAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
	get := func(path, accept string) (*http.Response, apidiscoveryv2.APIGroupDiscoveryList) {
		req, _ := http.NewRequest("GET", hs.URL+path, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var l apidiscoveryv2.APIGroupDiscoveryList
		_ = json.NewDecoder(resp.Body).Decode(&l)
		return resp, l
	}
	resp, l := get("/apis", kubectlAccept)
	if ct := resp.Header.Get("Content-Type"); ct != aggregatedV2 || l.Kind != "APIGroupDiscoveryList" || len(l.Items) != 1 {
		t.Fatalf("/apis aggregated: %s %+v", ct, l)
	}
	resources := map[string]apidiscoveryv2.APIResourceDiscovery{}
	for _, r := range l.Items[0].Versions[0].Resources {
		resources[r.Resource] = r
	}
	for _, k := range v1alpha1.Kinds() {
		r, ok := resources[k.Plural]
		if !ok || r.ResponseKind.Kind != k.Kind || r.Scope != apidiscoveryv2.ScopeNamespace {
			t.Errorf("%s: %+v", k.Plural, r)
			continue
		}
		subs := map[string]bool{}
		for _, s := range r.Subresources {
			subs[s.Subresource] = true
		}
		if subs["status"] != k.Status || subs["scale"] != k.Scale || subs["rollback"] != k.Rollback || subs["log"] != (k.Kind == "Build") {
			t.Errorf("%s subresources %v", k.Plural, subs)
		}
	}
	if sc := resources["deployments"].Subresources; len(sc) < 2 || sc[1].ResponseKind.Group != "autoscaling" {
		t.Errorf("deployments/scale answers %+v, want autoscaling/v1 Scale", sc)
	}
	resp, l = get("/api", kubectlAccept)
	if resp.Header.Get("Content-Type") != aggregatedV2 || len(l.Items) != 1 || len(l.Items[0].Versions[0].Resources) != 2 {
		t.Errorf("/api aggregated: %+v", l)
	}
	for _, path := range []string{"/apis", "/api"} {
		if resp, _ := get(path, "application/json"); resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s legacy: %s", path, resp.Header.Get("Content-Type"))
		}
	}
}
