package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/client"
	"minka/sim/fault"
	"minka/sim/jenkins"
	simmarathon "minka/sim/marathon"
	"minka/sim/slack"
)

// TestNotificationsAcrossKill is issue 17's notification acceptance: one
// push that builds and rolls out gives a Slack-compatible receiver its
// started, succeeded and rollout-done messages in order, exactly once
// each, though the receiver answers 500 then 429 before taking anything
// and the server is killed (SIGKILL) between the first message and the
// others. No configured secret (the receiver's URL, the Jenkins token,
// the webhook and shaman secrets, a sealed parameter in clear) is in a
// message, an event, an API answer, a log line or etcd's files.
func TestNotificationsAcrossKill(t *testing.T) {
	const jenkinsToken, sealedClear = "jenkins-t0ken-for-grep", "upload-t0ken-in-clear"
	mc := simmarathon.New(simmarathon.Options{})
	ms, mm := httptest.NewServer(mc.Marathon()), httptest.NewServer(mc.Mesos())
	chat := slack.New(slack.Options{})
	hook := chat.NewHook(slack.Slack)
	cs := httptest.NewServer(chat)
	t.Cleanup(func() { mc.Close(); ms.Close(); mm.Close(); chat.Close(); cs.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	ticks := make(chan struct{})
	go func() {
		defer close(ticks)
		for ctx.Err() == nil {
			mc.Tick()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); <-ticks })

	dir := t.TempDir()
	receiverURL := cs.URL + hook
	key, _ := sealed.NewKey()
	for name, v := range map[string]string{"slack-url": receiverURL, "sealing.key": key} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	extra := fmt.Sprintf("  marathon:\n  - {name: default, urls: [%s], mesosURL: %s, verifyProxy: %s, timeout: 2s}\n"+
		"encryption:\n  keys: [{file: %s}]\nnotifications:\n  receivers:\n  - {name: slack, type: slack, url: {file: %s}, timeout: 2s}\n",
		ms.URL, mm.URL, ms.URL, filepath.Join(dir, "sealing.key"), filepath.Join(dir, "slack-url"))
	e := startBuildWorld(t, jenkins.Options{BuiltInExecutors: 2, BuildDuration: 3 * time.Second, Token: jenkinsToken}, extra)
	controllers := []string{"--controllers", "pipeline,deployment,alert"}
	s, cli := buildServer(t, e, controllers...)

	// The app runs before anything is watched: its first rollout is not
	// a message.
	apply(t, s, webManifest("registry.example.com/webapp:1", 2, 60))
	waitDeploy(t, s, "registry.example.com/webapp:1")
	apply(t, s, `apiVersion: minka.dev/v1alpha1
kind: Alert
metadata: {name: ci-slack, namespace: ci}
spec:
  receiver: slack
  sources: [{kind: Build, name: "webapp-*"}, {kind: Deployment, name: web}]
  reasons: [Started, Built, RolloutComplete]
`)
	out, errOut, code := Minka(t, s, sealedClear, "encrypt", "-n", "ci", "--scope", "pipeline/webapp")
	if code != 0 {
		t.Fatalf("encrypt: %s%s", out, errOut)
	}
	apply(t, s, e.pipelineManifest("webapp", "  parameters: {UPLOAD_TOKEN: \""+strings.TrimSpace(out)+"\"}\n"+
		"  artifacts: {image: {repository: registry.example.com/webapp}}\n"+
		"  deploy: {when: always, stages: [{name: production, deployment: web}]}\n"))
	waitAlert(t, s, func(a *v1alpha1.Alert) bool { return a.Status.EventRevision != "" })

	// The receiver fails twice before it takes anything.
	for _, f := range []string{slack.RollupError, slack.RateLimited} {
		if err := chat.Faults.Set(fault.Fault{Failure: f, Count: 1}); err != nil {
			t.Fatal(err)
		}
	}
	head, err := e.git.Head("master")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := pushGitHub(t, s, "webapp", "notify-1", "master", head); code != 201 {
		t.Fatalf("push: %d %s", code, body)
	}

	// The first message is taken (after the 500 and the 429) and
	// recorded; then the server is killed while the build runs.
	waitAlert(t, s, func(a *v1alpha1.Alert) bool { return a.Status.Sent == 1 })
	if b := getBuild(t, cli, "webapp-1"); v1alpha1.Finished(b.Status.Phase) || b.Status.BuiltTime != nil {
		t.Fatalf("the build went past Jenkins before the kill: %+v", b.Status)
	}
	logs := s.Logs()
	if err := s.Kill(); err == nil {
		t.Fatal("the server exited cleanly on SIGKILL")
	}
	s2, cli := buildServer(t, e, append(controllers, "--data-dir", s.DataDir)...)
	want := []string{"Build ci/webapp-1 started", "Build ci/webapp-1 succeeded in Jenkins", "Deployment ci/web rolled out"}
	deadline := time.Now().Add(60 * time.Second)
	for len(titles(chat)) < len(want) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a duplicate would come now
	if got := titles(chat); strings.Join(got, "\n") != strings.Join(want, "\n") {
		d, _, _ := Minka(t, s2, "", "describe", "deploy", "web", "-n", "ci")
		b, _, _ := Minka(t, s2, "", "describe", "build", "webapp-1", "-n", "ci")
		a, _, _ := Minka(t, s2, "", "describe", "alert", "ci-slack", "-n", "ci")
		t.Logf("%s\n%s\n%s", d, b, a)
		t.Errorf("messages:\n%s\nwant, each once:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var codes []int
	for _, a := range chat.Attempts() {
		codes = append(codes, a.Status)
	}
	if len(codes) < 2 || codes[0] != 500 || codes[1] != 429 {
		t.Errorf("receiver answers %v: want 500, 429, then 200s", codes)
	}
	msgs := chat.Messages()
	if len(msgs) == 3 {
		fields := map[string]string{}
		for _, f := range msgs[1].Payload.Attachments[0].Fields {
			fields[f.Title] = f.Value
		}
		b := getBuild(t, cli, "webapp-1")
		if fields["Tag"] != b.Status.Tag || fields["Branch"] != "master" || fields["SHA1"] != head[:12] || fields["Duration"] == "" ||
			msgs[1].Payload.Attachments[0].TitleLink != b.Status.URL || msgs[1].Payload.Attachments[0].Color != "good" {
			t.Errorf("the build message: %+v; build %+v", msgs[1].Payload.Attachments[0], b.Status)
		}
		if a := msgs[2].Payload.Attachments[0]; !strings.Contains(fmt.Sprint(a.Fields), b.Status.Tag) || !strings.Contains(fmt.Sprint(a.Fields), "production (webapp-1)") {
			t.Errorf("the rollout message: %+v", a)
		}
	}

	// No secret anywhere.
	secrets := []string{receiverURL, hook, jenkinsToken, sealedClear, "secret-a", shamanKey}
	var where []string
	for _, m := range msgs {
		where = append(where, "a message|"+m.Body)
	}
	for _, args := range [][]string{{"get", "deploy,pipelines,builds,alerts", "-A", "-o", "json"}, {"events", "-A"},
		{"describe", "alert", "ci-slack", "-n", "ci"}, {"describe", "build", "webapp-1", "-n", "ci"}, {"logs", "build/webapp-1", "-n", "ci"}} {
		out, errOut, _ := Minka(t, s2, "", args...)
		where = append(where, "minka "+strings.Join(args, " ")+"|"+out+errOut)
	}
	if err := s2.Stop(t); err != nil {
		t.Errorf("stop: %v", err)
	}
	where = append(where, "the first server's log|"+logs, "the second server's log|"+s2.Logs())
	_ = filepath.WalkDir(s.DataDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			where = append(where, p+"|"+string(b))
		}
		return nil
	})
	for _, w := range where {
		name, text, _ := strings.Cut(w, "|")
		for _, sec := range secrets {
			if strings.Contains(text, sec) {
				t.Errorf("%s holds the secret %q", name, sec)
			}
		}
	}
}

func titles(chat *slack.Server) []string {
	var out []string
	for _, m := range chat.Messages() {
		for _, a := range m.Payload.Attachments {
			out = append(out, a.Title)
		}
	}
	return out
}

func waitAlert(t *testing.T, s *Server, ok func(*v1alpha1.Alert) bool) {
	t.Helper()
	k, _ := v1alpha1.KindFor("Alert")
	cli := clientOf(t, s)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if o, err := cli.Get(context.Background(), k, "ci", "ci-slack"); err == nil && ok(o.(*v1alpha1.Alert)) {
			return
		}
	}
	out, _, _ := Minka(t, s, "", "describe", "alert", "ci-slack", "-n", "ci")
	t.Fatalf("the Alert did not get there within 30s:\n%s", out)
}

func waitDeploy(t *testing.T, s *Server, image string) {
	t.Helper()
	cli := clientOf(t, s)
	k, _ := v1alpha1.KindFor("Deployment")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		o, err := cli.Get(context.Background(), k, "ci", "web")
		if err != nil {
			continue
		}
		d := o.(*v1alpha1.Deployment)
		c := v1alpha1.FindCondition(d.Status.Conditions, "Available")
		if d.Spec.Image == image && c != nil && c.Status == "True" && c.ObservedGeneration == d.Generation {
			return
		}
	}
	out, _, _ := Minka(t, s, "", "describe", "deploy", "web", "-n", "ci")
	t.Fatalf("web is not Available at %s within 30s:\n%s", image, out)
}

func clientOf(t *testing.T, s *Server) *client.Client {
	t.Helper()
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return cli
}
