package test

import (
	"strings"
	"testing"
)

// TestAPIGapsClusterPath: against the real binary, no verb but list and
// watch acts at the cluster path of a namespaced kind: a name under it is
// 404 and a create at it 405, as from kube-apiserver, and the object of
// the same name in the default namespace is left as it was.
func TestAPIGapsClusterPath(t *testing.T) {
	s := authServer(t)
	const inDefault = "/apis/minka.dev/v1alpha1/namespaces/default/deployments"
	const cluster = "/apis/minka.dev/v1alpha1/deployments"
	web := strings.Replace(webJSON("web", "nginx:1", 2), `"namespace":"ci"`, `"namespace":"default"`, 1)
	created := call(t, s, "POST", inDefault, adminToken, web)
	if created.code != 201 {
		t.Fatalf("create default/web: %d %s", created.code, created.raw)
	}
	rv := created.str("metadata", "resourceVersion")
	unscoped := strings.Replace(webJSON("web", "nginx:2", 5), `"namespace":"ci",`, "", 1)
	cases := []struct {
		reason, method, path, body string
		code                       int
		statusReason               string
	}{
		{"PUT of a name", "PUT", cluster + "/web", unscoped, 404, "NotFound"},
		{"DELETE of a name", "DELETE", cluster + "/web", "", 404, "NotFound"},
		{"PATCH of a name", "PATCH", cluster + "/web", `{"spec":{"replicas":5}}`, 404, "NotFound"},
		{"GET of a name", "GET", cluster + "/web", "", 404, "NotFound"},
		{"PUT of its scale", "PUT", cluster + "/web/scale", `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web"},"spec":{"replicas":5}}`, 404, "NotFound"},
		{"POST to the collection", "POST", cluster, unscoped, 405, "MethodNotAllowed"},
		{"DELETE of the collection", "DELETE", cluster, "", 405, "MethodNotAllowed"},
	}
	for _, c := range cases {
		r := call(t, s, c.method, c.path, adminToken, c.body)
		if r.code != c.code || r.str("kind") != "Status" || r.str("reason") != c.statusReason {
			t.Errorf("%s: %s %s = %d %s, want a %d %s Status", c.reason, c.method, c.path, r.code, r.raw, c.code, c.statusReason)
		}
		got := call(t, s, "GET", inDefault+"/web", viewToken, "")
		if got.code != 200 || got.str("metadata", "resourceVersion") != rv || got.str("spec", "image") != "nginx:1" || got.str("spec", "replicas") != "2" {
			t.Fatalf("%s: %s %s touched default/web (resourceVersion %s before): %d %s", c.reason, c.method, c.path, rv, got.code, got.raw)
		}
	}
	if r := call(t, s, "GET", cluster, viewToken, ""); r.code != 200 || !strings.Contains(r.raw, `"name":"web"`) {
		t.Errorf("the list across namespaces: %d %s", r.code, r.raw)
	}
}

// TestAPIGapsAuthenticateFirst: against the real binary with tokens, every
// path under the group version answers 401 to a caller without a valid
// token, whether it names a resource or not; with a token the same paths
// answer 404 or 405. Discovery stays public, and the refusals are counted.
func TestAPIGapsAuthenticateFirst(t *testing.T) {
	s := authServer(t)
	const v = "/apis/minka.dev/v1alpha1"
	cases := []struct {
		method, path string
		withToken    int
	}{
		{"GET", v + "/pods", 404},
		{"GET", v + "/namespaces/ci/pods", 404},
		{"GET", v + "/namespaces/ci", 404},
		{"GET", v + "/namespaces/ci/repos/x/scale", 404},
		{"DELETE", v + "/deployments/web", 404},
		{"POST", v + "/deployments", 405},
		{"DELETE", v + "/namespaces/ci/deployments", 405},
		{"GET", v + "/namespaces/ci/deployments", 200},
	}
	for _, c := range cases {
		for _, token := range []string{"", "not-a-token"} {
			if r := call(t, s, c.method, c.path, token, ""); r.code != 401 || r.str("reason") != "Unauthorized" {
				t.Errorf("%s %s with token %q: %d %s, want a 401 Status", c.method, c.path, token, r.code, r.raw)
			}
		}
		if r := call(t, s, c.method, c.path, viewToken, ""); r.code != c.withToken {
			t.Errorf("%s %s with a view token: %d %s, want %d", c.method, c.path, r.code, r.raw, c.withToken)
		}
	}
	for _, p := range []string{"/apis", "/apis/minka.dev", v, "/healthz", "/version"} {
		if r := call(t, s, "GET", p, "", ""); r.code != 200 {
			t.Errorf("GET %s without a token: %d, want 200", p, r.code)
		}
	}
	const want = `apiserver_request_total{code="401",resource="unknown",subresource="",verb="unknown"} 14`
	if r := call(t, s, "GET", "/metrics", "", ""); !strings.Contains(r.raw, want) {
		t.Errorf("/metrics lacks %s", want)
	}
}
