package test

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	"minka/test/e2e"
)

// TestDevSandbox runs `minka dev` as the README's quick start does and
// checks that the examples were applied through the API it serves.
func TestDevSandbox(t *testing.T) {
	started := time.Now()
	d := e2e.StartDev(t, minkaBin, "../examples")
	lines, env := d.Lines, d.Env
	out := strings.Join(lines, "\n")
	for _, want := range []string{"deployment.minka.dev/web created", "slavepool.minka.dev/trusty-amd64 created", "repo.minka.dev/ceph-master-45e3f3c created"} {
		if !strings.Contains(out, want) {
			t.Errorf("minka dev output lacks %q:\n%s", want, out)
		}
	}
	req, _ := http.NewRequest("GET", env["JENKINS_URL"]+"/api/json", nil)
	req.SetBasicAuth(env["JENKINS_USER"], env["JENKINS_TOKEN"])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("the simulated Jenkins at %q does not answer: %v %v", env["JENKINS_URL"], err, resp)
	} else {
		resp.Body.Close()
	}
	if resp, err := http.Get(strings.TrimSuffix(env["OS_AUTH_URL"], "/v3") + "/"); err != nil || resp.StatusCode != http.StatusMultipleChoices {
		t.Errorf("the simulated Keystone at %q does not answer its version document: %v %v", env["OS_AUTH_URL"], err, resp)
	}
	if resp, err := http.Get(env["MARATHON_URL"] + "/v2/info"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the simulated Marathon at %q does not answer /v2/info: %v %v", env["MARATHON_URL"], err, resp)
	}
	mreq, _ := http.NewRequest("POST", env["MESOS_URL"]+"/api/v1", strings.NewReader(`{"type":"GET_HEALTH"}`))
	mreq.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(mreq); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the simulated Mesos master at %q does not answer GET_HEALTH: %v %v", env["MESOS_URL"], err, resp)
	}
	if _, err := os.Stat(env["OS_CLIENT_CONFIG_FILE"]); err != nil || env["OS_CLOUD"] == "" {
		t.Errorf("clouds.yaml: %v, OS_CLOUD %q", err, env["OS_CLOUD"])
	}
	nodes := strings.Split(env["CHACRA_URLS"], ",")
	if len(nodes) != 3 || env["CHACRA_USER"] == "" || env["CHACRA_KEY"] == "" {
		t.Errorf("CHACRA_URLS %q, CHACRA_USER %q, CHACRA_KEY %q: want three nodes and their credentials", env["CHACRA_URLS"], env["CHACRA_USER"], env["CHACRA_KEY"])
	}
	for _, n := range nodes {
		if resp, err := http.Get(n + "/health/"); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("the simulated chacra node %q does not answer /health/: %v %v", n, err, resp)
		}
	}
	nreq, _ := http.NewRequest("GET", env["SHAMAN_URL"]+"/api/nodes/next/", nil)
	nreq.SetBasicAuth(env["SHAMAN_USER"], env["SHAMAN_KEY"])
	if resp, err := http.DefaultClient.Do(nreq); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the shaman endpoints at %q do not hand out a node: %v %v", env["SHAMAN_URL"], err, resp)
	}
	t.Logf("minka dev ready %v after start; sourced %d variables", time.Since(started).Round(time.Millisecond), len(env))
	s := &Server{URL: env["MINKA_SERVER"]}
	// Without --auth the web view needs no login: its session is the
	// anonymous admin's.
	if !strings.Contains(out, "# minka dev: web UI at "+s.URL+"/ui/") {
		t.Errorf("minka dev does not print the web view's address:\n%s", out)
	}
	if resp, err := http.Get(s.URL + "/ui/session"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /ui/session without auth: %v %v", err, resp)
	} else {
		var sess struct {
			User        string `json:"user"`
			AuthEnabled bool   `json:"authEnabled"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&sess)
		resp.Body.Close()
		if sess.User != "anonymous" || sess.AuthEnabled {
			t.Errorf("the web view's session without auth: %+v, want the anonymous admin", sess)
		}
	}
	if got, _, code := Minka(t, s, "", "get", "deploy", "web", "-n", "ci", "-o", "name"); code != 0 || got != "deployment.minka.dev/web\n" {
		t.Errorf("get from the sandbox: %d %q", code, got)
	}
	// The example Repo's binaries were uploaded: it goes Ready.
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, _, _ := Minka(t, s, "", "get", "repo", "ceph-master-45e3f3c", "-n", "ci", "-o", "json")
		var r v1alpha1.Repo
		if json.Unmarshal([]byte(got), &r) == nil && meta.IsStatusConditionTrue(r.Status.Conditions, "Ready") {
			break
		}
		if time.Now().After(deadline) {
			out, _, _ := Minka(t, s, "", "describe", "repo", "ceph-master-45e3f3c", "-n", "ci")
			t.Fatalf("the example Repo is not Ready 30s after minka dev was:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The example Build goes round the whole loop: described from the
	// sandbox's git server, built by the job on a pool agent, its Repo
	// Ready, staging then production rolled out.
	if resp, err := http.Get(env["GIT_URL"] + "/info/refs?service=git-upload-pack"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the sandbox's git server at %q does not advertise refs: %v %v", env["GIT_URL"], err, resp)
	}
	deadline = time.Now().Add(90 * time.Second)
	for {
		got, _, _ := Minka(t, s, "", "get", "build", "webapp-manual-1", "-n", "ci", "-o", "json")
		var b v1alpha1.Build
		if json.Unmarshal([]byte(got), &b) == nil && v1alpha1.Finished(b.Status.Phase) {
			if b.Status.Phase != v1alpha1.BuildSucceeded || b.Status.Reason != "Deployed" || !strings.HasPrefix(b.Status.Describe, "v1.1.0-1-g") {
				out, _, _ := Minka(t, s, "", "describe", "build", "webapp-manual-1", "-n", "ci")
				t.Fatalf("the example Build did not go round the loop:\n%s", out)
			}
			break
		}
		if time.Now().After(deadline) {
			out, _, _ := Minka(t, s, "", "describe", "build", "webapp-manual-1", "-n", "ci")
			t.Fatalf("the example Build is not finished 90s after minka dev was ready:\n%s", out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	for _, app := range []string{"web-staging", "web"} {
		got, _, _ := Minka(t, s, "", "get", "deploy", app, "-n", "ci", "-o", "json")
		var d v1alpha1.Deployment
		if err := json.Unmarshal([]byte(got), &d); err != nil || !strings.HasPrefix(d.Spec.Image, "registry.example.com/webapp:webapp-1-master-v1.1.0-1-g") {
			t.Errorf("deployment %s after the example Build: %q %v", app, d.Spec.Image, err)
		}
	}
	// The example Alert told the simulated Slack, in order.
	want := []string{"Build ci/webapp-manual-1 started", "Build ci/webapp-manual-1 succeeded in Jenkins",
		"Deployment ci/web-staging rolled out", "Deployment ci/web rolled out", "Build ci/webapp-manual-1 succeeded and deployed"}
	var titles []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		titles = slackTitles(t, env["SLACK_URL"])
		if inOrder(titles, want) {
			break
		}
	}
	if !inOrder(titles, want) {
		t.Errorf("the simulated Slack got %q, want %q among them in order", titles, want)
	}
	d.Stop(t)
}

// slackTitles are the attachment titles the simulated Slack took.
func slackTitles(t *testing.T, base string) []string {
	resp, err := http.Get(base + "/__sim/messages")
	if err != nil {
		t.Errorf("the simulated Slack at %q: %v", base, err)
		return nil
	}
	defer resp.Body.Close()
	var msgs []struct {
		Payload struct {
			Attachments []struct {
				Title string `json:"title"`
			} `json:"attachments"`
		} `json:"payload"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&msgs)
	var out []string
	for _, m := range msgs {
		for _, a := range m.Payload.Attachments {
			out = append(out, a.Title)
		}
	}
	return out
}

// inOrder says whether, from the first of want on, the titles of want
// came exactly in that order, each once (the initial rollouts before
// the Build are messages of their own).
func inOrder(got, want []string) bool {
	from := slices.Index(got, want[0])
	if from < 0 {
		return false
	}
	var seen []string
	for _, g := range got[from:] {
		if slices.Contains(want, g) {
			seen = append(seen, g)
		}
	}
	return slices.Equal(seen, want)
}
