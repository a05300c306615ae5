package apiserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/store"
)

// The tests of issue 12's API gaps: each case names what kube-apiserver
// does and checks the etcd state behind the answer, not only the answer.

const deployPath = "/apis/minka.dev/v1alpha1/namespaces/default/deployments"

func deployment(name, ns, image string) string {
	meta := fmt.Sprintf(`"name":%q`, name)
	if ns != "" {
		meta += fmt.Sprintf(`,"namespace":%q`, ns)
	}
	return `{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{` + meta + `,"labels":{"app":"web"}},` +
		`"spec":{"image":"` + image + `","replicas":2,"cpus":0.5,"mem":512}}`
}

// gapReply is what a test looks at in an answer.
type gapReply struct {
	code    int
	reason  string // of a kind: Status body
	message string
	raw     string
	header  http.Header
}

func do(t *testing.T, method, url, token, contentType, body string) gapReply {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var st struct{ Kind, Reason, Message string }
	_ = json.Unmarshal(raw, &st)
	r := gapReply{code: resp.StatusCode, raw: string(raw), header: resp.Header}
	if st.Kind == "Status" {
		r.reason, r.message = st.Reason, st.Message
	}
	return r
}

// etcdKey reads one key straight from etcd: its value and mod revision
// (0 when absent).
func etcdKey(t *testing.T, e *store.Etcd, key string) (string, int64) {
	t.Helper()
	resp, err := e.Client.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return "", 0
	}
	return string(resp.Kvs[0].Value), resp.Kvs[0].ModRevision
}

// TestGapsClusterPathWritesNothing: all kinds are namespaced, so only list
// and watch live at /apis/minka.dev/v1alpha1/{plural}. A name under that
// path is a 404 NotFound, "the server could not find the requested
// resource", and any other method on the collection a 405
// MethodNotAllowed, as kube-apiserver's go-restful routes answer (its
// serviceErrorHandler: NewGenericServerResponse). Nothing reaches
// default/NAME.
func TestGapsClusterPathWritesNothing(t *testing.T) {
	hs, e := newTestServer(t, Config{})
	if r := do(t, "POST", hs.URL+deployPath, "", "application/json", deployment("web", "", "nginx:1")); r.code != 201 {
		t.Fatalf("create default/web: %d %s", r.code, r.raw)
	}
	const key = store.DefaultPrefix + "deployments/default/web"
	before, rev := etcdKey(t, e, key)
	cluster := "/apis/minka.dev/v1alpha1/deployments"
	const notFound, notAllowed = "the server could not find the requested resource", "the server does not allow this method on the requested resource"
	cases := []struct {
		reason, method, path, contentType, body string
		code                                    int
		statusReason, message                   string
	}{
		{"PUT of a name, the body without a namespace", "PUT", cluster + "/web", "application/json", deployment("web", "", "nginx:2"), 404, "NotFound", notFound},
		{"PUT of a name, the body in default", "PUT", cluster + "/web", "application/json", deployment("web", "default", "nginx:2"), 404, "NotFound", notFound},
		{"DELETE of a name", "DELETE", cluster + "/web", "", "", 404, "NotFound", notFound},
		{"DELETE of a name with options", "DELETE", cluster + "/web", "application/json", `{"kind":"DeleteOptions","apiVersion":"v1"}`, 404, "NotFound", notFound},
		{"PATCH of a name", "PATCH", cluster + "/web", "application/merge-patch+json", `{"spec":{"image":"nginx:3"}}`, 404, "NotFound", notFound},
		{"GET of a name", "GET", cluster + "/web", "", "", 404, "NotFound", notFound},
		{"GET of a subresource", "GET", cluster + "/web/scale", "", "", 404, "NotFound", notFound},
		{"PUT of scale", "PUT", cluster + "/web/scale", "application/json", `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web"},"spec":{"replicas":9}}`, 404, "NotFound", notFound},
		{"PATCH of scale", "PATCH", cluster + "/web/scale", "application/merge-patch+json", `{"spec":{"replicas":9}}`, 404, "NotFound", notFound},
		{"PUT of status", "PUT", cluster + "/web/status", "application/json", deployment("web", "", "nginx:2"), 404, "NotFound", notFound},
		{"POST to the collection", "POST", cluster, "application/json", deployment("other", "", "nginx:1"), 405, "MethodNotAllowed", notAllowed},
		{"POST of the same name to the collection", "POST", cluster, "application/json", deployment("web", "default", "nginx:2"), 405, "MethodNotAllowed", notAllowed},
		{"PUT to the collection", "PUT", cluster, "application/json", deployment("web", "", "nginx:2"), 405, "MethodNotAllowed", notAllowed},
		{"DELETE of the collection", "DELETE", cluster, "", "", 405, "MethodNotAllowed", notAllowed},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			r := do(t, c.method, hs.URL+c.path, "", c.contentType, c.body)
			if r.code != c.code || r.reason != c.statusReason || r.message != c.message {
				t.Errorf("%s %s: -want +got\n- %d %s %q\n+ %d %s %q\n%s", c.method, c.path, c.code, c.statusReason, c.message, r.code, r.reason, r.message, r.raw)
			}
			if after, arev := etcdKey(t, e, key); arev != rev || after != before {
				t.Errorf("%s %s changed %s: mod revision %d → %d\n- %s\n+ %s", c.method, c.path, key, rev, arev, before, after)
			}
			if _, orev := etcdKey(t, e, store.DefaultPrefix+"deployments/default/other"); orev != 0 {
				t.Errorf("%s %s created default/other", c.method, c.path)
			}
		})
	}
	// What does live there still works.
	if r := do(t, "GET", hs.URL+cluster, "", "", ""); r.code != 200 || !strings.Contains(r.raw, `"name":"web"`) {
		t.Errorf("list across namespaces: %d %.300s", r.code, r.raw)
	}
	if r := do(t, "GET", hs.URL+cluster+"?watch=true&timeoutSeconds=1", "", "", ""); r.code != 200 || !strings.Contains(r.raw, `"type":"ADDED"`) {
		t.Errorf("watch across namespaces: %d %.300s", r.code, r.raw)
	}
}

// TestGapsAuthenticateBeforeResolution: with auth on, a caller without a
// valid token gets 401 on every path under the group version, whether it
// names a resource or not (kube-apiserver authenticates before its routes
// answer 404 or 405); with a token, the same paths answer as before. Every
// outcome is counted in the request metrics; discovery stays public.
func TestGapsAuthenticateBeforeResolution(t *testing.T) {
	hs, _ := newTestServer(t, tokenConfig())
	const v = "/apis/minka.dev/v1alpha1"
	cases := []struct {
		reason, method, path string
		withToken            int // the code for a view token
	}{
		{"an unknown resource", "GET", v + "/pods", 404},
		{"an unknown resource in a namespace", "GET", v + "/namespaces/ci/pods", 404},
		{"a namespace alone", "GET", v + "/namespaces/ci", 404},
		{"namespaces", "GET", v + "/namespaces", 404},
		{"the prefix with a slash", "GET", v + "/", 404},
		{"too deep a path", "GET", v + "/namespaces/ci/deployments/a/scale/b", 404},
		{"a subresource the kind lacks", "GET", v + "/namespaces/ci/repos/x/scale", 404},
		{"a name under the cluster path", "DELETE", v + "/deployments/web", 404},
		{"a create at the cluster path", "POST", v + "/deployments", 405},
		{"a collection delete", "DELETE", v + "/namespaces/ci/deployments", 405},
		{"an object that exists not", "GET", v + "/namespaces/ci/deployments/nope", 404},
		{"a list", "GET", v + "/namespaces/ci/deployments", 200},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			for _, token := range []string{"", "not-a-token"} {
				r := do(t, c.method, hs.URL+c.path, token, "", "")
				if r.code != 401 || r.reason != "Unauthorized" || r.header.Get("WWW-Authenticate") != `Bearer realm="minka"` {
					t.Errorf("%s %s with token %q: %d %s %q, want a 401 Status with WWW-Authenticate\n%s",
						c.method, c.path, token, r.code, r.reason, r.header.Get("WWW-Authenticate"), r.raw)
				}
			}
			if r := do(t, c.method, hs.URL+c.path, viewToken, "", ""); r.code != c.withToken {
				t.Errorf("%s %s with a view token: %d, want %d\n%s", c.method, c.path, r.code, c.withToken, r.raw)
			}
		})
	}
	for _, p := range []string{"/apis", "/apis/minka.dev", v} {
		if r := do(t, "GET", hs.URL+p, "", "", ""); r.code != 200 {
			t.Errorf("discovery %s without a token: %d, want 200", p, r.code)
		}
	}
	metrics := do(t, "GET", hs.URL+"/metrics", "", "", "").raw
	for _, want := range []string{
		// 11 unresolvable paths, twice each without a valid token
		`apiserver_request_total{code="401",resource="unknown",subresource="",verb="unknown"} 20`,
		`apiserver_request_total{code="401",resource="deployments",subresource="",verb="list"} 2`,
		`apiserver_request_total{code="404",resource="unknown",subresource="",verb="unknown"} 8`,
		`apiserver_request_total{code="405",resource="unknown",subresource="",verb="unknown"} 2`,
		`apiserver_request_total{code="404",resource="deployments",subresource="",verb="get"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestGapsScaleIdentity: a Scale body is held to the URL's namespace and
// name as the object itself is (kube-apiserver's checkName in
// handlers/rest.go, run for every update, subresources included): a
// different metadata.namespace or metadata.name is a 400 naming the field,
// and spec.replicas stays as it was.
func TestGapsScaleIdentity(t *testing.T) {
	hs, e := newTestServer(t, Config{})
	if r := do(t, "POST", hs.URL+deployPath, "", "application/json", deployment("web", "", "nginx:1")); r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.raw)
	}
	scaleURL := hs.URL + deployPath + "/web/scale"
	scale := func(meta string, replicas int) string {
		return fmt.Sprintf(`{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{%s},"spec":{"replicas":%d}}`, meta, replicas)
	}
	const key = store.DefaultPrefix + "deployments/default/web"
	cases := []struct {
		reason, method, contentType, body string
		code                              int
		mentions                          string
	}{
		{"PUT in another namespace", "PUT", "application/json", scale(`"name":"web","namespace":"prod"`, 5), 400, `metadata.namespace: the namespace of the object (prod) does not match the namespace on the request (default)`},
		{"PUT of another name", "PUT", "application/json", scale(`"name":"db","namespace":"default"`, 5), 400, `metadata.name: the name of the object (db) does not match the name on the URL (web)`},
		{"PUT in YAML, another namespace", "PUT", "application/yaml", "apiVersion: autoscaling/v1\nkind: Scale\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: 5\n", 400, "metadata.namespace"},
		{"PATCH into another namespace", "PATCH", "application/merge-patch+json", `{"metadata":{"namespace":"prod"},"spec":{"replicas":5}}`, 400, "metadata.namespace: the namespace of the object (prod)"},
		{"PATCH to another name", "PATCH", "application/merge-patch+json", `{"metadata":{"name":"db"},"spec":{"replicas":5}}`, 400, "metadata.name: the name of the object (db)"},
		{"PUT in the URL's namespace", "PUT", "application/json", scale(`"name":"web","namespace":"default"`, 3), 200, `"replicas":3`},
		{"PUT without a namespace", "PUT", "application/json", scale(`"name":"web"`, 4), 200, `"replicas":4`},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			before, rev := etcdKey(t, e, key)
			r := do(t, c.method, scaleURL, "", c.contentType, c.body)
			if r.code != c.code || !strings.Contains(r.raw, c.mentions) {
				t.Errorf("%s: %d %s, want %d mentioning %s", c.reason, r.code, r.raw, c.code, c.mentions)
			}
			if after, arev := etcdKey(t, e, key); c.code != 200 && (arev != rev || after != before) {
				t.Errorf("%s: a refused Scale changed the object:\n- %s\n+ %s", c.reason, before, after)
			}
		})
	}
}

// TestGapsWatchFromFutureResourceVersion: a watch from a resourceVersion
// beyond etcd's current revision gets, instead of silence, one ERROR line
// with kube-apiserver's "Too large resource version" Status (storage's
// NewTooLargeResourceVersionError: 504 Timeout, cause
// ResourceVersionTooLarge, retryAfterSeconds), and the stream ends — what
// kube-apiserver's etcd3 watcher sends when the start revision is past
// the storage's (watcher.go startWatching). The current revision itself
// still watches.
func TestGapsWatchFromFutureResourceVersion(t *testing.T) {
	hs, e := newTestServer(t, Config{})
	post(t, hs.URL+poolPath, pool("a"))
	resp, err := e.Client.Get(context.Background(), "/", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	cur := resp.Header.Revision
	type status struct {
		Kind, Reason, Message string
		Code                  int
		Details               struct {
			RetryAfterSeconds int
			Causes            []struct{ Reason, Message string }
		}
	}
	cases := []struct {
		reason string
		rv     int64
		future bool
	}{
		{"one past the current revision", cur + 1, true},
		{"far in the future", cur + 1_000_000, true},
		{"the current revision", cur, false},
		{"an earlier revision", cur - 1, false},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			start := time.Now()
			w, err := http.Get(fmt.Sprintf("%s%s?watch=true&timeoutSeconds=2&resourceVersion=%d", hs.URL, poolPath, c.rv))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Body.Close()
			var lines []string
			for sc := bufio.NewScanner(w.Body); sc.Scan(); {
				lines = append(lines, sc.Text())
			}
			if !c.future {
				for _, l := range lines {
					if strings.Contains(l, `"type":"ERROR"`) {
						t.Errorf("watch from rv %d (current %d): %s", c.rv, cur, l)
					}
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("watch from rv %d (current %d): %d lines %q, want one ERROR line", c.rv, cur, len(lines), lines)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("the ERROR came after %v: a future revision is known at once", d)
			}
			var ev struct {
				Type   string
				Object status
			}
			if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
				t.Fatal(err)
			}
			st := ev.Object
			wantMsg := fmt.Sprintf("Timeout: Too large resource version: %d, current: %d", c.rv, cur)
			if w.StatusCode != 200 || ev.Type != "ERROR" || st.Kind != "Status" || st.Code != 504 || st.Reason != "Timeout" ||
				st.Message != wantMsg || st.Details.RetryAfterSeconds < 1 ||
				len(st.Details.Causes) != 1 || st.Details.Causes[0].Reason != "ResourceVersionTooLarge" || st.Details.Causes[0].Message != "Too large resource version" {
				t.Errorf("watch from rv %d: %d %s\nwant 200 and one ERROR line: Status 504 Timeout %q, cause ResourceVersionTooLarge, retryAfterSeconds", c.rv, w.StatusCode, lines[0], wantMsg)
			}
		})
	}
}

// TestGapsInvalidUTF8: a body that is not UTF-8 is a 400 naming the field
// and the line and column of the first bad byte, whether JSON or YAML and
// whatever the verb; Go's JSON decoder would otherwise store U+FFFD in
// its place. Nothing is written. Valid UTF-8 beyond ASCII, U+FFFD itself
// included, is accepted.
func TestGapsInvalidUTF8(t *testing.T) {
	hs, e := newTestServer(t, Config{})
	if r := do(t, "POST", hs.URL+deployPath, "", "application/json", deployment("web", "", "nginx:1")); r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.raw)
	}
	const key = store.DefaultPrefix + "deployments/default/web"
	webURL := hs.URL + deployPath + "/web"
	yamlDeploy := func(image string) string {
		return "apiVersion: minka.dev/v1alpha1\nkind: Deployment\nmetadata:\n  name: yweb\nspec:\n  image: " + image +
			"\n  replicas: 1\n  cpus: 0.5\n  mem: 512\n"
	}
	cases := []struct {
		reason, method, url, contentType, body string
		code                                   int
		mentions                               string
	}{
		{"a JSON label value", "POST", hs.URL + deployPath, "application/json",
			strings.Replace(deployment("bad", "", "nginx:1"), `"app":"web"`, "\"app\":\"w\xffb\"", 1), 400,
			"the request body is not valid UTF-8: byte 0xff in metadata.labels.app at line 1, column 99"},
		{"a JSON image on update", "PUT", webURL, "application/json", deployment("web", "", "nginx\xff:2"), 400,
			"byte 0xff in spec.image at line 1, column 127"},
		{"a JSON label key", "POST", hs.URL + deployPath, "application/json",
			strings.Replace(deployment("bad", "", "nginx:1"), `"app":"web"`, "\"a\xfe\xffp\":\"web\"", 1), 400,
			"byte 0xfe in metadata.labels.a\uFFFD\uFFFDp (a key) at line 1, column 93"},
		{"a YAML image", "POST", hs.URL + deployPath, "application/yaml", yamlDeploy("ng\xffinx:1"), 400,
			"byte 0xff in spec.image at line 6, column 12"},
		{"a YAML quoted image", "POST", hs.URL + deployPath, "application/yaml", yamlDeploy("\"nginx:\xc3\""), 400,
			"byte 0xc3 in spec.image at line 6, column 17"},
		{"a merge patch", "PATCH", webURL, "application/merge-patch+json", "{\"spec\":{\"image\":\"nginx\xff\"}}", 400,
			"byte 0xff in spec.image at line 1, column 24"},
		{"a Scale", "PUT", webURL + "/scale", "application/json", "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"web\xff\"},\"spec\":{\"replicas\":3}}", 400,
			"byte 0xff in metadata.name"},
		{"DeleteOptions", "DELETE", webURL, "application/json", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"\xff\"}}", 400,
			"byte 0xff in preconditions.uid"},
		{"a body that does not parse", "POST", hs.URL + deployPath, "application/json", "{\"a\":\n [\"x\", \xff", 400,
			"the request body is not valid UTF-8: byte 0xff at line 2, column 8"},
		{"valid UTF-8 and U+FFFD itself", "PUT", webURL, "application/json",
			strings.Replace(deployment("web", "", "nginx:2"), `"labels"`, `"annotations":{"note":"héllo � ✓"},"labels"`, 1), 200, `"note":"héllo � ✓"`},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			before, rev := etcdKey(t, e, key)
			r := do(t, c.method, c.url, "", c.contentType, c.body)
			if r.code != c.code || !strings.Contains(r.raw, c.mentions) || (c.code == 400 && r.reason != "BadRequest") {
				t.Errorf("%s: %d %s %s, want %d mentioning %q", c.reason, r.code, r.reason, r.raw, c.code, c.mentions)
			}
			if c.code == 200 {
				return
			}
			if after, arev := etcdKey(t, e, key); arev != rev || after != before {
				t.Errorf("%s: a refused body changed default/web:\n- %s\n+ %s", c.reason, before, after)
			}
			for _, name := range []string{"bad", "yweb"} {
				if _, r := etcdKey(t, e, store.DefaultPrefix+"deployments/default/"+name); r != 0 {
					t.Errorf("%s: a refused body created default/%s", c.reason, name)
				}
			}
		})
	}
}

// TestGapsResolveRoutes: the route table resolve implements, below the
// mux (which would clean an empty segment away with a redirect).
func TestGapsResolveRoutes(t *testing.T) {
	const v = "/apis/minka.dev/v1alpha1"
	cases := []struct {
		reason, method, path string
		want                 string // "verb ns/name/sub" or the error code
	}{
		{"list in a namespace", "GET", v + "/namespaces/ci/deployments", "list ci//"},
		{"watch everywhere", "GET", v + "/deployments?watch=true", "watch //"},
		{"create in a namespace", "POST", v + "/namespaces/ci/deployments", "create ci//"},
		{"scale", "PATCH", v + "/namespaces/ci/deployments/web/scale", "patch ci/web/scale"},
		{"create everywhere", "POST", v + "/deployments", "405"},
		{"a name everywhere", "PUT", v + "/deployments/web", "404"},
		{"a subresource everywhere", "GET", v + "/deployments/web/status", "404"},
		{"an empty namespace", "POST", v + "/namespaces//deployments", "404"},
		{"an empty namespace and a name", "DELETE", v + "/namespaces//deployments/web", "404"},
		{"an unknown kind", "GET", v + "/namespaces/ci/pods", "404"},
	}
	for _, c := range cases {
		info, _, err := resolve(httptest.NewRequest(c.method, c.path, nil))
		got := ""
		if err != nil {
			got = strconv.Itoa(int(toStatus(err, nil).ErrStatus.Code))
		} else {
			got = fmt.Sprintf("%s %s/%s/%s", info.Verb, info.Namespace, info.Name, info.Subresource)
		}
		if got != c.want {
			t.Errorf("%s: %s %s: -want +got\n- %s\n+ %s", c.reason, c.method, c.path, c.want, got)
		}
	}
}
