package jenkins

// Fidelity: the simulator's JSON against testdata/reference/jenkins
// (provenance and licence in its README.md) — every field a reference
// object has must exist in the simulator's with the same JSON type (values
// may differ; a null in the reference checks presence only).
//
// Covered: crumb-issuer.synthesized.json, queue.json (a buildable item),
// queue-stuck.synthesized.json (its first item: the buildable shape),
// queue-item-left-with-executable.json, computer-modern.synthesized.json,
// build.json, job-parameterized.json.
// queue-item-left-cancelled.json (POST /queue/cancelItem?id=N).
// Not covered, so not copied into testdata: queue-item-blocked.json (the
// simulator never blocks an item: it has no concurrency or upstream
// locks), computer.json (pre-2.x "master" shape; the modern file is
// covered); cause-of-blockage-messages.json and
// gojenkins-v1.1.0-http-exchanges.json are prose and templates, followed by
// the why-text and gojenkins tests in jenkins_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"minka/sim/internal/jsonshape"
)

// refDir holds the Jenkins references; a missing file fails the test.
const refDir = "testdata/reference/jenkins"

func readRef(t *testing.T, name string) any {
	t.Helper()
	return jsonshape.Load(t, filepath.Join(refDir, name))
}

func fetch(t *testing.T, url string) any {
	req, _ := http.NewRequest("GET", url, nil)
	req.SetBasicAuth("admin", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return v
}

func TestFidelity(t *testing.T) {
	c := newClock()
	s := newSim(c)
	jk, hs := start(t, s)
	ctx := context.Background()
	_, _ = jk.CreateJob(ctx, trustyJob, "webapp")
	waiting, _ := jk.BuildJob(ctx, "webapp", map[string]string{"DISTRO": "a"})
	_, _ = jk.CreateNode(ctx, "agent-1", 1, "", "/home/jenkins", "trusty amd64", map[string]string{"method": "JNLPLauncher"})
	queue := fetch(t, hs.URL+"/queue/api/json")
	_ = s.Connect("agent-1", jnlpSecret(t, hs.URL, "agent-1"))
	c.Add(2 * time.Minute)                                              // build 1 done
	_, _ = jk.BuildJob(ctx, "webapp", map[string]string{"DISTRO": "b"}) // runs
	_, _ = jk.BuildJob(ctx, "webapp", map[string]string{"DISTRO": "c"}) // waits: the job is inQueue
	_, _ = jk.CreateJob(ctx, trustyJob, "other")
	doomed, _ := jk.BuildJob(ctx, "other", nil)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/queue/cancelItem?id=%d", hs.URL, doomed), nil)
	req.SetBasicAuth("admin", "token")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// Queue.doCancelItem answers 204 since JENKINS-21311 (2.215).
	if resp, err := noRedirect.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /queue/cancelItem: %v %v", err, resp)
	}
	if left := fetch(t, fmt.Sprintf("%s/queue/item/%d/api/json", hs.URL, doomed)).(map[string]any); left["cancelled"] != true {
		t.Errorf("cancelled item: %v", left)
	}
	cases := []struct {
		ref, url string
		got      any
		ignore   []string
	}{
		{ref: "crumb-issuer.synthesized.json", url: "/crumbIssuer/api/json"},
		// The reference holds a BooleanParameterValue; the simulator's parameters are strings.
		{ref: "queue.json", got: queue, ignore: []string{".items[].actions[].parameters[].value"}},
		{ref: "queue-stuck.synthesized.json", got: queue},
		{ref: "queue-item-left-with-executable.json", url: fmt.Sprintf("/queue/item/%d/api/json", waiting)},
		{ref: "queue-item-left-cancelled.json", url: fmt.Sprintf("/queue/item/%d/api/json", doomed)},
		{ref: "computer-modern.synthesized.json", url: "/computer/api/json?depth=1"},
		{ref: "build.json", url: "/job/webapp/1/api/json",
			// SCM, artifacts' files and test-report fields: the simulator builds nothing.
			ignore: []string{".changeSet", ".culprits", ".artifacts", ".actions[].causes", ".actions[].parameters[].value", ".executor", ".fullDisplayName"}},
		{ref: "job-parameterized.json", url: "/job/webapp/api/json",
			ignore: []string{".healthReport", ".scm", ".upstreamProjects", ".downstreamProjects", ".actions",
				".property[].parameterDefinitions[].defaultParameterValue.value"}},
	}
	for _, tc := range cases {
		got := tc.got
		if got == nil {
			got = fetch(t, hs.URL+tc.url)
		}
		if diffs := jsonshape.Diff(readRef(t, tc.ref), got, tc.ignore...); len(diffs) > 0 {
			t.Errorf("%s differs from the reference:\n  %s", tc.ref, joinLines(diffs))
		}
	}
}

func joinLines(s []string) string {
	out := ""
	for i, l := range s {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}
