package marathon

// Fidelity of the event stream, lastTaskFailure and the error bodies
// against testdata/reference/marathon (see fidelity_test.go for the
// list of covered files).

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"minka/sim/internal/jsonshape"
)

// eventLog keeps the first payload of each event type read off /v2/events.
type eventLog struct {
	mu    sync.Mutex
	first map[string]any
}

func (l *eventLog) get(typ string) any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first[typ]
}

func attach(t *testing.T, url string) *eventLog {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/v2/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// Jetty's EventSourceServlet.respond sets the UTF-8 encoding, then
	// text/event-stream (the old expectation, without the charset, was
	// not what Marathon sends).
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream;charset=UTF-8" {
		t.Fatalf("event stream Content-Type %q", ct)
	}
	l := &eventLog{first: map[string]any{}}
	go func() { // ends when Cluster.Close ends the stream
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(data), &v); err != nil {
				t.Errorf("event data is not JSON: %v: %s", err, data)
				return
			}
			l.mu.Lock()
			if typ, _ := v["eventType"].(string); l.first[typ] == nil {
				l.first[typ] = v
			}
			l.mu.Unlock()
		}
	}()
	return l
}

func TestFidelityEventsAndErrors(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	c := New(Options{Now: clk.Now})
	hs := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); hs.Close() }()
	call := func(method, path, body string) answer { return callJSON(t, hs.URL, method, path, body) }
	events := attach(t, hs.URL)
	def := `{"id":"/test/my-app","container":{"type":"DOCKER","docker":{"image":"web:1","network":"BRIDGE",` +
		`"portMappings":[{"containerPort":8080,"hostPort":0,"protocol":"tcp"}]}},"instances":2,"cpus":0.1,"mem":64,` +
		`"healthChecks":[{"protocol":"HTTP","path":"/health","portIndex":0,"gracePeriodSeconds":300,"intervalSeconds":60,"timeoutSeconds":20,"maxConsecutiveFailures":3,"ignoreHttp1xx":false}]}`
	created := call("PUT", "/v2/apps/test/my-app", def)
	firstVersion := created.body.(map[string]any)["version"].(string)
	clk.Add(3 * time.Second)
	c.Tick()
	c.MarkImageBad("web:bad")
	bad := call("PUT", "/v2/apps/test/my-app", `{"container":{"type":"DOCKER","docker":{"image":"web:bad","network":"BRIDGE",`+
		`"portMappings":[{"containerPort":8080,"hostPort":0,"protocol":"tcp"}]}}}`)
	for i := 0; i < 4; i++ { // stage, run, fail the check, get killed
		clk.Add(time.Second)
		c.Tick()
	}
	withFailure := call("GET", "/v2/apps/test/my-app", "")
	rollback := call("DELETE", "/v2/deployments/"+bad.body.(map[string]any)["deploymentId"].(string), "")
	posted := call("POST", "/v2/apps", `{"id":"other","cmd":"sleep 100","instances":1}`)
	cases := []struct {
		name   string
		code   int
		got    answer
		ignore []string
	}{
		{"marathon__GET__v2_apps_ID.synthesized.json", 200, withFailure, []string{".app.env", ".app.labels"}},
		{"marathon__PUT__v2_apps_ID.synthesized.json", 201, created, nil},
		{"marathon__DELETE__v2_deployments_ID.synthesized.json", 200, rollback, nil},
		{"marathon__POST__v2_apps.synthesized.json", 201, posted, []string{".env", ".labels"}},
		{"marathon__GET__v2_apps_ID_versions_VERSION.json", 200, call("GET", "/v2/apps/test/my-app/versions/"+firstVersion, ""), []string{".env"}},
		{"marathon__GET__v2_apps_ID_versions_VERSION__404.synthesized.json", 404, call("GET", "/v2/apps/test/my-app/versions/2017-06-14T09:00:00.000Z", ""), nil},
		{"marathon__DELETE__v2_deployments_ID__404.synthesized.json", 404, call("DELETE", "/v2/deployments/0a0a0a0a-1111-2222-3333-444444444444", ""), nil},
		{"marathon__POST__v2_apps__409.synthesized.json", 409, call("POST", "/v2/apps", def), nil},
		{"marathon__POST__v2_apps__400.json", 400, call("POST", "/v2/apps", `{"id":7}`), nil},
		{"marathon__POST__v2_apps__400_empty.synthesized.json", 400, call("POST", "/v2/apps", ``), nil},
		{"marathon__POST__v2_apps__400_malformed.synthesized.json", 400, call("POST", "/v2/apps", `{"id":"/test"`), nil},
		{"marathon__POST__v2_apps__422_no-cmd.synthesized.json", 422, call("POST", "/v2/apps", `{"id":"/nocmd"}`), nil},
		{"marathon__PUT__v2_apps_ID__422.synthesized.json", 422, call("PUT", "/v2/apps/Bad_Id", `{"cmd":"x"}`), nil},
		{"marathon__ANY__unknown_route__404.synthesized.json", 404, call("GET", "/v2/appz", ""), nil},
	}
	// Jersey makes a 201's relative Location absolute against the
	// request's path (ContainerResponse.setHeaders): the old expectation,
	// a bare "/v2/apps/other", was not what Marathon sends.
	if created.hdr.Get("Marathon-Deployment-Id") == "" || posted.hdr.Get("Location") != hs.URL+"/v2/apps/other" {
		t.Errorf("headers: Marathon-Deployment-Id %q, Location %q", created.hdr.Get("Marathon-Deployment-Id"), posted.hdr.Get("Location"))
	}
	if msg := call("GET", "/v2/appz", "").body.(map[string]any)["message"]; msg != "URI not found: /v2/appz" {
		t.Errorf("unknown route message %q", msg)
	}
	for _, tc := range cases {
		if tc.got.code != tc.code {
			t.Errorf("%s: status %d, want %d", tc.name, tc.got.code, tc.code)
		}
		ref := jsonshape.Load(t, filepath.Join(refDir, tc.name))
		if diffs := jsonshape.Diff(ref, tc.got.body, tc.ignore...); len(diffs) > 0 {
			t.Errorf("%s differs from the reference:\n  %s", tc.name, strings.Join(diffs, "\n  "))
		}
	}
	lf := withFailure.body.(map[string]any)["app"].(map[string]any)["lastTaskFailure"].(map[string]any)
	if lf["state"] != "TASK_KILLED" || !strings.Contains(lf["message"].(string), "Connection attempt") {
		t.Errorf("lastTaskFailure %v: want the health-check kill", lf)
	}

	eventFiles := map[string]string{
		"event_stream_attached":         "marathon-event__event_stream_attached.synthesized.json",
		"deployment_info":               "marathon-event__deployment_info.synthesized.json",
		"deployment_success":            "marathon-event__deployment_success.synthesized.json",
		"deployment_failed":             "marathon-event__deployment_failed.synthesized.json",
		"status_update_event":           "marathon-event__status_update_event.synthesized.json",
		"health_status_changed_event":   "marathon-event__health_status_changed_event.synthesized.json",
		"unhealthy_instance_kill_event": "marathon-event__unhealthy_instance_kill_event.synthesized.json",
	}
	deadline := time.Now().Add(5 * time.Second)
	for typ, file := range eventFiles {
		for events.get(typ) == nil && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		got := events.get(typ)
		if got == nil {
			t.Errorf("no %s event on /v2/events", typ)
			continue
		}
		ref := jsonshape.Load(t, filepath.Join(refDir, file))
		// The references' app is a command app, ours a docker one.
		if diffs := jsonshape.Diff(ref, got, ".plan.original.groups[].apps[].env", ".plan.target.groups[].apps[].env",
			".plan.original.groups[].apps[].labels", ".plan.target.groups[].apps[].labels"); len(diffs) > 0 {
			t.Errorf("%s differs from %s:\n  %s", typ, file, strings.Join(diffs, "\n  "))
		}
	}
}
