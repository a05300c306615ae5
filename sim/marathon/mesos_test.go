package marathon

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/client"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/master"
	"github.com/mesos/mesos-go/api/v1/lib/master/calls"

	"minka/sim/internal/jsonshape"
)

func mesosCall(t *testing.T, cli *httpcli.Client, call *master.Call) *master.Response {
	t.Helper()
	resp, err := cli.Send(client.RequestSingleton(call), client.ResponseClassSingleton)
	if err != nil {
		t.Fatalf("%s: %v", call.Type, err)
	}
	defer resp.Close()
	var r master.Response
	if err := resp.Decode(&r); err != nil {
		t.Fatalf("decoding %s: %v", call.Type, err)
	}
	return &r
}

// TestOperatorAPIThroughMesosGo: the agents and tasks Marathon placed, as
// mesos-go v0.0.11 reads them from POST /api/v1.
func TestOperatorAPIThroughMesosGo(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	c := New(Options{Now: clk.Now})
	ms := httptest.NewServer(c.Mesos())
	mh := httptest.NewServer(c.Marathon())
	defer ms.Close()
	defer mh.Close()
	req, _ := http.NewRequest("PUT", mh.URL+"/v2/apps/ci/web", strings.NewReader(`{"instances":2,"cpus":0.5,"mem":256,"cmd":"sleep 1000"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("PUT app: %v %v", err, resp)
	}
	clk.Add(2 * time.Second)
	cli := httpcli.New(httpcli.Endpoint(ms.URL+"/api/v1"), httpcli.Codec(codecs.ByMediaType[codecs.MediaTypeJSON]))
	if r := mesosCall(t, cli, calls.GetHealth()); !r.GetGetHealth().Healthy {
		t.Errorf("GET_HEALTH: %+v", r)
	}
	if r := mesosCall(t, cli, calls.GetVersion()); r.GetGetVersion().VersionInfo.Version == "" {
		t.Errorf("GET_VERSION: %+v", r)
	}
	agents := mesosCall(t, cli, calls.GetAgents()).GetGetAgents().Agents
	if len(agents) != 3 {
		t.Fatalf("GET_AGENTS: %d agents, want 3", len(agents))
	}
	var cpus float64
	for _, res := range agents[0].TotalResources {
		if res.Name == "cpus" && res.GetType() == mesos.SCALAR {
			cpus = res.GetScalar().Value
		}
	}
	if cpus != 4 {
		t.Errorf("agent cpus %v, want 4", cpus)
	}
	tasks := mesosCall(t, cli, calls.GetTasks()).GetGetTasks().Tasks
	if len(tasks) != 2 || tasks[0].GetState() != mesos.TASK_RUNNING || tasks[0].FrameworkID.Value != frameworkID {
		t.Errorf("GET_TASKS: %+v", tasks)
	}
	state := mesosCall(t, cli, calls.GetState()).GetGetState()
	if len(state.GetGetAgents().Agents) != 3 || len(state.GetGetTasks().Tasks) != 2 || len(state.GetGetFrameworks().Frameworks) != 1 {
		t.Errorf("GET_STATE: %+v", state)
	}
}

// mesosRefDir holds the Mesos operator API references; a missing file
// fails the test.
const mesosRefDir = "testdata/reference/mesos"

func TestOperatorAPIErrorsAndFidelity(t *testing.T) {
	c := New(Options{})
	ms := httptest.NewServer(c.Mesos())
	defer ms.Close()
	cases := []struct {
		reason, method, ct, body string
		code                     int
	}{
		{"GET is not a call", "GET", "", "", 405},
		{"no content type", "POST", "", `{"type":"GET_HEALTH"}`, 400},
		{"protobuf is not simulated", "POST", "text/plain", `{"type":"GET_HEALTH"}`, 415},
		{"bad JSON", "POST", "application/json", `{`, 400},
		{"an unknown call", "POST", "application/json", `{"type":"UNKNOWN"}`, 501},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, ms.URL+"/api/v1", strings.NewReader(tc.body))
		if tc.ct != "" {
			req.Header.Set("Content-Type", tc.ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("%s: %d, want %d", tc.reason, resp.StatusCode, tc.code)
		}
	}
	// A running task, so that GET_TASKS and GET_STATE have one to compare.
	mh := httptest.NewServer(c.Marathon())
	defer mh.Close()
	put, _ := http.NewRequest("PUT", mh.URL+"/v2/apps/ci/web", strings.NewReader(`{"instances":1,"cpus":0.5,"mem":256,"cmd":"sleep 1000"}`))
	if resp, err := http.DefaultClient.Do(put); err != nil || resp.StatusCode != 201 {
		t.Fatalf("PUT app: %v %v", err, resp)
	}
	// Covered: the six responses below, from testdata/reference/mesos
	// (provenance in its README.md). The upstream set's request bodies
	// (mesos__*.request.json, not copied) are what mesos-go sends;
	// TestOperatorAPIThroughMesosGo sends them through mesos-go itself.
	for _, tc := range []struct{ call, ref string }{
		{"GET_HEALTH", "mesos__GET_HEALTH.json"},
		{"GET_VERSION", "mesos__GET_VERSION.json"},
		{"GET_AGENTS", "mesos__GET_AGENTS.json"},
		{"GET_FRAMEWORKS", "mesos__GET_FRAMEWORKS.json"},
		{"GET_STATE", "mesos__GET_STATE.json"},
		{"GET_TASKS", "mesos__GET_TASKS.json"},
	} {
		req, _ := http.NewRequest("POST", ms.URL+"/api/v1", strings.NewReader(`{"type":"`+tc.call+`"}`))
		req.Header.Set("Content-Type", "application/json")
		got := fetchJSON(t, req)
		ref := jsonshape.Load(t, filepath.Join(mesosRefDir, tc.ref))
		if diffs := jsonshape.Diff(ref, got); len(diffs) > 0 {
			t.Errorf("%s differs from the reference:\n  %s", tc.call, strings.Join(diffs, "\n  "))
		}
	}
}

func fetchJSON(t *testing.T, req *http.Request) any {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q: mesos-go wants application/json exactly", ct)
	}
	var v any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return v
}
