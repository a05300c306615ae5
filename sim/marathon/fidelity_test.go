package marathon

// Fidelity: the simulator's JSON against testdata/reference/marathon
// (provenance and licence in its README.md), field names and JSON types
// (jsonshape.Diff), and status codes.
//
// Covered (this file): marathon__GET__v2_apps_ID.synthesized.json,
// marathon__GET__v2_apps_ID__during-deployment.synthesized.json,
// marathon__GET__v2_apps.synthesized.json, marathon__GET__v2_deployments.synthesized.json,
// marathon__GET__v2_tasks.synthesized.json, marathon__GET__v2_apps_ID_versions.synthesized.json,
// marathon__DELETE__v2_apps_ID.synthesized.json, marathon__GET__v2_info.json,
// marathon__PUT__v2_apps_ID__409.json, marathon__POST__v2_apps__422.json,
// marathon__GET__v2_apps_ID__404.synthesized.json.
// Covered (fidelity_events_test.go): the same GET app with lastTaskFailure,
// marathon__PUT__v2_apps_ID.synthesized.json, marathon__POST__v2_apps.synthesized.json,
// marathon__DELETE__v2_deployments_ID.synthesized.json and __404.synthesized.json,
// marathon__GET__v2_apps_ID_versions_VERSION.json and __404.synthesized.json,
// marathon__POST__v2_apps__409.synthesized.json, __400.json, __400_empty.synthesized.json,
// __400_malformed.synthesized.json, __422_no-cmd.synthesized.json,
// marathon__PUT__v2_apps_ID__422.synthesized.json, marathon__ANY__unknown_route__404.synthesized.json;
// events (synthesized): event_stream_attached, deployment_info,
// deployment_success, deployment_failed, status_update_event,
// health_status_changed_event, unhealthy_instance_kill_event.
// Covered (fidelity_schema_test.go): schema/AppDefinition.json.
// Covered (tasks_test.go): marathon__GET__v2_tasks.synthesized.txt, the
// text/plain task list. Not covered, so not copied into testdata: the
// upstream text example (marathon__GET__v2_tasks.txt, superseded); events
// the simulator does not emit (api_post_event,
// group_change_*, deployment_step_*,
// add/remove/failed_health_check_event, app_terminated_event, instance_*,
// pod_created_event, framework_message_event, subscribe/unsubscribe_event,
// event_stream_detached, and the 1.3 name unhealthy_task_kill_event); the
// old upstream captures that a synthesized file supersedes (apps, app,
// tasks, deployments, POST/PUT/DELETE bodies); request bodies
// (*.request*.json); schema/Group.json (no groups API) and the RAML.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minka/sim/internal/jsonshape"
)

// refDir holds the Marathon references; a missing file fails the test.
const refDir = "testdata/reference/marathon"

func TestFidelity(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	c := New(Options{Now: clk.Now})
	hs := httptest.NewServer(c.Marathon())
	defer hs.Close()
	call := func(method, path, body string) any { return callJSON(t, hs.URL, method, path, body).body }
	def := `{"id":"/test/my-app","cmd":"python3 -m http.server $PORT0","instances":2,"cpus":0.1,"mem":64,` +
		`"healthChecks":[{"protocol":"HTTP","path":"/health","portIndex":0,"gracePeriodSeconds":300,"intervalSeconds":60,"timeoutSeconds":20,"maxConsecutiveFailures":3,"ignoreHttp1xx":false}]}`
	call("PUT", "/v2/apps/test/my-app", def)
	during := call("GET", "/v2/apps/test/my-app", "")
	deployments := call("GET", "/v2/deployments", "")
	locked := call("PUT", "/v2/apps/test/my-app", `{"instances":3}`)
	clk.Add(5 * time.Second)
	cases := []struct {
		name   string
		got    any
		ignore []string
	}{
		{"marathon__GET__v2_apps_ID.synthesized.json", call("GET", "/v2/apps/test/my-app", ""), []string{".app.lastTaskFailure", ".app.env", ".app.labels"}},
		{"marathon__GET__v2_apps_ID__during-deployment.synthesized.json", during, []string{".app.lastTaskFailure", ".app.env", ".app.labels"}},
		{"marathon__GET__v2_apps.synthesized.json", call("GET", "/v2/apps?embed=apps.tasks", ""), []string{".apps[].lastTaskFailure", ".apps[].env", ".apps[].labels"}},
		{"marathon__GET__v2_deployments.synthesized.json", deployments, nil},
		{"marathon__GET__v2_tasks.synthesized.json", call("GET", "/v2/tasks", ""), nil},
		{"marathon__GET__v2_apps_ID_versions.synthesized.json", call("GET", "/v2/apps/test/my-app/versions", ""), nil},
		{"marathon__GET__v2_info.json", call("GET", "/v2/info", ""), []string{".marathon_config", ".zookeeper_config", ".http_config", ".event_subscriber"}},
		{"marathon__PUT__v2_apps_ID__409.json", locked, nil},
		{"marathon__POST__v2_apps__422.json", call("POST", "/v2/apps", `{"id":"/Bad","cpus":-1}`), nil},
		{"marathon__GET__v2_apps_ID__404.synthesized.json", call("GET", "/v2/apps/nope", ""), nil},
		{"marathon__DELETE__v2_apps_ID.synthesized.json", call("DELETE", "/v2/apps/test/my-app", ""), nil},
	}
	for _, tc := range cases {
		ref := jsonshape.Load(t, filepath.Join(refDir, tc.name))
		if diffs := jsonshape.Diff(ref, tc.got, tc.ignore...); len(diffs) > 0 {
			t.Errorf("%s differs from the reference:\n  %s", tc.name, strings.Join(diffs, "\n  "))
		}
	}
}

// answer is one response of the simulator: status, decoded JSON, headers.
type answer struct {
	code int
	body any
	hdr  http.Header
}

// callJSON sends a JSON request to the simulator at base.
func callJSON(t *testing.T, base, method, path, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return answer{resp.StatusCode, v, resp.Header}
}
