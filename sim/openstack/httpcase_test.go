package openstack

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// reply is a raw answer: status, headers, the body as text and, when it
// is JSON, decoded.
type reply struct {
	status int
	header http.Header
	raw    string
	body   any
}

// hdr is a request's headers; a "X-Auth-Token" entry, even empty,
// replaces the env's token (empty: none sent).
type hdr map[string]string

// send makes one plain HTTP request. Outside /identity it carries the
// env's token unless h says otherwise; a body goes as application/json
// unless h names a Content-Type. Redirects are not followed.
func (e env) send(t *testing.T, method, path, body string, h hdr) reply {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := h["X-Auth-Token"]; ok {
		if tok != "" {
			req.Header.Set("X-Auth-Token", tok)
		}
	} else if !strings.HasPrefix(path, "/identity") {
		req.Header.Set("X-Auth-Token", e.pc.Token())
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		if k != "X-Auth-Token" {
			req.Header.Set(k, v)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

// get walks a decoded body: keys for objects, "0", "1"... for arrays; nil
// when the path is not there.
func get(v any, path ...string) any {
	for _, k := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := int(k[0] - '0')
			if len(k) != 1 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// str is get as a string ("" when absent or not a string).
func str(v any, path ...string) string {
	s, _ := get(v, path...).(string)
	return s
}

// has reports whether the object at path has key.
func has(v any, key string, path ...string) bool {
	m, ok := get(v, path...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[key]
	return ok
}

// wantFault asserts a Nova/Cinder fault: {"<name>": {"code": status, "message": msg}}, JSON.
func wantFault(t *testing.T, what string, r reply, status int, name, msg string) {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/json" ||
		get(r.body, name, "code") != float64(status) || str(r.body, name, "message") != msg {
		t.Errorf("%s: %d %s %s, want %d {%q: {code %d, message %q}}", what, r.status, r.header.Get("Content-Type"), r.raw,
			status, name, status, msg)
	}
}

// jsonEq compares a decoded body with a Go value as JSON.
func jsonEq(got, want any) bool {
	b, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var w any
	if json.Unmarshal(b, &w) != nil {
		return false
	}
	return reflect.DeepEqual(got, w)
}

// keys is an object's keys, sorted; nil for anything else.
func keys(v any) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// routeCase is one request of a routing table and what its answer must be:
// the status, the shape of a reference file (if ref), and check's verdict
// ("" when it holds).
type routeCase struct {
	name, method, path string
	h                  hdr
	status             int
	ref                string
	check              func(r reply) string
}

func runRouteCases(t *testing.T, e env, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(t, tc.method, tc.path, "", tc.h)
			if r.status != tc.status {
				t.Fatalf("%d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.ref != "" {
				shape(t, tc.ref, r.body)
			}
			if tc.check != nil {
				if msg := tc.check(r); msg != "" {
					t.Errorf("want %s; got %s %v", msg, r.raw, r.header)
				}
			}
		})
	}
}
