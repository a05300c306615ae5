package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"minka/store"
)

// deployWithEnv is a valid Deployment whose env holds about size bytes,
// in values each within the free-text limit.
func deployWithEnv(name string, size int) string {
	env := map[string]string{}
	for i := 0; size > 0; i++ {
		n := min(size, 60_000)
		env[fmt.Sprintf("V%03d", i)] = strings.Repeat("x", n)
		size -= n
	}
	b, _ := json.Marshal(map[string]any{
		"apiVersion": "minka.dev/v1alpha1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": "ci"},
		"spec":     map[string]any{"image": "nginx:1", "cpus": 0.5, "mem": 512, "env": env},
	})
	return string(b)
}

// statusWithEndpoints is a Deployment status write of about size bytes.
func statusWithEndpoints(name string, size int) string {
	var eps []map[string]any
	for ; size > 0; size -= 60_000 {
		eps = append(eps, map[string]any{"host": strings.Repeat("h", 60_000), "ports": []int{31000}})
	}
	b, _ := json.Marshal(map[string]any{
		"apiVersion": "minka.dev/v1alpha1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": "ci"},
		"spec":     map[string]any{"image": "nginx:1", "cpus": 0.5, "mem": 512},
		"status":   map[string]any{"endpoints": eps},
	})
	return string(b)
}

// TestAPIObjectSizeLimit: an object between etcd's request limit (1.5
// MiB) and the body limit (3 MiB) once got a 500 ("etcdserver: request is
// too large", logged as an error). It is a 413 naming the store's limit,
// for create, update and status alike, and nothing is logged as an error;
// an object just under the limit is stored.
func TestAPIObjectSizeLimit(t *testing.T) {
	s := StartServer(t, "--controllers", "none")
	limit := store.MaxObjectBytes(store.DefaultMaxRequestBytes)
	if r := call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 1)); r.code != 201 {
		t.Fatalf("create web: %d %.300s", r.code, r.raw)
	}
	under := deployWithEnv("under", int(limit)-4096)
	if r := call(t, s, "POST", deploys, "", under); r.code != 201 {
		t.Fatalf("a %d-byte object under the %d-byte limit: %d %.300s", len(under), limit, r.code, r.raw)
	}
	const twoMiB = 2 << 20
	cases := []struct {
		reason, method, path, body string
	}{
		{"create", "POST", deploys, deployWithEnv("big", twoMiB)},
		{"update", "PUT", deploys + "/web", deployWithEnv("web", twoMiB)},
		{"status", "PUT", deploys + "/web/status", statusWithEndpoints("web", twoMiB)},
	}
	for _, c := range cases {
		r := call(t, s, c.method, c.path, "", c.body)
		want := fmt.Sprintf("the limit is %d bytes", limit)
		if r.code != 413 || r.str("kind") != "Status" || r.str("reason") != "RequestEntityTooLarge" || !strings.Contains(r.str("message"), want) {
			t.Errorf("%s of a %d-byte body: %d %.300s, want a 413 Status saying %q", c.reason, len(c.body), r.code, r.raw, want)
		}
	}
	if r := call(t, s, "GET", deploys+"/under", "", ""); r.code != 200 {
		t.Errorf("get the object under the limit: %d", r.code)
	}
	if r := call(t, s, "GET", deploys+"/big", "", ""); r.code != 404 {
		t.Errorf("get the refused object: %d, want 404", r.code)
	}
	if err := s.Stop(t); err != nil { // the log is whole (and not being written) once it exits
		t.Errorf("stopping the server: %v", err)
	}
	for _, line := range strings.Split(s.Logs(), "\n") {
		if strings.Contains(line, `"level":"error"`) || strings.Contains(line, "request is too large") {
			t.Errorf("the server logged an error for a client's too-large object: %.400s", line)
		}
	}
}

// TestAPIStatusValidation: /status once stored status.replicas -5 and
// anything else; a status write is validated like a spec write.
func TestAPIStatusValidation(t *testing.T) {
	s := StartServer(t, "--controllers", "none")
	if r := call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 1)); r.code != 201 {
		t.Fatalf("create: %d %.300s", r.code, r.raw)
	}
	status := func(st string) string {
		return `{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"web","namespace":"ci"},` +
			`"spec":{"image":"nginx:1","cpus":0.5,"mem":512},"status":` + st + `}`
	}
	cond := `{"type":"Available","status":%q,"reason":%q,"message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}`
	cases := []struct {
		reason, status string
		code           int
		field          string
	}{
		{"negative replicas", `{"replicas":-5}`, 422, "status.replicas"},
		{"negative observedGeneration", `{"observedGeneration":-1}`, 422, "status.observedGeneration"},
		{"a port past 65535", `{"endpoints":[{"host":"a1","ports":[70000]}]}`, 422, "status.endpoints[0].ports[0]"},
		{"condition status Maybe", `{"conditions":[` + fmt.Sprintf(cond, "Maybe", "AllReplicasReady") + `]}`, 422, "status.conditions[0].status"},
		{"condition reason not CamelCase", `{"conditions":[` + fmt.Sprintf(cond, "True", "all ready") + `]}`, 422, "status.conditions[0].reason"},
		{"a valid status", `{"replicas":1,"readyReplicas":1,"conditions":[` + fmt.Sprintf(cond, "True", "AllReplicasReady") + `]}`, 200, ""},
	}
	for _, c := range cases {
		r := call(t, s, "PUT", deploys+"/web/status", "", status(c.status))
		if r.code != c.code || c.field != "" && !strings.Contains(r.raw, fmt.Sprintf(`"field":%q`, c.field)) {
			t.Errorf("%s: %d %.400s, want %d naming %s", c.reason, r.code, r.raw, c.code, c.field)
		}
	}
	if r := call(t, s, "GET", deploys+"/web", "", ""); r.str("status", "replicas") != "1" {
		t.Errorf("status after the writes: %.300s, want only the valid one stored", r.raw)
	}
}

// TestAPIBadValuesAreShort: a 422 once repeated the whole bad value (in
// its message, its cause, and the name in its details), so a 3 MB value
// made a 9 MB answer. Values are cut to a few hundred bytes, and long
// strings are TooLong without their value.
func TestAPIBadValuesAreShort(t *testing.T) {
	s := StartServer(t, "--controllers", "none")
	const mb3 = 3_000_000
	long := strings.Repeat("a", mb3)
	with := func(f func(d map[string]any)) string {
		d := map[string]any{
			"apiVersion": "minka.dev/v1alpha1", "kind": "Deployment",
			"metadata": map[string]any{"name": "web", "namespace": "ci"},
			"spec":     map[string]any{"image": "nginx:1", "cpus": 0.5, "mem": 512},
		}
		f(d)
		b, _ := json.Marshal(d)
		return string(b)
	}
	spec := func(d map[string]any) map[string]any { return d["spec"].(map[string]any) }
	cases := []struct {
		reason, body, field string
	}{
		{"a 3 MB name", with(func(d map[string]any) { d["metadata"].(map[string]any)["name"] = long }), "metadata.name"},
		{"a 3 MB env name", with(func(d map[string]any) { spec(d)["env"] = map[string]string{"1" + long: "x"} }), "spec.env[1aaa"},
		{"a 3 MB image", with(func(d map[string]any) { spec(d)["image"] = long }), "spec.image"},
		{"a 3 MB constraint", with(func(d map[string]any) { spec(d)["constraints"] = [][]string{{"rack", "LIKE", "(" + long}} }), "spec.constraints[0][2]"},
		{"a 3 MB command", with(func(d map[string]any) { spec(d)["cmd"] = long }), "spec.cmd"},
	}
	for _, c := range cases {
		r := call(t, s, "POST", deploys, "", c.body)
		if r.code != 422 || r.str("reason") != "Invalid" || !strings.Contains(r.raw, c.field) {
			t.Errorf("%s: %d %.300s, want a 422 naming %s", c.reason, r.code, r.raw, c.field)
			continue
		}
		if len(r.raw) > 4096 {
			t.Errorf("%s: a %d-byte answer to a %d-byte request: %.300s…", c.reason, len(r.raw), len(c.body), r.raw)
		}
		t.Logf("%s: %d-byte request → %d-byte 422", c.reason, len(c.body), len(r.raw))
	}
}
