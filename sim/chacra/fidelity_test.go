package chacra

// Fidelity: the simulator against testdata/reference/chacra (exchanges captured from
// the real chacra @11471163, provenance in its README.md). Each file's
// request is replayed, in the order of a session like the capture's, and
// the answer compared: status code, Content-Type, the headers the file
// names, and the body: JSON by field names and JSON types, recursively
// (jsonshape.Diff, plus no field the reference lacks), text and HTML
// exactly (the capture's https://127.0.0.1:8443 read as the node's URL).
// Callback files are compared with what the simulator POSTed to a fake
// shaman: path, basic auth, Content-Type and the JSON body's shape.
//
// Covered: every file in testdata/reference/chacra (TestFidelity names
// each one and fails listing any file it did not compare). Not covered:
// none.

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"minka/sim/internal/jsonshape"
)

const refDir = "testdata/reference/chacra"

type exchange struct {
	Request struct {
		Method      string            `json:"method"`
		URL         string            `json:"url"`
		Auth        string            `json:"auth"`
		ContentType string            `json:"content_type"`
		Form        map[string]string `json:"form"`
		JSON        any               `json:"json"`
	} `json:"request"`
	Response struct {
		Status      int               `json:"status"`
		ContentType *string           `json:"content_type"`
		Body        any               `json:"body"`
		Headers     map[string]string `json:"headers"`
	} `json:"response"`
}

func loadExchange(t *testing.T, name string) exchange {
	t.Helper()
	raw, _ := json.Marshal(jsonshape.Load(t, filepath.Join(refDir, name)))
	var ex exchange
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ex
}

// sizes are the captured packages' sizes, so Content-Length can match.
var sizes = map[string]int{"hello-chacra_1.0-1_amd64.deb": 796, "hello-chacra-1.0-1.noarch.rpm": 6115}

func (e env) replay(t *testing.T, ex exchange) answer {
	t.Helper()
	q := ex.Request
	auth := strings.TrimPrefix(q.Auth, "basic ")
	if q.Form != nil {
		fields := map[string]string{}
		file := ""
		for k, v := range q.Form {
			if k == "file" {
				file = strings.TrimPrefix(v, "@")
			} else {
				fields[k] = v
			}
		}
		return e.upload(t, q.Method, q.URL, auth, file, make([]byte, sizes[file]), fields)
	}
	if q.JSON != nil {
		b, _ := json.Marshal(q.JSON)
		return e.do(t, q.Method, q.URL, auth, "application/json", b)
	}
	return e.do(t, q.Method, q.URL, auth, "", nil)
}

// compare checks an answer against a reference exchange.
func (e env) compare(t *testing.T, name string, ex exchange, got answer) {
	t.Helper()
	want := ex.Response
	if got.code != want.Status {
		t.Errorf("%s: status %d, want %d (%s)", name, got.code, want.Status, got.body)
	}
	wantCT := ""
	if want.ContentType != nil {
		wantCT = *want.ContentType
	}
	if ct := got.hdr.Get("Content-Type"); ct != wantCT {
		t.Errorf("%s: Content-Type %q, want %q", name, ct, wantCT)
	}
	for k, v := range want.Headers {
		if g := got.hdr.Get(k); g != v {
			t.Errorf("%s: header %s = %q, want %q", name, k, g, v)
		}
	}
	switch body := want.Body.(type) {
	case nil:
		if len(got.body) != 0 {
			t.Errorf("%s: body %q, want none", name, got.body)
		}
	case string:
		if w := strings.ReplaceAll(body, "https://127.0.0.1:8443", e.base); string(got.body) != w {
			t.Errorf("%s: body\n%q\nwant\n%q", name, got.body, w)
		}
	default:
		var v any
		if err := json.Unmarshal(got.body, &v); err != nil {
			t.Errorf("%s: body %q is not JSON", name, got.body)
			return
		}
		shapeDiff(t, name, body, v)
	}
}

func shapeDiff(t *testing.T, name string, ref, got any) {
	t.Helper()
	diffs := append(jsonshape.Diff(ref, got), extraKeys(ref, got, "")...)
	if len(diffs) > 0 {
		t.Errorf("%s differs from the reference:\n  %s", name, strings.Join(diffs, "\n  "))
	}
}

// extraKeys reports fields of got that ref lacks (a repo's extra is the
// user's data, not fields).
func extraKeys(ref, got any, path string) []string {
	if path == ".extra" {
		return nil
	}
	var out []string
	switch r := ref.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		keys := make([]string, 0, len(g))
		for k := range g {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if _, ok := r[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: not in the reference", path, k))
			} else {
				out = append(out, extraKeys(r[k], g[k], path+"."+k)...)
			}
		}
	case []any:
		if g, _ := got.([]any); len(r) > 0 && len(g) > 0 {
			out = extraKeys(r[0], g[0], path+"[]")
		}
	}
	return out
}
