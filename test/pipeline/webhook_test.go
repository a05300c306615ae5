package pipeline

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/client"
)

var (
	buildKind      = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("Build"); return k }()
	pipelineKind   = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("Pipeline"); return k }()
	deploymentKind = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("Deployment"); return k }()
	repoKind       = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("Repo"); return k }()
)

// webhookServer is a server (no controllers) with two webhook secrets
// and two Pipelines that follow main and release/* and tags v*.
func webhookServer(t *testing.T) (*Server, *client.Client) {
	t.Helper()
	dir := t.TempDir()
	for name, v := range map[string]string{"hook-a": "secret-a", "hook-b": "secret-b"} {
		_ = os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o600)
	}
	cfg := filepath.Join(dir, "server.yaml")
	_ = os.WriteFile(cfg, []byte(fmt.Sprintf("secrets:\n- {name: hook-a, file: %s}\n- {name: hook-b, file: %s}\n",
		filepath.Join(dir, "hook-a"), filepath.Join(dir, "hook-b"))), 0o600)
	s := StartServer(t, "--config", cfg, "--controllers", "none")
	for _, p := range []struct{ name, secret string }{{"webapp", "hook-a"}, {"other", "hook-b"}} {
		apply(t, s, fmt.Sprintf(`apiVersion: minka.dev/v1alpha1
kind: Pipeline
metadata: {name: %s, namespace: ci}
spec:
  job: webapp-build
  source: {git: "https://git.example.com/webapp.git", branches: [main, "release/*"], tags: ["v*"]}
  trigger: {webhook: {secretRef: %s}}
`, p.name, p.secret))
	}
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, cli
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

type hookAnswer struct {
	code                                    int
	Outcome, Reason, Build, Delivery, Error string
}

func deliver(t testing.TB, s *Server, pipeline, event, delivery string, body []byte, signature string) hookAnswer {
	t.Helper()
	h := map[string]string{"X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "User-Agent": "GitHub-Hookshot/abc123"}
	if signature != "" {
		h["X-Hub-Signature-256"] = signature
	}
	code, out := postHook(t, s, pipeline, body, h)
	return answer(t, code, out)
}

// answer decodes a webhook's answer.
func answer(t testing.TB, code int, body string) hookAnswer {
	t.Helper()
	var a hookAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("answer %d is not JSON: %s", code, body)
	}
	a.code = code
	return a
}

func builds(t testing.TB, cli *client.Client) []*v1alpha1.Build {
	t.Helper()
	l, err := cli.List(context.Background(), buildKind, "ci", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*v1alpha1.Build
	for _, o := range l.GetItems() {
		out = append(out, o.(*v1alpha1.Build))
	}
	return out
}

// TestWebhookPushMakesOneBuild: a signed push makes a Build before the
// answer; forged, missing and other-pipeline signatures make nothing; a
// redelivery answers with the first Build; deletions, other branches and
// [skip ci] are answered with the reason.
func TestWebhookPushMakesOneBuild(t *testing.T) {
	s, cli := webhookServer(t)
	sha := strings.Repeat("ab", 20)
	body := githubPush("refs/heads/main", sha, "fix the thing", false)
	for _, c := range []struct{ name, pipeline, sig string }{
		{"no signature", "webapp", ""},
		{"forged", "webapp", sign("not-the-secret", body)},
		{"signed for another body", "webapp", sign("secret-a", githubPush("refs/heads/main", sha, "other", false))},
		{"another pipeline's secret", "other", sign("secret-a", body)},
	} {
		if a := deliver(t, s, c.pipeline, "push", "d-"+c.name, body, c.sig); a.code != http.StatusUnauthorized || a.Build != "" {
			t.Errorf("%s: %d %+v, want 401 and no Build", c.name, a.code, a)
		}
	}
	if n := len(builds(t, cli)); n != 0 {
		t.Fatalf("%d Builds after refused deliveries, want 0", n)
	}
	a := deliver(t, s, "webapp", "push", "d-1", body, sign("secret-a", body))
	if a.code != http.StatusCreated || a.Outcome != v1alpha1.DeliveryBuilt || a.Build != "webapp-1" {
		t.Fatalf("signed push: %d %+v, want 201 Built webapp-1", a.code, a)
	}
	obj, err := cli.Get(context.Background(), buildKind, "ci", "webapp-1")
	if err != nil {
		t.Fatal(err)
	}
	b := obj.(*v1alpha1.Build)
	if b.Spec.Pipeline != "webapp" || b.Spec.Number != 1 || b.Spec.Branch != "main" || b.Spec.SHA1 != sha ||
		b.Spec.Trigger == nil || b.Spec.Trigger.Delivery != "d-1" || b.Spec.Trigger.Style != "github" || b.Labels[v1alpha1.LabelPipeline] != "webapp" ||
		len(b.OwnerReferences) != 1 || b.OwnerReferences[0].Name != "webapp" {
		t.Errorf("the Build: %+v %+v", b.ObjectMeta, b.Spec)
	}
	if a := deliver(t, s, "webapp", "push", "d-1", body, sign("secret-a", body)); a.code != http.StatusOK || a.Outcome != v1alpha1.DeliveryDuplicate || a.Build != "webapp-1" {
		t.Errorf("redelivery: %d %+v, want 200 Duplicate webapp-1", a.code, a)
	}
	for _, c := range []struct {
		name, event string
		body        []byte
		reason      string
	}{
		{"ping", "ping", []byte(`{"zen":"Keep it logically awesome.","hook_id":1,"hook":{"type":"Repository","id":1,"events":["push"],"active":true,"config":{"content_type":"json","url":"https://minka.example/webhooks/git/ci/webapp"}},"repository":{"id":1,"full_name":"acme/webapp"},"sender":{"login":"alice"}}`), "ping"},
		{"deletion", "push", githubPush("refs/heads/main", sha, "", true), "deleted"},
		{"other branch", "push", githubPush("refs/heads/feature/x", sha, "wip", false), "not followed"},
		{"skip ci", "push", githubPush("refs/heads/main", strings.Repeat("cd", 20), "docs only [skip ci]", false), "skip"},
		{"tag not followed", "push", githubPush("refs/tags/nightly", sha, "tag", false), "not followed"},
	} {
		a := deliver(t, s, "webapp", c.event, "d-"+c.name, c.body, sign("secret-a", c.body))
		if a.code != http.StatusOK || a.Outcome != v1alpha1.DeliveryIgnored || !strings.Contains(a.Reason, c.reason) || a.Build != "" {
			t.Errorf("%s: %d %+v, want 200 Ignored with %q", c.name, a.code, a, c.reason)
		}
	}
	tag := githubPush("refs/tags/v1.2.0", sha, "release", false)
	if a := deliver(t, s, "webapp", "push", "d-tag", tag, sign("secret-a", tag)); a.code != http.StatusCreated || a.Build != "webapp-2" {
		t.Errorf("tag push: %d %+v, want 201 webapp-2", a.code, a)
	}
	out, errOut, code := Minka(t, s, "", "trigger", "pipeline", "webapp", "-n", "ci", "--branch", "release/1.2", "--sha1", "abcdef1", "-p", "DEBUG=1")
	if code != 0 || out != "build.minka.dev/webapp-3 created\n" {
		t.Errorf("minka trigger: %d %q %s", code, out, errOut)
	}
	apply(t, s, `apiVersion: minka.dev/v1alpha1
kind: Pipeline
metadata: {name: nomanual, namespace: ci}
spec:
  job: webapp-build
  source: {git: "https://git.example.com/webapp.git"}
  trigger: {manual: false}
`)
	if _, errOut, code := Minka(t, s, "", "trigger", "pipeline", "nomanual", "-n", "ci", "--branch", "main"); code == 0 || !strings.Contains(errOut, "takes no manual builds") {
		t.Errorf("minka trigger of a pipeline without manual builds: exit %d %s", code, errOut)
	}
	if n := len(builds(t, cli)); n != 3 {
		t.Errorf("%d Builds, want 3", n)
	}
	obj, _ = cli.Get(context.Background(), pipelineKind, "ci", "webapp")
	pl := obj.(*v1alpha1.Pipeline)
	var got []string
	for _, d := range pl.Status.Deliveries {
		got = append(got, d.ID+"="+d.Outcome)
	}
	if want := "d-1=Built d-1=Duplicate d-ping=Ignored d-deletion=Ignored d-other branch=Ignored d-skip ci=Ignored d-tag not followed=Ignored d-tag=Built"; strings.Join(got, " ") != want {
		t.Errorf("deliveries recorded:\n  %s\nwant\n  %s", strings.Join(got, " "), want)
	}
	issues, err := os.ReadFile("../../apiserver/webhook/push/testdata/github/issues.json")
	if err != nil {
		t.Fatal(err)
	}
	if a := deliver(t, s, "webapp", "issues", "d-issues", issues, sign("secret-a", issues)); a.code != http.StatusOK || a.Outcome != v1alpha1.DeliveryIgnored ||
		a.Reason != "not a push: event issues" || a.Delivery != "d-issues" {
		t.Errorf("an issues event: %d %+v, want 200 Ignored, not a push", a.code, a)
	}
	if pl.Status.LastBuildNumber != 3 {
		t.Errorf("lastBuildNumber %d, want 3", pl.Status.LastBuildNumber)
	}
	out, _, _ = Minka(t, s, "", "describe", "pipeline", "webapp", "-n", "ci")
	if !strings.Contains(out, "Deliveries:") || !regexp.MustCompile(`d-1 +github +push +refs/heads/main +abababababab +Duplicate +webapp-1`).MatchString(out) {
		t.Errorf("describe pipeline does not list the deliveries:\n%s", out)
	}
	t.Logf("refused 4 bad signatures with nothing created; webapp-1 from a signed push, its redelivery answered with it; 5 ignored with reasons; deliveries: %s", strings.Join(got, " "))
}

// TestWebhookNumbersUnderConcurrency: 100 concurrent pushes make Builds
// 1..100 with no gap or duplicate; 100 concurrent redeliveries of one
// delivery make one Build.
func TestWebhookNumbersUnderConcurrency(t *testing.T) {
	s, cli := webhookServer(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	names := map[string]int{}
	start := time.Now()
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := githubPush("refs/heads/main", fmt.Sprintf("%040x", i+1), fmt.Sprintf("change %d", i), false)
			a := deliver(t, s, "webapp", "push", fmt.Sprintf("push-%d", i), body, sign("secret-a", body))
			mu.Lock()
			defer mu.Unlock()
			if a.code != http.StatusCreated {
				t.Errorf("push %d: %d %+v", i, a.code, a)
			}
			names[a.Build]++
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var nums []int
	for _, b := range builds(t, cli) {
		nums = append(nums, int(b.Spec.Number))
	}
	sort.Ints(nums)
	for i, n := range nums {
		if n != i+1 {
			t.Fatalf("Build numbers %v: want 1..100 with no gap or duplicate", nums)
		}
	}
	if len(nums) != 100 || len(names) != 100 {
		t.Fatalf("%d Builds, %d distinct answers, want 100 each", len(nums), len(names))
	}
	body := githubPush("refs/heads/main", strings.Repeat("ef", 20), "once", false)
	answers := map[string]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := deliver(t, s, "webapp", "push", "the-same-delivery", body, sign("secret-a", body))
			mu.Lock()
			answers[fmt.Sprintf("%d %s %s", a.code, a.Outcome, a.Build)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if n := len(builds(t, cli)); n != 101 {
		t.Errorf("%d Builds after 100 redeliveries of one delivery, want 101", n)
	}
	if answers["201 Built webapp-101"] != 1 || answers["200 Duplicate webapp-101"] != 99 {
		t.Errorf("answers to 100 redeliveries: %v, want one 201 and 99 Duplicates of webapp-101", answers)
	}
	t.Logf("100 concurrent pushes: Builds 1..100 in %v; 100 redeliveries of one: %v", elapsed.Round(time.Millisecond), answers)
}

// TestWebhookGiteaAndGitLab: a Gitea and a GitLab push, as those
// servers send them (the captured payloads of apiserver/webhook/push),
// each authenticated its own way, make Builds; a GitLab token of the
// other pipeline is refused.
func TestWebhookGiteaAndGitLab(t *testing.T) {
	s, cli := webhookServer(t)
	apply(t, s, `apiVersion: minka.dev/v1alpha1
kind: Pipeline
metadata: {name: webapp, namespace: ci}
spec:
  job: webapp-build
  source: {git: "https://git.example.com/webapp.git", branches: [master]}
  trigger: {webhook: {secretRef: hook-a}}
`)
	post := func(body []byte, h map[string]string) hookAnswer {
		code, out := postHook(t, s, "webapp", body, h)
		return answer(t, code, out)
	}
	gitea, err := os.ReadFile("../../apiserver/webhook/push/testdata/gitea/push.json")
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte("secret-a"))
	mac.Write(gitea)
	a := post(gitea, map[string]string{"X-Gitea-Event": "push", "X-Gitea-Delivery": "gitea-1", "X-Gitea-Signature": hex.EncodeToString(mac.Sum(nil))})
	if a.code != http.StatusCreated || a.Build == "" {
		t.Errorf("Gitea push: %d %+v, want 201 with a Build", a.code, a)
	}
	gitlab, err := os.ReadFile("../../apiserver/webhook/push/testdata/gitlab/push.json")
	if err != nil {
		t.Fatal(err)
	}
	if a := post(gitlab, map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "gl-1", "X-Gitlab-Token": "secret-b"}); a.code != http.StatusUnauthorized {
		t.Errorf("GitLab push with another pipeline's token: %d %+v, want 401", a.code, a)
	}
	b := post(gitlab, map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "gl-1", "X-Gitlab-Token": "secret-a"})
	if b.code != http.StatusCreated || b.Build == "" || b.Build == a.Build {
		t.Errorf("GitLab push: %d %+v, want 201 with a second Build", b.code, b)
	}
	styles := map[string]string{}
	for _, x := range builds(t, cli) {
		styles[x.Name] = x.Spec.Trigger.Style + "@" + x.Spec.Branch + "@" + x.Spec.SHA1[:12]
	}
	if styles[a.Build] != "gitea@master@67b56589a451" || styles[b.Build] != "gitlab@master@da1560886d4f" {
		t.Errorf("Builds: %v", styles)
	}
	t.Logf("Gitea push → %s, GitLab push → %s: %v", a.Build, b.Build, styles)
}

// TestBuildNumbersByTheServer: a Build created without a number gets the
// next one (named <pipeline>-<n> without a name), keeps it when its
// manifest is applied again, and a number that is taken is refused.
func TestBuildNumbersByTheServer(t *testing.T) {
	s, cli := webhookServer(t)
	build := func(name string, number int64, pipeline string) error {
		b := &v1alpha1.Build{Spec: v1alpha1.BuildSpec{Pipeline: pipeline, Branch: "main", Number: number}}
		b.Name, b.Namespace = name, "ci"
		_, err := cli.Create(context.Background(), b)
		return err
	}
	if err := build("", 0, "webapp"); err != nil {
		t.Fatal(err)
	}
	if err := build("hand-made", 0, "webapp"); err != nil {
		t.Fatal(err)
	}
	if err := build("", 0, "nosuch"); err == nil || !strings.Contains(err.Error(), `spec.pipeline: Not found: "nosuch"`) {
		t.Errorf("an unnamed Build of a missing Pipeline: %v", err)
	}
	if err := build("early", 0, "later"); err != nil { // applied before its Pipeline
		t.Errorf("a named Build of a Pipeline not there yet: %v", err)
	}
	if err := build("dup", 2, "webapp"); err == nil || !strings.Contains(err.Error(), "spec.number: Duplicate value") {
		t.Errorf("a taken number: %v", err)
	}
	manifest := "apiVersion: minka.dev/v1alpha1\nkind: Build\nmetadata: {name: hand-made, namespace: ci}\nspec: {pipeline: webapp, branch: main}\n"
	out, _, code := Minka(t, s, manifest, "apply", "-f", "-")
	got := map[string]int64{}
	for _, b := range builds(t, cli) {
		got[b.Name] = b.Spec.Number
	}
	if code != 0 || !strings.Contains(out, "unchanged") || got["webapp-1"] != 1 || got["hand-made"] != 2 || got["early"] != 1 || len(got) != 3 {
		t.Errorf("re-apply: %d %q; Builds %v, want webapp-1=1 hand-made=2 early=1", code, out, got)
	}
	t.Logf("Builds %v; a missing pipeline, a taken number refused; re-apply %q", got, strings.TrimSpace(out))
}

// TestWebhookReplay: a push to a branch the Pipeline did not follow is
// ignored; once the branch is added, `minka replay delivery` builds it.
func TestWebhookReplay(t *testing.T) {
	s, cli := webhookServer(t)
	body := githubPush("refs/heads/hotfix", strings.Repeat("9a", 20), "urgent", false)
	if a := deliver(t, s, "webapp", "push", "hot-1", body, sign("secret-a", body)); a.Outcome != v1alpha1.DeliveryIgnored {
		t.Fatalf("push to hotfix: %+v, want Ignored", a)
	}
	if _, errOut, code := Minka(t, s, "", "replay", "delivery", "hot-1", "-n", "ci"); code != 0 || errOut != "" {
		t.Fatalf("replay: %d %s", code, errOut)
	}
	if n := len(builds(t, cli)); n != 0 {
		t.Fatalf("replayed before the branch was followed: %d Builds", n)
	}
	apply(t, s, `apiVersion: minka.dev/v1alpha1
kind: Pipeline
metadata: {name: webapp, namespace: ci}
spec:
  job: webapp-build
  source: {git: "https://git.example.com/webapp.git", branches: [main, "release/*", hotfix]}
  trigger: {webhook: {secretRef: hook-a}}
`)
	out, errOut, code := Minka(t, s, "", "replay", "delivery", "hot-1", "-n", "ci")
	if code != 0 || out != "delivery hot-1 replayed: Built build.minka.dev/webapp-1\n" {
		t.Fatalf("replay after adding the branch: %d %q %s", code, out, errOut)
	}
	bs := builds(t, cli)
	if len(bs) != 1 || bs[0].Spec.Branch != "hotfix" || bs[0].Spec.Trigger.Kind != "replay" || bs[0].Spec.Trigger.Delivery != "hot-1" {
		t.Errorf("Builds after the replay: %+v", bs)
	}
	if _, errOut, code := Minka(t, s, "", "replay", "delivery", "nope", "-n", "ci", "--pipeline", "webapp"); code == 0 || !strings.Contains(errOut, `no record of delivery "nope"`) {
		t.Errorf("replay of an unknown delivery: %d %s", code, errOut)
	}
	t.Logf("ignored push to hotfix; replayed after the branch was added: %q", strings.TrimSpace(out))
}
