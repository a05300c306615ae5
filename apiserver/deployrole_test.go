package apiserver

import (
	"strings"
	"testing"
)

// TestDeployRole: what the deploy role may do over HTTP, with the etcd
// state behind each answer: a change of spec.image or spec.restartedAt
// by PUT, merge patch, JSON patch or server-side apply goes through; a
// change of any other spec field or of the metadata is 403 naming the
// fields, and writes nothing, dry run or not; no delete, no create of a
// Deployment (an apply that would create one included), no status.
func TestDeployRole(t *testing.T) {
	hs, e := newTestServer(t, tokenConfig())
	const web = deployPath + "/web"
	if r := do(t, "POST", hs.URL+deployPath, editToken, "application/json", deployment("web", "default", "nginx:1")); r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.raw)
	}
	const merge, jsonPatch, apply = "application/merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml"
	cases := []struct {
		reason, method, path, contentType, body string
		code                                    int
		names                                   string // in the 403's message
	}{
		{"set image (merge patch)", "PATCH", web, merge, `{"spec":{"image":"nginx:2"}}`, 200, ""},
		{"set image (JSON patch)", "PATCH", web, jsonPatch, `[{"op":"replace","path":"/spec/image","value":"nginx:3"}]`, 200, ""},
		{"restart", "PATCH", web, merge, `{"spec":{"restartedAt":"2026-05-01T12:00:00Z"}}`, 200, ""},
		{"set image by PUT of the whole object", "PUT", web, "application/json", deployment("web", "default", "nginx:4"), 200, ""},
		{"set image by server-side apply", "PATCH", web + "?fieldManager=jenkins&force=true", apply,
			`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"web"},"spec":{"image":"nginx:5"}}`, 200, ""},
		{"cpus", "PATCH", web, merge, `{"spec":{"cpus":2}}`, 403, "spec.cpus"},
		{"env and image at once", "PATCH", web, merge, `{"spec":{"image":"nginx:6","env":{"DEBUG":"1"}}}`, 403, "this change touches spec.env"},
		{"replicas outside the scale subresource", "PATCH", web, merge, `{"spec":{"replicas":7}}`, 403, "spec.replicas"},
		{"a label", "PATCH", web, merge, `{"metadata":{"labels":{"tier":"db"}}}`, 403, "metadata.labels"},
		{"a finalizer added", "PATCH", web, jsonPatch, `[{"op":"add","path":"/metadata/finalizers","value":["x"]}]`, 403, "metadata.finalizers"},
		{"cpus in a dry run", "PATCH", web + "?dryRun=All", merge, `{"spec":{"cpus":3}}`, 403, "spec.cpus"},
		{"an apply that would create", "PATCH", deployPath + "/other?fieldManager=jenkins", apply,
			`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"other"},"spec":{"image":"nginx:1","cpus":1,"mem":64}}`, 403, "cannot create deployments"},
		{"create", "POST", deployPath, "application/json", deployment("new", "default", "nginx:1"), 403, "cannot create deployments"},
		{"delete", "DELETE", web, "", "", 403, "cannot delete deployments"},
		{"status", "PATCH", web + "/status", merge, `{"status":{"replicas":9}}`, 403, "cannot patch deployments/status"},
		{"scale", "PATCH", web + "/scale", merge, `{"spec":{"replicas":4}}`, 200, ""},
		{"an event", "POST", "/apis/minka.dev/v1alpha1/namespaces/default/events", "application/json", `{}`, 403, "cannot create events"},
		{"a pipeline", "PATCH", "/apis/minka.dev/v1alpha1/namespaces/default/pipelines/p", merge, `{}`, 403, "cannot patch pipelines"},
	}
	for _, tc := range cases {
		before, rv := etcdKey(t, e, "/minka/deployments/default/web")
		r := do(t, tc.method, hs.URL+tc.path, deployToken, tc.contentType, tc.body)
		after, rv2 := etcdKey(t, e, "/minka/deployments/default/web")
		switch {
		case r.code != tc.code:
			t.Errorf("%s: %d %s, want %d", tc.reason, r.code, r.message+r.raw, tc.code)
		case tc.code == 403 && (r.reason != "Forbidden" || !strings.Contains(r.message, tc.names)):
			t.Errorf("%s: %s %q, want Forbidden naming %q", tc.reason, r.reason, r.message, tc.names)
		case tc.code == 403 && (after != before || rv2 != rv):
			t.Errorf("%s: refused, yet etcd moved (mod revision %d → %d)", tc.reason, rv, rv2)
		case tc.code == 200 && rv2 == rv:
			t.Errorf("%s: allowed, yet nothing was written", tc.reason)
		}
	}
	r := do(t, "PATCH", hs.URL+web, deployToken, merge, `{"spec":{"cpus":2,"env":{"A":"1"},"image":"nginx:9"}}`)
	const want = `user "jenkins-deploy" (role deploy) may change only spec.image and spec.restartedAt of a Deployment; this change touches spec.cpus, spec.env`
	if !strings.Contains(r.message, want) {
		t.Errorf("the 403 says %q, want %q", r.message, want)
	}
	// edit may do it all.
	for _, p := range []struct{ path, body string }{{web, `{"spec":{"cpus":2,"env":{"A":"1"}}}`}, {web + "/scale", `{"spec":{"replicas":1}}`}} {
		if r := do(t, "PATCH", hs.URL+p.path, editToken, merge, p.body); r.code != 200 {
			t.Errorf("edit PATCH %s: %d %s", p.path, r.code, r.message)
		}
	}
}

// TestDeployRoleReviews: kubectl auth can-i and can-i --list answer for
// the deploy role what its authoriser allows, never admin's wildcard.
func TestDeployRoleReviews(t *testing.T) {
	hs, _ := newTestServer(t, tokenConfig())
	access := func(verb, resource, sub string) string {
		body := `{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"ci","verb":"` +
			verb + `","group":"minka.dev","resource":"` + resource + `","subresource":"` + sub + `"}}}`
		return do(t, "POST", hs.URL+"/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", deployToken, "application/json", body).raw
	}
	cases := []struct {
		verb, resource, sub string
		allowed             bool
	}{
		{"create", "deployments", "rollback", true}, {"patch", "deployments", "", true}, {"update", "slavepools", "scale", true},
		{"create", "builds", "", true}, {"delete", "deployments", "", false}, {"create", "deployments", "", false}, {"update", "deployments", "status", false},
	}
	for _, c := range cases {
		if got := access(c.verb, c.resource, c.sub); !strings.Contains(got, `"allowed":`+map[bool]string{true: "true", false: "false"}[c.allowed]) {
			t.Errorf("can-i %s %s/%s: %s, want allowed %v", c.verb, c.resource, c.sub, got, c.allowed)
		}
	}
	rules := do(t, "POST", hs.URL+"/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", deployToken, "application/json",
		`{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"ci"}}`).raw
	for _, want := range []string{`"deployments/rollback"`, `"deployments/scale"`, `"builds"`} {
		if !strings.Contains(rules, want) {
			t.Errorf("can-i --list lacks %s: %s", want, rules)
		}
	}
	if strings.Contains(rules, `"verbs":["*"]`) || strings.Contains(rules, `"delete"`) {
		t.Errorf("can-i --list of deploy grants more than deploy may: %s", rules)
	}
}
