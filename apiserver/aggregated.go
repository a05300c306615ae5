package apiserver

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// Aggregated discovery (kube-apiserver 1.30+): kubectl asks /api and
// /apis for an APIGroupDiscoveryList first, which carries every
// resource of every version in one answer instead of one request per
// group version. A client that does not ask gets the legacy documents.
const aggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

// wantsAggregated says whether the Accept header asks for the v2
// aggregated form (kubectl lists it first, then v2beta1, then plain JSON).
func wantsAggregated(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(part)
		if err == nil && mt == "application/json" && params["g"] == "apidiscovery.k8s.io" && params["v"] == "v2" && params["as"] == "APIGroupDiscoveryList" {
			return true
		}
	}
	return false
}

func writeAggregated(w http.ResponseWriter, groups ...apidiscoveryv2.APIGroupDiscovery) {
	w.Header().Set("Content-Type", aggregatedV2)
	w.Header().Set("Vary", "Accept")
	_ = json.NewEncoder(w).Encode(&apidiscoveryv2.APIGroupDiscoveryList{
		TypeMeta: metav1.TypeMeta{Kind: "APIGroupDiscoveryList", APIVersion: "apidiscovery.k8s.io/v2"}, Items: groups})
}

// discoveryGroup turns a legacy resource list into its aggregated form:
// subresources nested under their resource.
func discoveryGroup(group, version string, resources []metav1.APIResource) apidiscoveryv2.APIGroupDiscovery {
	var out []apidiscoveryv2.APIResourceDiscovery
	index := map[string]int{}
	for _, r := range resources {
		parent, sub, isSub := strings.Cut(r.Name, "/")
		if isSub {
			i, ok := index[parent]
			if !ok {
				continue
			}
			gvk := &metav1.GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind}
			if r.Group == "" && r.Version == "" {
				gvk.Group, gvk.Version = group, version
			}
			if sub == "log" {
				gvk = nil // text, not an object
			}
			out[i].Subresources = append(out[i].Subresources, apidiscoveryv2.APISubresourceDiscovery{Subresource: sub, ResponseKind: gvk, Verbs: r.Verbs})
			continue
		}
		scope := apidiscoveryv2.ScopeCluster
		if r.Namespaced {
			scope = apidiscoveryv2.ScopeNamespace
		}
		index[r.Name] = len(out)
		out = append(out, apidiscoveryv2.APIResourceDiscovery{Resource: r.Name, SingularResource: r.SingularName, Scope: scope,
			ResponseKind: &metav1.GroupVersionKind{Group: group, Version: version, Kind: r.Kind},
			Verbs:        r.Verbs, ShortNames: r.ShortNames, Categories: r.Categories})
	}
	return apidiscoveryv2.APIGroupDiscovery{ObjectMeta: metav1.ObjectMeta{Name: group},
		Versions: []apidiscoveryv2.APIVersionDiscovery{{Version: version, Resources: out, Freshness: apidiscoveryv2.DiscoveryFreshnessCurrent}}}
}

func minkaDiscovery() apidiscoveryv2.APIGroupDiscovery {
	return discoveryGroup(v1alpha1.Group, v1alpha1.Version, minkaResources())
}
