package pipeline

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"minka/api/v1alpha1"
	"minka/sim/jenkins"
	simmarathon "minka/sim/marathon"
	simos "minka/sim/openstack"
	"minka/sim/world"
)

// loopEnv is the whole sandbox: the build world, OpenStack joined with
// Jenkins (a booted server brings its agent online), Marathon and Mesos.
type loopEnv struct {
	*buildEnv
	cloud    *simos.Cloud
	marathon *simmarathon.Cluster
	api      marathon.Marathon
}

func startLoopWorld(t *testing.T) *loopEnv {
	t.Helper()
	cloud := simos.New(simos.Options{BootDelay: 300 * time.Millisecond})
	cs := httptest.NewServer(cloud)
	cloud.SetBaseURL(cs.URL)
	mc := simmarathon.New(simmarathon.Options{})
	ms, mm := httptest.NewServer(mc.Marathon()), httptest.NewServer(mc.Mesos())
	t.Cleanup(func() { cloud.Close(); cs.Close(); mc.Close(); ms.Close(); mm.Close() })
	clouds := filepath.Join(t.TempDir(), "clouds.yaml")
	if err := cloud.WriteCloudsYAML(clouds); err != nil {
		t.Fatal(err)
	}
	extra := fmt.Sprintf("  openstack:\n  - {name: default, cloud: minka-sim, cloudsFile: %s}\n"+
		"  marathon:\n  - {name: default, urls: [%s], mesosURL: %s, verifyProxy: %s, timeout: 2s}\n", clouds, ms.URL, mm.URL, ms.URL)
	e := &loopEnv{buildEnv: startBuildWorld(t, jenkins.Options{BuildDuration: time.Second}, extra), cloud: cloud, marathon: mc}
	w := world.New(cloud, e.jenkins)
	w.Tickers = append(w.Tickers, mc.Tick)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx, 20*time.Millisecond) }()
	t.Cleanup(func() { cancel(); <-done })
	cfg := marathon.NewDefaultConfig()
	cfg.URL = ms.URL
	var err error
	if e.api, err = marathon.NewClient(cfg); err != nil {
		t.Fatal(err)
	}
	e.createJob(t, "webapp-loop", "trusty && amd64")
	e.jenkins.SetJobUpload("webapp-loop", jenkins.Upload{Project: "webapp", Distros: []string{"ubuntu/jammy/x86_64", "centos/9/x86_64"},
		User: "admin", Key: "secret"})
	return e
}

// stagedApp is a Deployment of the loop: two replicas on distinct hosts,
// a health check and a verify GET, rolled back past deadline seconds.
func stagedApp(name, image string, deadline int) string {
	return strings.Replace(webManifest(image, 2, deadline), "name: web,", "name: "+name+",", 1)
}

const loopPipeline = `  label: trusty && amd64
  historyLimit: 50
  artifacts:
    image: {repository: registry.example.com/webapp}
    repo: {project: webapp, distros: [{distro: ubuntu, version: jammy}, {distro: centos, version: "9"}]}
  deploy:
    when: always
    stages: [{name: staging, deployment: web-staging}, {name: production, deployment: web}]
`

// loopManifest is the loop's Pipeline: its job runs on the pool.
func (e *loopEnv) loopManifest(spec string) string {
	return strings.Replace(e.pipelineManifest("webapp", spec), "job: webapp-build", "job: webapp-loop", 1)
}

// signedPush sends a fixture of a sender's style with its ref and sha1
// set to ours, signed as that sender signs.
func signedPush(t *testing.T, s *Server, pipeline, style, delivery, branch, sha1 string) (int, string) {
	t.Helper()
	var body []byte
	h := map[string]string{}
	switch style {
	case "github":
		body = githubPush("refs/heads/"+branch, sha1, "change "+delivery, false)
		h["X-GitHub-Event"], h["X-GitHub-Delivery"] = "push", delivery
	case "gitea", "gitlab":
		raw, err := os.ReadFile("../../apiserver/webhook/push/testdata/" + style + "/push.json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		m["ref"], m["after"] = "refs/heads/"+branch, sha1
		if hc, ok := m["head_commit"].(map[string]any); ok {
			hc["id"] = sha1
		}
		if cs, ok := m["commits"].([]any); ok && len(cs) > 0 {
			cs[len(cs)-1].(map[string]any)["id"] = sha1
		}
		if style == "gitlab" {
			m["checkout_sha"] = sha1
			h["X-Gitlab-Event"], h["X-Gitlab-Event-UUID"], h["X-Gitlab-Token"] = "Push Hook", delivery, "secret-a"
		} else {
			h["X-Gitea-Event"], h["X-Gitea-Delivery"] = "push", delivery
		}
		body, _ = json.Marshal(m)
	}
	mac := hmac.New(sha256.New, []byte("secret-a"))
	mac.Write(body)
	switch style {
	case "github":
		h["X-Hub-Signature-256"] = "sha256=" + hex.EncodeToString(mac.Sum(nil))
	case "gitea":
		h["X-Gitea-Signature"] = hex.EncodeToString(mac.Sum(nil))
	}
	return postHook(t, s, pipeline, body, h)
}

func (e *loopEnv) liveImage(t *testing.T, app string) string {
	t.Helper()
	a, err := e.api.Application("/ci/" + app)
	if err != nil {
		t.Fatalf("GET /ci/%s from Marathon: %v", app, err)
	}
	return a.Container.Docker.Image
}

// TestPipelineLoop is the whole loop, once per sender style: a signed
// push → a Build → its Jenkins build on an agent the autoscaled
// SlavePool booted → its packages uploaded to chacra and its Repo Ready
// → staging rolled out and Available → then production. Then what must
// deploy nothing: a failing build, an unstable build under when:
// stable, and a staging rollout rolled back, which stops the chain.
func TestPipelineLoop(t *testing.T) {
	e := startLoopWorld(t)
	s, cli := buildServer(t, e.buildEnv)
	apply(t, s, poolManifest("trusty-amd64", "trusty, amd64", "  executors: 2\n  minReplicas: 0\n  maxReplicas: 2\n  autoscale: {enabled: true, cooldown: 1s}\n"))
	apply(t, s, stagedApp("web-staging", "registry.example.com/webapp:old", 60))
	apply(t, s, stagedApp("web", "registry.example.com/webapp:old", 60))
	apply(t, s, e.loopManifest(loopPipeline))
	n := 0
	for _, style := range []string{"github", "gitea", "gitlab"} {
		n++
		sha, err := e.git.Commit("master", "loop "+style, map[string]string{"style.txt": style})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, body := signedPush(t, s, "webapp", style, style+"-1", "master", sha)
		name := fmt.Sprintf("webapp-%d", n)
		if code != 201 || !strings.Contains(body, name) {
			t.Fatalf("%s push: %d %s", style, code, body)
		}
		b := waitBuild(t, cli, name, 3*time.Minute, "finished", finished)
		if b.Status.Phase != v1alpha1.BuildSucceeded || b.Status.Reason != "Deployed" || b.Status.SHA1 != sha {
			t.Fatalf("%s: %s %s %s\n%s", name, b.Status.Phase, b.Status.Reason, b.Status.Message, events(t, s))
		}
		image := "registry.example.com/webapp:" + b.Status.Tag
		st := b.Status.Stages
		if len(st) != 2 || st[0].Phase != v1alpha1.StageAvailable || st[1].Phase != v1alpha1.StageAvailable ||
			st[1].StartTime.Before(st[0].CompletionTime) {
			t.Fatalf("%s stages: %+v", name, st)
		}
		for _, app := range []string{"web-staging", "web"} {
			if got := e.liveImage(t, app); got != image {
				t.Fatalf("%s: marathon runs %s, want %s", app, got, image)
			}
		}
		var node string
		for _, jb := range e.jenkins.Builds("webapp-loop") {
			if jb.Params["MINKA_BUILD"] == "ci/"+name {
				node = jb.Node
			}
		}
		if !strings.HasPrefix(node, "trusty-amd64") {
			t.Fatalf("%s ran on %q, not on a pool agent", name, node)
		}
		rp := get[*v1alpha1.Repo](t, cli, repoKind, b.Status.Repo)
		if rp.Spec.SHA1 != sha || rp.Labels[v1alpha1.LabelBuild] != name || len(rp.Status.Distros) != 2 {
			t.Fatalf("repo %s: %+v %+v", rp.Name, rp.Labels, rp.Status)
		}
		t.Logf("%s push → %s Succeeded on %s, repo %s Ready, 2 stages Available: %v", style, name, node, rp.Name, time.Since(start).Round(100*time.Millisecond))
	}
	good := e.liveImage(t, "web")

	// A failing build: nothing deployed.
	n++
	if out, errOut, rc := Minka(t, s, "", "trigger", "pipeline", "webapp", "--branch", "master", "-p", "SIM_RESULT=FAILURE", "-n", "ci"); rc != 0 {
		t.Fatalf("trigger: %s%s", out, errOut)
	}
	b := waitBuild(t, cli, fmt.Sprintf("webapp-%d", n), 2*time.Minute, "finished", finished)
	if b.Status.Phase != v1alpha1.BuildFailed || b.Status.Result != "FAILURE" || len(b.Status.Stages) != 0 {
		t.Fatalf("failing build: %+v", b.Status)
	}
	if e.liveImage(t, "web-staging") != good || e.liveImage(t, "web") != good {
		t.Fatal("a failing build deployed")
	}

	// when: stable, and master is one commit past v1.1.0: unstable.
	apply(t, s, e.loopManifest(strings.Replace(loopPipeline, "when: always", "when: stable", 1)))
	n++
	if out, errOut, rc := Minka(t, s, "", "trigger", "pipeline", "webapp", "--branch", "master", "-n", "ci"); rc != 0 {
		t.Fatalf("trigger: %s%s", out, errOut)
	}
	b = waitBuild(t, cli, fmt.Sprintf("webapp-%d", n), 2*time.Minute, "finished", finished)
	if b.Status.Phase != v1alpha1.BuildSucceeded || b.Status.Reason != "DeploySkipped" || b.Status.Stable ||
		len(b.Status.Stages) != 2 || b.Status.Stages[0].Phase != v1alpha1.StageSkipped {
		t.Fatalf("unstable build: %+v", b.Status)
	}
	if e.liveImage(t, "web-staging") != good || e.liveImage(t, "web") != good {
		t.Fatal("an unstable build deployed under when: stable")
	}

	// Staging's rollout fails (its tasks never get healthy): rolled back,
	// and production is never touched.
	apply(t, s, stagedApp("web-staging", good, 5))
	apply(t, s, e.loopManifest(loopPipeline))
	n++
	name := fmt.Sprintf("webapp-%d", n)
	if out, errOut, rc := Minka(t, s, "", "trigger", "pipeline", "webapp", "--branch", "master", "-n", "ci"); rc != 0 {
		t.Fatalf("trigger: %s%s", out, errOut)
	}
	b = waitBuild(t, cli, name, time.Minute, "tagged", func(b *v1alpha1.Build) bool { return b.Status.Tag != "" })
	e.marathon.MarkImageBad("registry.example.com/webapp:" + b.Status.Tag)
	b = waitBuild(t, cli, name, 3*time.Minute, "finished", finished)
	if b.Status.Phase != v1alpha1.BuildFailed || b.Status.Reason != "DeployFailed" || len(b.Status.Stages) != 2 ||
		b.Status.Stages[0].Phase != v1alpha1.StageRolledBack || b.Status.Stages[1].Phase != v1alpha1.StageSkipped ||
		!strings.Contains(b.Status.Message, "stage staging") {
		t.Fatalf("rolled-back stage: %+v", b.Status)
	}
	if got := e.liveImage(t, "web"); got != good {
		t.Fatalf("production runs %s after staging rolled back, want %s", got, good)
	}
	if d := get[*v1alpha1.Deployment](t, cli, deploymentKind, "web"); d.Spec.Image != good {
		t.Fatalf("production's spec became %s", d.Spec.Image)
	}
}
