package deployment

import (
	"encoding/json"
	"fmt"
	"sort"

	marathon "github.com/gambol99/go-marathon"
)

// exact are the fields compared as wholes: a key added to them in
// Marathon is drift too.
var exact = map[string]bool{"env": true, "labels": true}

// diff lists the fields where live does not say what desired asks, by
// JSON path ("container.docker.image"). Marathon fills in defaults and
// computed fields (service ports, health check options, versions), so
// only what desired sets is compared; lists must match in length, and
// env and labels exactly. An empty result means no PUT is needed.
func diff(desired, live *marathon.Application) []string {
	var out []string
	compare("", toMap(desired), toMap(live), &out)
	sort.Strings(out)
	return out
}

func toMap(app *marathon.Application) map[string]any {
	// Computed fields never take part: they are not a definition.
	c := *app
	c.Tasks, c.Deployments, c.Version, c.VersionInfo, c.LastTaskFailure = nil, nil, "", nil, nil
	c.TasksRunning, c.TasksStaged, c.TasksHealthy, c.TasksUnhealthy = 0, 0, 0, 0
	b, _ := json.Marshal(c)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func compare(path string, want, got any, out *[]string) {
	switch w := want.(type) {
	case nil:
		return // not asked for
	case map[string]any:
		g, _ := got.(map[string]any)
		if exact[path] {
			if !equalJSON(w, g) {
				*out = append(*out, path)
			}
			return
		}
		for k, v := range w {
			compare(join(path, k), v, g[k], out)
		}
	case []any:
		g, _ := got.([]any)
		if len(w) != len(g) {
			*out = append(*out, path)
			return
		}
		before := len(*out)
		for i := range w {
			compare(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], out)
		}
		if len(*out) > before { // one entry per list is enough to say what moved
			*out = append((*out)[:before], path)
		}
	default:
		if !equalJSON(want, got) {
			*out = append(*out, path)
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	if len(x) == 0 || string(x) == "{}" || string(x) == "null" {
		return len(y) == 0 || string(y) == "{}" || string(y) == "null"
	}
	return string(x) == string(y)
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
