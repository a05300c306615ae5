package shaman

// The fidelity test replays every shaman__* reference file (testdata/
// shaman) and every chacra-callback__* one (the simulator's copy) against
// a store seeded so that each answer exists, and compares status code,
// content type, Location, the title of HTML pages, and the JSON field
// names and types of bodies (not values that depend on time or hosts).

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	simchacra "minka/sim/chacra"
)

// mapBodies are the answers keyed by data (hosts, projects): each entry
// is compared with the reference's first.
var mapBodies = map[string]bool{"/api/nodes/": true, "/api/repos/": true, "/api/builds/": true}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// shapeDiff lists where got's shape differs from want's: an object's
// field names, each value's JSON type (null matches a nullable field
// that has a value), arrays element by element (or against the first
// element when the lengths differ).
func shapeDiff(path string, want, got any, keyed bool) []string {
	wt, gt := jsonType(want), jsonType(got)
	if wt == "null" || gt == "null" {
		return nil
	}
	if wt != gt {
		return []string{fmt.Sprintf("%s: %s, want %s", path, gt, wt)}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		if keyed {
			var first any
			for _, k := range sortedKeys(w) {
				first = w[k]
				break
			}
			if first != nil && len(g) == 0 {
				return []string{path + ": empty, want entries"}
			}
			for _, k := range sortedKeys(g) {
				ref := first
				if v, ok := w[k]; ok {
					ref = v
				}
				out = append(out, shapeDiff(path+"."+k, ref, g[k], false)...)
			}
			return out
		}
		if strings.HasSuffix(path, ".extra") {
			return nil
		}
		if a, b := strings.Join(sortedKeys(w), ","), strings.Join(sortedKeys(g), ","); a != b {
			out = append(out, fmt.Sprintf("%s: fields %s, want %s", path, b, a))
		}
		for k, v := range w {
			if k == "extra" {
				continue // free-form: its type is checked above, its fields are the reporter's
			}
			if gv, ok := g[k]; ok {
				out = append(out, shapeDiff(path+"."+k, v, gv, false)...)
			}
		}
	case []any:
		g := got.([]any)
		if len(w) > 0 && len(g) == 0 {
			return []string{path + ": empty array, want elements"}
		}
		for i, gv := range g {
			wv := any(nil)
			if len(w) == len(g) {
				wv = w[i]
			} else if len(w) > 0 {
				wv = w[0]
			}
			if wv != nil {
				out = append(out, shapeDiff(fmt.Sprintf("%s[%d]", path, i), wv, gv, false)...)
			}
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

var title = regexp.MustCompile(`<title>([^<]*)</title>`)

// compare checks one answer against its reference file.
func compare(x exchange, got resp) []string {
	var out []string
	if got.code != x.Response.Status {
		out = append(out, fmt.Sprintf("status %d, want %d (body %.300s)", got.code, x.Response.Status, got.body))
	}
	want := ""
	if x.Response.ContentType != nil {
		want = *x.Response.ContentType
	}
	if x.Response.ContentType != nil || x.Server == "shaman" {
		if got.contentType != want {
			out = append(out, fmt.Sprintf("content type %q, want %q", got.contentType, want))
		}
	}
	if x.Response.Location != "" && got.location != x.Response.Location {
		out = append(out, fmt.Sprintf("location %q, want %q", got.location, x.Response.Location))
	}
	if len(x.Response.Body) == 0 || string(x.Response.Body) == "null" {
		return out
	}
	var wb any
	_ = json.Unmarshal(x.Response.Body, &wb)
	if s, ok := wb.(string); ok {
		if m := title.FindStringSubmatch(s); m != nil {
			if g := title.FindStringSubmatch(string(got.body)); g == nil || g[1] != m[1] {
				out = append(out, fmt.Sprintf("page title %v, want %q", g, m[1]))
			}
		} else if strings.HasPrefix(s, "https://") && !strings.HasPrefix(string(got.body), "http") {
			out = append(out, fmt.Sprintf("body %q, want a node URL", got.body))
		}
		return out
	}
	var gb any
	if err := json.Unmarshal(got.body, &gb); err != nil {
		return append(out, fmt.Sprintf("body is not JSON: %v: %.200s", err, got.body))
	}
	path := strings.SplitN(x.Request.URL, "?", 2)[0]
	return append(out, shapeDiff("body", wb, gb, mapBodies[path])...)
}

// seedCapture replays the capture's callbacks and build reports, in
// the order chacra and Jenkins sent them, plus the notcmalloc repo and
// the setup job of the capture (whose exchanges were not kept).
func seedCapture(t *testing.T, e *env) {
	cbs := loadExchanges(t, callbackGlob)
	for _, name := range []string{"requested_deb", "requested_rpm", "queued_deb", "queued_rpm", "building_deb", "building_rpm", "ready_deb", "ready_rpm", "ready_raw"} {
		x := cbs["chacra-callback__POST__shaman_api_repos_PROJECT__"+name+".json"]
		if got := e.do("POST", x.Request.URL, true, []byte(x.Request.JSON)); got.code != 200 {
			t.Fatalf("seeding %s: %d %s", name, got.code, got.body)
		}
	}
	var nc map[string]any
	json.Unmarshal(cbs["chacra-callback__POST__shaman_api_repos_PROJECT__ready_deb.json"].Request.JSON, &nc)
	nc["flavor"], nc["modified"] = "notcmalloc", "2026-11-22 23:50:46.332210"
	for _, k := range []string{"url", "chacra_url"} {
		nc[k] = strings.Replace(nc[k].(string), "/flavors/default/", "/flavors/notcmalloc/", 1)
	}
	if got := e.do("POST", "/api/repos/hello/", true, nc); got.code != 200 {
		t.Fatalf("seeding notcmalloc: %d %s", got.code, got.body)
	}
	setup := map[string]any{"url": "https://jenkins.example/job/hello-setup/7/", "log_url": "https://jenkins.example/job/hello-setup/7/consoleFull",
		"ref": "main", "sha1": "0123456789abcdef0123456789abcdef01234567", "status": "failed", "extra": map[string]any{"job_name": "hello-setup"}}
	if got := e.do("POST", "/api/builds/hello/", true, setup); got.code != 200 {
		t.Fatalf("seeding the setup build: %d %s", got.code, got.body)
	}
}

func TestFidelity(t *testing.T) {
	e := newEnv(t, simchacra.Options{CallbackURL: "-"})
	seedCapture(t, e)
	host := e.pool.Nodes()[0].Name
	shaman := loadExchanges(t, "testdata/shaman/shaman__*.json")
	cbs := loadExchanges(t, callbackGlob)
	all := map[string]exchange{}
	for k, v := range shaman {
		all[k] = v
	}
	for k, v := range cbs {
		all[k] = v
	}
	// POSTs first (the build report the builds GETs show), then reads.
	names := sortedKeys(func() map[string]any {
		m := map[string]any{}
		for k := range all {
			m[k] = nil
		}
		return m
	}())
	sort.SliceStable(names, func(i, j int) bool {
		return strings.Contains(names[i], "__POST__") && !strings.Contains(names[j], "__POST__")
	})
	covered := 0
	for _, name := range names {
		x := all[name]
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			u := strings.ReplaceAll(x.Request.URL, "127.0.0.1:8443", host)
			if strings.Contains(name, "404_none_healthy") {
				for _, n := range e.cluster.Nodes {
					n.FailHealth(true)
				}
				defer func() {
					for _, n := range e.cluster.Nodes {
						n.FailHealth(false)
					}
					e.pool.CheckAll(t.Context())
				}()
			}
			var body any
			if len(x.Request.JSON) > 0 {
				body = []byte(x.Request.JSON)
			}
			got := e.do(x.Request.Method, u, x.Request.Auth != "", body)
			if diffs := compare(x, got); len(diffs) > 0 {
				t.Errorf("%s %s:\n  %s", x.Request.Method, u, strings.Join(diffs, "\n  "))
			}
			covered++
		})
	}
	t.Logf("fidelity: %d of %d reference files replayed (%d shaman__*, %d chacra-callback__*); not covered: none",
		covered, len(all), len(shaman), len(cbs))
}
