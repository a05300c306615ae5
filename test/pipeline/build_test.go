package pipeline

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	"minka/sim/jenkins"
)

// TestBuildFromPushToJenkins: a signed push becomes Build webapp-1, whose
// tag minka computes from the git source before the build (describe as
// git prints it), whose Jenkins build gets every parameter, and whose
// console `minka logs` prints; a tag build is stable; a source that
// cannot be reached still builds, unstable, with the reason.
func TestBuildFromPushToJenkins(t *testing.T) {
	e := startBuildWorld(t, jenkins.Options{BuiltInExecutors: 2, BuildDuration: 500 * time.Millisecond}, "")
	s, cli := buildServer(t, e, "--controllers", "pipeline")
	apply(t, s, e.pipelineManifest("webapp", "  artifacts: {image: {repository: registry.example.com/webapp}}\n"))
	head, err := e.git.Head("master")
	if err != nil {
		t.Fatal(err)
	}
	code, body := pushGitHub(t, s, "webapp", "d-1", "master", head)
	if code != 201 || !strings.Contains(body, "webapp-1") {
		t.Fatalf("push: %d %s", code, body)
	}
	b := waitBuild(t, cli, "webapp-1", 30*time.Second, "Succeeded", finished)
	describe := "v1.1.0-1-g" + head[:7] // the seed: one commit past v1.1.0
	if b.Status.Phase != v1alpha1.BuildSucceeded || b.Status.Describe != describe || b.Status.Stable ||
		b.Status.Tag != "webapp-1-master-"+describe || b.Status.SHA1 != head || b.Status.Result != "SUCCESS" {
		t.Fatalf("build: %+v", b.Status)
	}
	builds := e.jenkins.Builds("webapp-build")
	if len(builds) != 1 {
		t.Fatalf("jenkins builds: %d", len(builds))
	}
	want := map[string]string{"BRANCH": "master", "SHA1": head, "TAG": b.Status.Tag, "BUILD_NUMBER": "1", "MINKA_BUILD": "ci/webapp-1",
		"IMAGE": "registry.example.com/webapp:" + b.Status.Tag}
	for k, v := range want {
		if got := builds[0].Params[k]; got != v {
			t.Errorf("jenkins parameter %s = %q, want %q", k, got, v)
		}
	}
	if b.Status.JenkinsBuild != int64(builds[0].Number) || !strings.HasSuffix(b.Status.URL, fmt.Sprintf("/job/webapp-build/%d/", builds[0].Number)) ||
		b.Status.QueueItem != int64(builds[0].QueueID) || b.Status.StartTime == nil || b.Status.CompletionTime == nil {
		t.Fatalf("jenkins ids and times: %+v", b.Status)
	}
	out, errOut, rc := Minka(t, s, "", "logs", "build", "webapp-1", "-n", "ci")
	if rc != 0 || !strings.Contains(out, "Finished: SUCCESS") || strings.Contains(out, "\r") {
		t.Fatalf("minka logs: rc=%d %q %s", rc, out, errOut)
	}

	// A tag: stable.
	out, errOut, rc = Minka(t, s, "", "trigger", "pipeline", "webapp", "--tag", "v1.1.0", "-n", "ci")
	if rc != 0 {
		t.Fatalf("trigger --tag: %s%s", out, errOut)
	}
	b = waitBuild(t, cli, "webapp-2", 30*time.Second, "finished", finished)
	if b.Status.Phase != v1alpha1.BuildSucceeded || !b.Status.Stable || b.Status.Tag != "webapp-2-v1.1.0-v1.1.0" {
		t.Fatalf("tag build: %+v", b.Status)
	}
	// logs -f of a finished build ends.
	if out, errOut, rc = Minka(t, s, "", "logs", "-f", "build/webapp-2", "-n", "ci"); rc != 0 || !strings.Contains(out, "GIT_TAG") && !strings.Contains(out, "Finished: SUCCESS") {
		t.Fatalf("minka logs -f: rc=%d %q %s", rc, out, errOut)
	}

	// History: with historyLimit 1 the Pipeline keeps its newest finished
	// Build only.
	apply(t, s, e.pipelineManifest("webapp", "  artifacts: {image: {repository: registry.example.com/webapp}}\n  historyLimit: 1\n"))
	deadline := time.Now().Add(20 * time.Second)
	for {
		bs := listBuilds(t, cli, "webapp")
		if len(bs) == 1 && bs[0].Name == "webapp-2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("historyLimit 1: %d builds left", len(bs))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Serial: three Builds of one branch run one after the other, in
	// number order, though Jenkins has two executors.
	apply(t, s, e.pipelineManifest("serial", "  concurrency: {policy: Serial}\n"))
	for i := 0; i < 3; i++ {
		if out, errOut, rc := Minka(t, s, "", "trigger", "pipeline", "serial", "--branch", "master", "-n", "ci"); rc != 0 {
			t.Fatalf("trigger serial: %s%s", out, errOut)
		}
	}
	waitBuild(t, cli, "serial-2", 30*time.Second, "waiting", func(b *v1alpha1.Build) bool {
		return b.Status.Reason == "WaitingForBuild" || finished(b)
	})
	var prev jenkins.BuildInfo
	for i := 1; i <= 3; i++ {
		waitBuild(t, cli, fmt.Sprintf("serial-%d", i), 30*time.Second, "finished", finished)
	}
	for _, jb := range e.jenkins.Builds("webapp-build") {
		if !strings.HasPrefix(jb.Params["MINKA_BUILD"], "ci/serial-") {
			continue
		}
		if prev.Number != 0 && (jb.Started.Before(prev.Ended) || jb.Params["MINKA_BUILD"] <= prev.Params["MINKA_BUILD"]) {
			t.Errorf("serial: %s started at %v, before %s ended at %v", jb.Params["MINKA_BUILD"], jb.Started, prev.Params["MINKA_BUILD"], prev.Ended)
		}
		prev = jb
	}

	// A source nobody can reach: built all the same, unstable, and said.
	apply(t, s, strings.Replace(e.pipelineManifest("offline", ""), e.gitURL, "http://127.0.0.1:1/gone.git", 1))
	sha := strings.Repeat("ab", 20)
	if out, errOut, rc = Minka(t, s, "", "trigger", "pipeline", "offline", "--branch", "master", "--sha1", sha, "-n", "ci"); rc != 0 {
		t.Fatalf("trigger offline: %s%s", out, errOut)
	}
	b = waitBuild(t, cli, "offline-1", 30*time.Second, "finished", finished)
	c := meta.FindStatusCondition(b.Status.Conditions, "Described")
	if b.Status.Phase != v1alpha1.BuildSucceeded || b.Status.Describe != "g"+sha[:7] || b.Status.Stable || c == nil || c.Reason != "SourceUnreachable" ||
		!strings.Contains(c.Message, "127.0.0.1:1") {
		t.Fatalf("offline build: %+v", b.Status)
	}
}

// TestBuildReplace: under Replace, 20 pushes to one branch leave exactly
// one Succeeded Build, of the newest sha1; the others are Cancelled, and
// what they had in Jenkins was cancelled or stopped.
func TestBuildReplace(t *testing.T) {
	e := startBuildWorld(t, jenkins.Options{BuiltInExecutors: 4, BuildDuration: 3 * time.Second}, "")
	s, cli := buildServer(t, e, "--controllers", "pipeline")
	apply(t, s, e.pipelineManifest("webapp", "  concurrency: {policy: Replace}\n  historyLimit: 50\n"))
	var last string
	for i := 1; i <= 20; i++ {
		sha, err := e.git.Commit("master", fmt.Sprintf("change %d", i), map[string]string{"n.txt": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		last = sha
		if code, body := pushGitHub(t, s, "webapp", fmt.Sprintf("r-%d", i), "master", sha); code != 201 {
			t.Fatalf("push %d: %d %s", i, code, body)
		}
		time.Sleep(150 * time.Millisecond)
	}
	waitBuild(t, cli, "webapp-20", 60*time.Second, "finished", finished)
	deadline := time.Now().Add(30 * time.Second)
	for {
		all := listBuilds(t, cli, "webapp")
		done, succeeded := 0, []string{}
		for _, b := range all {
			if finished(b) {
				done++
			}
			if b.Status.Phase == v1alpha1.BuildSucceeded {
				succeeded = append(succeeded, b.Name)
			}
		}
		if done == len(all) {
			if len(all) != 20 || len(succeeded) != 1 || succeeded[0] != "webapp-20" {
				t.Fatalf("%d builds, succeeded %v", len(all), succeeded)
			}
			for _, b := range all {
				if b.Name != "webapp-20" && (b.Status.Phase != v1alpha1.BuildCancelled || b.Status.Reason != "Replaced") {
					t.Errorf("%s: %s %s %s", b.Name, b.Status.Phase, b.Status.Reason, b.Status.Message)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("builds not all finished: %d of %d", done, len(all))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if b := getBuild(t, cli, "webapp-20"); b.Status.SHA1 != last {
		t.Fatalf("the Succeeded build built %s, the newest push was %s", b.Status.SHA1, last)
	}
	// Jenkins: one SUCCESS, and every other build it started ABORTED.
	success := 0
	for _, jb := range e.jenkins.Builds("webapp-build") {
		switch jb.Result {
		case "SUCCESS":
			success++
			if jb.Params["MINKA_BUILD"] != "ci/webapp-20" {
				t.Errorf("jenkins #%d succeeded for %s", jb.Number, jb.Params["MINKA_BUILD"])
			}
		case "ABORTED":
		default:
			t.Errorf("jenkins #%d (%s): %q", jb.Number, jb.Params["MINKA_BUILD"], jb.Result)
		}
	}
	if success != 1 {
		t.Fatalf("%d jenkins builds succeeded", success)
	}
	for id, n := range e.requestsPer("webapp-build") {
		if n > 1 {
			t.Errorf("%s triggered %d times", id, n)
		}
	}
}

// TestBuildsWaitForControllers: 20 pushes while no controller runs are
// Builds in etcd; once the controllers start, all 20 run, each triggered
// once.
func TestBuildsWaitForControllers(t *testing.T) {
	e := startBuildWorld(t, jenkins.Options{BuiltInExecutors: 4, BuildDuration: 300 * time.Millisecond}, "")
	dir := t.TempDir()
	s, cli := buildServer(t, e, "--controllers", "none", "--data-dir", dir)
	apply(t, s, e.pipelineManifest("webapp", "  historyLimit: 50\n"))
	var wg sync.WaitGroup
	for i := 1; i <= 20; i++ {
		sha, err := e.git.Commit("master", fmt.Sprintf("c%d", i), map[string]string{"n.txt": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body := pushGitHub(t, s, "webapp", fmt.Sprintf("w-%d", i), "master", sha); code != 201 {
				t.Errorf("push %d: %d %s", i, code, body)
			}
		}()
	}
	wg.Wait()
	if n := len(listBuilds(t, cli, "webapp")); n != 20 || len(e.jenkins.BuildRequests("webapp-build")) != 0 {
		t.Fatalf("%d builds stored, %d jenkins requests, before the controllers", n, len(e.jenkins.BuildRequests("webapp-build")))
	}
	if err := s.Stop(t); err != nil {
		t.Fatal(err)
	}
	_, cli = buildServer(t, e, "--controllers", "pipeline", "--data-dir", dir)
	for i := 1; i <= 20; i++ {
		if b := waitBuild(t, cli, fmt.Sprintf("webapp-%d", i), 60*time.Second, "finished", finished); b.Status.Phase != v1alpha1.BuildSucceeded {
			t.Errorf("webapp-%d: %s %s", i, b.Status.Phase, b.Status.Message)
		}
	}
	reqs := e.requestsPer("webapp-build")
	if len(reqs) != 20 {
		t.Fatalf("jenkins was asked for %d builds, want 20", len(reqs))
	}
	for id, n := range reqs {
		if n != 1 {
			t.Errorf("%s triggered %d times", id, n)
		}
	}
}

// TestBuildTriggerSurvivesKills: the server is killed (SIGKILL) 10 times
// while Builds are being triggered; no Build's Jenkins build is
// requested twice, and every Build ends Succeeded.
func TestBuildTriggerSurvivesKills(t *testing.T) {
	e := startBuildWorld(t, jenkins.Options{BuiltInExecutors: 8, BuildDuration: 200 * time.Millisecond}, "")
	dir := t.TempDir()
	s, cli := buildServer(t, e, "--controllers", "none", "--data-dir", dir)
	apply(t, s, e.pipelineManifest("webapp", "  historyLimit: 50\n"))
	for i := 1; i <= 30; i++ {
		sha, err := e.git.Commit("master", fmt.Sprintf("k%d", i), map[string]string{"n.txt": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		if code, body := pushGitHub(t, s, "webapp", fmt.Sprintf("k-%d", i), "master", sha); code != 201 {
			t.Fatalf("push %d: %d %s", i, code, body)
		}
	}
	_ = s.Stop(t)
	for kill := 0; kill < 10; kill++ {
		s, _ = buildServer(t, e, "--controllers", "pipeline", "--data-dir", dir)
		before := len(e.jenkins.BuildRequests("webapp-build"))
		deadline := time.Now().Add(10 * time.Second)
		// Kill just after a trigger went out: the window between Jenkins'
		// answer and the status write.
		for len(e.jenkins.BuildRequests("webapp-build")) == before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(kill*7) * time.Millisecond)
		_ = s.Kill()
	}
	_, cli = buildServer(t, e, "--controllers", "pipeline", "--data-dir", dir)
	for i := 1; i <= 30; i++ {
		if b := waitBuild(t, cli, fmt.Sprintf("webapp-%d", i), 60*time.Second, "finished", finished); b.Status.Phase != v1alpha1.BuildSucceeded {
			t.Errorf("webapp-%d: %s %s", i, b.Status.Phase, b.Status.Message)
		}
	}
	reqs := e.requestsPer("webapp-build")
	for id, n := range reqs {
		if n != 1 {
			t.Errorf("%s: %d jenkins build requests", id, n)
		}
	}
	if len(reqs) != 30 || len(e.jenkins.Builds("webapp-build")) != 30 {
		t.Fatalf("%d builds requested, %d jenkins builds; want 30", len(reqs), len(e.jenkins.Builds("webapp-build")))
	}
}

// TestBuildFailures: a queue item Jenkins lost on a restart, a job
// without MINKA_BUILD, a failing result and an unknown job each end
// Failed with their reason, never stuck.
func TestBuildFailures(t *testing.T) {
	e := startBuildWorld(t, jenkins.Options{BuiltInExecutors: 1, BuildDuration: 300 * time.Millisecond}, "")
	s, cli := buildServer(t, e, "--controllers", "pipeline")
	// A label no node has: the item waits in the queue until the restart.
	e.createJob(t, "stuck", "nowhere")
	apply(t, s, strings.Replace(e.pipelineManifest("webapp", ""), "job: webapp-build", "job: stuck", 1))
	head, _ := e.git.Head("master")
	if code, body := pushGitHub(t, s, "webapp", "f-1", "master", head); code != 201 {
		t.Fatalf("push: %d %s", code, body)
	}
	waitBuild(t, cli, "webapp-1", 30*time.Second, "Queued", func(b *v1alpha1.Build) bool { return b.Status.Phase == v1alpha1.BuildQueued })
	e.jenkins.Restart()
	b := waitBuild(t, cli, "webapp-1", 30*time.Second, "finished", finished)
	if b.Status.Phase != v1alpha1.BuildFailed || b.Status.Reason != "QueueItemLost" {
		t.Fatalf("after the restart: %+v", b.Status)
	}

	// A build running when Jenkins restarts: Failed, and said so (the
	// restart changed X-Jenkins-Session).
	apply(t, s, e.pipelineManifest("longrun", "  parameters: {SIM_DURATION: 1h}\n"))
	if out, errOut, rc := Minka(t, s, "", "trigger", "pipeline", "longrun", "--branch", "master", "-n", "ci"); rc != 0 {
		t.Fatalf("trigger longrun: %s%s", out, errOut)
	}
	waitBuild(t, cli, "longrun-1", 30*time.Second, "Running", func(b *v1alpha1.Build) bool { return b.Status.Phase == v1alpha1.BuildRunning })
	e.jenkins.Restart()
	if b := waitBuild(t, cli, "longrun-1", 30*time.Second, "finished", finished); b.Status.Phase != v1alpha1.BuildFailed || b.Status.Reason != "JenkinsRestarted" {
		t.Fatalf("a build cut off by a restart: %+v", b.Status)
	}

	// A Build applied before its Pipeline waits for it.
	apply(t, s, "apiVersion: minka.dev/v1alpha1\nkind: Build\nmetadata: {name: early-manual, namespace: ci}\nspec: {pipeline: early, branch: master}\n")
	waitBuild(t, cli, "early-manual", 30*time.Second, "waiting for its Pipeline", func(b *v1alpha1.Build) bool {
		return b.Status.Phase == v1alpha1.BuildPending && b.Status.Reason == "PipelineNotFound"
	})
	apply(t, s, e.pipelineManifest("early", ""))
	if b := waitBuild(t, cli, "early-manual", 30*time.Second, "finished", finished); b.Status.Phase != v1alpha1.BuildSucceeded {
		t.Fatalf("the early Build: %+v", b.Status)
	}

	e.createRawJob(t, "plain-job", `<?xml version='1.1' encoding='UTF-8'?><project><builders/></project>`)
	for _, tc := range []struct{ pipeline, job, params, reason string }{
		{"plain", "plain-job", "", "JobMissingParameter"},
		{"missing", "no-such-job", "", "JobNotFound"},
		{"failing", "webapp-build", "  parameters: {SIM_RESULT: FAILURE}\n", "JenkinsResult"},
	} {
		apply(t, s, strings.Replace(e.pipelineManifest(tc.pipeline, tc.params), "job: webapp-build", "job: "+tc.job, 1))
		if out, errOut, rc := Minka(t, s, "", "trigger", "pipeline", tc.pipeline, "--branch", "master", "-n", "ci"); rc != 0 {
			t.Fatalf("trigger %s: %s%s", tc.pipeline, out, errOut)
		}
		b := waitBuild(t, cli, tc.pipeline+"-1", 30*time.Second, "finished", finished)
		if b.Status.Phase != v1alpha1.BuildFailed || b.Status.Reason != tc.reason {
			t.Errorf("%s: %s %s %s", tc.pipeline, b.Status.Phase, b.Status.Reason, b.Status.Message)
		}
	}
}
