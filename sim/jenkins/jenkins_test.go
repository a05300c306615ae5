package jenkins

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bndr/gojenkins"

	"minka/sim/fault"
)

const trustyJob = `<?xml version='1.1' encoding='UTF-8'?>
<project>
  <description>builds webapp</description>
  <assignedNode>trusty &amp;&amp; amd64</assignedNode>
  <properties>
    <hudson.model.ParametersDefinitionProperty>
      <parameterDefinitions>
        <hudson.model.StringParameterDefinition>
          <name>DISTRO</name>
          <defaultValue>xenial</defaultValue>
        </hudson.model.StringParameterDefinition>
      </parameterDefinitions>
    </hudson.model.ParametersDefinitionProperty>
  </properties>
  <builders/>
</project>`

// clock is a test clock the simulator reads.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)} }
func newSim(c *clock) *Server        { return New(Options{Now: c.Now, BuildDuration: time.Minute}) }

func start(t *testing.T, s *Server) (*gojenkins.Jenkins, *httptest.Server) {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	jk, err := gojenkins.CreateJenkins(nil, hs.URL, "admin", "token").Init(context.Background())
	if err != nil {
		t.Fatalf("gojenkins Init: %v", err)
	}
	return jk, hs
}

func why(t *testing.T, jk *gojenkins.Jenkins, id int64) string {
	t.Helper()
	task, err := jk.GetQueueItem(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return task.Raw.Why
}

// TestSchedulerThroughGojenkins drives the simulator with gojenkins v1.1.0:
// a job labelled `trusty && amd64` waits with Jenkins' own texts while no
// agent, an offline agent, then two offline agents can take it; it starts
// when an agent connects, and ends when its time is up.
func TestSchedulerThroughGojenkins(t *testing.T) {
	c := newClock()
	s := newSim(c)
	jk, hs := start(t, s)
	ctx := context.Background()
	if jk.Version != Version {
		t.Errorf("X-Jenkins version %q, want %q", jk.Version, Version)
	}
	if _, err := jk.CreateJob(ctx, trustyJob, "webapp"); err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	id, err := jk.BuildJob(ctx, "webapp", map[string]string{"DISTRO": "trusty"})
	if err != nil || id == 0 {
		t.Fatalf("BuildJob: id %d, %v", id, err)
	}
	steps := []struct {
		reason string
		act    func()
		why    string
	}{
		{"no agent has the label", func() {}, "There are no nodes with the label ‘trusty&&amd64’"},
		{"one agent, offline (its JNLP agent is not connected)", func() {
			if _, err := jk.CreateNode(ctx, "agent-1", 2, "pool agent", "/home/jenkins", "trusty amd64", map[string]string{"method": "JNLPLauncher"}); err != nil {
				t.Fatalf("CreateNode: %v", err)
			}
		}, "‘agent-1’ is offline"},
		{"two agents, both offline", func() {
			_, _ = jk.CreateNode(ctx, "agent-2", 1, "", "/home/jenkins", "amd64 trusty", map[string]string{"method": "JNLPLauncher"})
		}, "All nodes of label ‘trusty&&amd64’ are offline"},
	}
	for _, st := range steps {
		st.act()
		if got := why(t, jk, id); got != st.why {
			t.Errorf("%s: why = %q, want %q", st.reason, got, st.why)
		}
	}
	secret := jnlpSecret(t, hs.URL, "agent-1")
	if err := s.Connect("agent-1", secret); err != nil {
		t.Fatal(err)
	}
	task, _ := jk.GetQueueItem(ctx, id)
	if task.Raw.Executable.Number != 1 || task.Raw.Why != "" {
		t.Fatalf("after the agent connected: executable %d why %q, want build 1 started", task.Raw.Executable.Number, task.Raw.Why)
	}
	b, err := jk.GetBuild(ctx, "webapp", 1)
	if err != nil || !b.IsRunning(ctx) || b.GetParameters()[0].Value != "trusty" {
		t.Fatalf("build 1: err %v running %v params %v", err, b != nil && b.IsRunning(ctx), b.GetParameters())
	}
	node, _ := jk.GetNode(ctx, "agent-1")
	if idle, _ := node.IsIdle(ctx); idle {
		t.Errorf("agent-1 idle while building")
	}
	// agent-1 has 2 executors: one more starts, the third waits on the label.
	id2, _ := jk.BuildJob(ctx, "webapp", map[string]string{"DISTRO": "bionic"})
	id3, _ := jk.BuildJob(ctx, "webapp", map[string]string{"DISTRO": "focal"})
	if w := why(t, jk, id2); w != "" {
		t.Errorf("second build waits: %q", w)
	}
	if w := why(t, jk, id3); w != "Waiting for next available executor on ‘trusty&&amd64’" {
		t.Errorf("third build: why %q", w)
	}
	c.Add(61 * time.Second)
	b, _ = jk.GetBuild(ctx, "webapp", 1)
	if b.IsRunning(ctx) || b.GetResult() != "SUCCESS" {
		t.Errorf("build 1 after its minute: running %v result %q", b.IsRunning(ctx), b.GetResult())
	}
	if w := why(t, jk, id3); w != "" {
		t.Errorf("third build should have started once an executor freed: why %q", w)
	}
}

func TestNodesOfflineAndDelete(t *testing.T) {
	c := newClock()
	s := newSim(c)
	jk, _ := start(t, s)
	ctx := context.Background()
	node, err := jk.CreateNode(ctx, "agent-1", 1, "", "/home/jenkins", "amd64", map[string]string{"method": "JNLPLauncher"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.ToggleTemporarilyOffline(ctx, "draining"); err != nil {
		t.Fatalf("ToggleTemporarilyOffline: %v", err)
	}
	if off, _ := node.IsTemporarilyOffline(ctx); !off {
		t.Errorf("not temporarily offline after toggle")
	}
	nodes, err := jk.GetAllNodes(ctx)
	if err != nil || len(nodes) != 2 {
		t.Fatalf("GetAllNodes: %d nodes, %v", len(nodes), err)
	}
	if ok, err := jk.DeleteNode(ctx, "agent-1"); !ok || err != nil {
		t.Errorf("DeleteNode: %v %v", ok, err)
	}
	if _, err := jk.GetNode(ctx, "agent-1"); err == nil {
		t.Errorf("deleted node still found")
	}
}

func TestLeftItemsExpireAndAuth(t *testing.T) {
	c := newClock()
	s := newSim(c)
	jk, hs := start(t, s)
	ctx := context.Background()
	_, _ = jk.CreateJob(ctx, strings.Replace(trustyJob, "trusty &amp;&amp; amd64", "", 1), "any")
	_, _ = jk.CreateNode(ctx, "agent-1", 1, "", "/home/jenkins", "x", map[string]string{"method": "JNLPLauncher"})
	_ = s.Connect("agent-1", jnlpSecret(t, hs.URL, "agent-1"))
	id, _ := jk.BuildJob(ctx, "any", nil)
	if code := get(t, hs.URL+"/queue/item/"+itoa(id)+"/api/json", "admin", "token"); code != 200 {
		t.Fatalf("left item: %d", code)
	}
	c.Add(leftItemTTL + time.Second)
	if code := get(t, hs.URL+"/queue/item/"+itoa(id)+"/api/json", "admin", "token"); code != 404 {
		t.Errorf("left item after 5 minutes: %d, want 404", code)
	}
	cases := []struct {
		reason, user, token string
		code                int
	}{
		{"anonymous", "", "", 403},
		{"wrong token", "admin", "nope", 401},
		{"api token", "admin", "token", 200},
	}
	for _, tc := range cases {
		if code := get(t, hs.URL+"/api/json", tc.user, tc.token); code != tc.code {
			t.Errorf("%s: %d, want %d", tc.reason, code, tc.code)
		}
	}
	// Stapler runs a web method (Api.doJson) whatever tokens follow it, so
	// gojenkins' doubled crumb path is served (NameBasedDispatcher).
	if code := get(t, hs.URL+"/crumbIssuer/api/json/api/json", "admin", "token"); code != 200 {
		t.Errorf("gojenkins' doubled crumb path answered %d; Stapler serves doJson: 200", code)
	}
}

func get(t *testing.T, url, user, token string) int {
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func jnlpSecret(t *testing.T, base, node string) string {
	req, _ := http.NewRequest("GET", base+"/computer/"+node+"/jenkins-agent.jnlp", nil)
	req.SetBasicAuth("admin", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s := string(b)
	i := strings.Index(s, "<argument>")
	j := strings.Index(s, "</argument>")
	if i < 0 || j < i {
		t.Fatalf("jnlp file without a secret: %s", s)
	}
	return s[i+len("<argument>") : j]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFaultsThroughGojenkins: each failure mode, seen by the real client.
func TestFaultsThroughGojenkins(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })
	cases := []struct {
		reason string
		f      fault.Fault
		check  func(err error, took time.Duration) bool
	}{
		{"503", fault.Fault{Failure: fault.Unavailable}, func(err error, _ time.Duration) bool { return err != nil }},
		{"reset", fault.Fault{Failure: fault.Reset}, func(err error, _ time.Duration) bool { return err != nil }},
		// gojenkins ignores contexts (it builds requests without one): only
		// the http.Client's timeout ends a hung request.
		{"hang", fault.Fault{Failure: fault.Hang}, func(err error, took time.Duration) bool { return err != nil && took >= time.Second }},
		{"latency", fault.Fault{Latency: 200 * time.Millisecond}, func(err error, took time.Duration) bool { return err == nil && took >= 200*time.Millisecond }},
	}
	for _, c := range cases {
		s.Faults.Clear()
		if err := s.Faults.Set(c.f); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := gojenkins.CreateJenkins(&http.Client{Timeout: time.Second}, hs.URL, "admin", "token").Init(context.Background())
		if !c.check(err, time.Since(start)) {
			t.Errorf("%s: Init returned %v after %v", c.reason, err, time.Since(start))
		}
	}
}

// TestStuck: stuck is set as Jenkins sets it: at once when the label is
// offline, else only after a day (no estimate) of waiting.
func TestStuck(t *testing.T) {
	c := newClock()
	s := newSim(c)
	jk, hs := start(t, s)
	ctx := context.Background()
	_, _ = jk.CreateJob(ctx, trustyJob, "webapp")
	id, _ := jk.BuildJob(ctx, "webapp", nil)
	stuck := func() bool { task, _ := jk.GetQueueItem(ctx, id); return task.Raw.Stuck }
	if !stuck() {
		t.Errorf("no node has the label: want stuck")
	}
	_, _ = jk.CreateNode(ctx, "agent-1", 1, "", "/home/jenkins", "trusty amd64", map[string]string{"method": "JNLPLauncher"})
	_, _ = jk.CreateNode(ctx, "busy", 1, "", "/home/jenkins", "other", map[string]string{"method": "JNLPLauncher"})
	_ = s.Connect("agent-1", jnlpSecret(t, hs.URL, "agent-1"))
	id2, _ := jk.BuildJob(ctx, "webapp", map[string]string{"DISTRO": "other"}) // waits behind build 1
	task, _ := jk.GetQueueItem(ctx, id2)
	if task.Raw.Stuck || task.Raw.Why != "Waiting for next available executor on ‘agent-1’" {
		t.Errorf("waiting on a busy online node: stuck %v why %q, want not stuck", task.Raw.Stuck, task.Raw.Why)
	}
	_ = s.SetJobOutcome("webapp", 25*time.Hour, "")
	// gojenkins refuses to post while the job is inQueue: post directly.
	id3 := postBuild(t, hs.URL, "webapp", "DISTRO=third")
	c.Add(24*time.Hour + time.Minute)
	if task, _ := jk.GetQueueItem(ctx, id3); !task.Raw.Stuck {
		t.Errorf("a day in the queue without an estimate: want stuck")
	}
}

// postBuild queues a build over HTTP and returns the queue item id.
func postBuild(t *testing.T, base, job, form string) int64 {
	req, _ := http.NewRequest("POST", base+"/job/"+job+"/buildWithParameters", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("admin", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := strings.TrimSuffix(resp.Header.Get("Location"), "/")
	id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if resp.StatusCode != http.StatusCreated || err != nil {
		t.Fatalf("build: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return id
}

// TestAnonymousRead: with AnonymousRead, GETs need no credentials and
// writes still do.
func TestAnonymousRead(t *testing.T) {
	s := New(Options{User: "admin", Token: "token", AnonymousRead: true})
	hs := httptest.NewServer(s)
	defer func() { s.Close(); hs.Close() }()
	if code := get(t, hs.URL+"/api/json", "", ""); code != 200 {
		t.Errorf("anonymous GET /api/json: %d, want 200", code)
	}
	resp, err := http.Post(hs.URL+"/createItem?name=x", "application/xml", strings.NewReader("<project/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("anonymous POST /createItem: %d, want 403", resp.StatusCode)
	}
}
