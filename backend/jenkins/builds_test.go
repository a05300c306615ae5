package jenkins_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minka/backend"
	"minka/backend/jenkins"
	simjenkins "minka/sim/jenkins"
)

// parameterized is a job with the parameter the triggers carry, on a
// label only the test's agent has.
const parameterized = `<?xml version='1.1' encoding='UTF-8'?><project><assignedNode>builder</assignedNode><properties>` +
	`<hudson.model.ParametersDefinitionProperty><parameterDefinitions><hudson.model.StringParameterDefinition><name>MINKA_BUILD</name>` +
	`<defaultValue></defaultValue></hudson.model.StringParameterDefinition></parameterDefinitions></hudson.model.ParametersDefinitionProperty></properties></project>`

func buildsClient(t *testing.T, opts simjenkins.Options) (*jenkins.Client, *simjenkins.Server) {
	t.Helper()
	sim := simjenkins.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { sim.Close(); srv.Close() })
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/createItem?name=app", strings.NewReader(parameterized))
	req.Header.Set("Content-Type", "application/xml")
	req.SetBasicAuth("admin", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("createItem: %v %v", resp, err)
	}
	resp.Body.Close()
	token := filepath.Join(t.TempDir(), "token")
	_ = os.WriteFile(token, []byte("token\n"), 0o600)
	c, err := jenkins.New(backend.Jenkins{Name: "default", URL: srv.URL, User: "admin", Token: backend.Secret{File: token}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, sim
}

// A trigger is found by its parameter while it waits and once it runs
// (the queue item gone from the queue), which is what keeps a Build from
// being triggered twice; cancel, stop and the console do what Jenkins
// does.
func TestTriggerFindStop(t *testing.T) {
	c, sim := buildsClient(t, simjenkins.Options{BuildDuration: time.Hour})
	ctx := context.Background()
	job, err := c.Job(ctx, "app")
	if err != nil || len(job.Parameters) != 1 || job.Parameters[0] != "MINKA_BUILD" {
		t.Fatalf("job: %+v %v", job, err)
	}
	if _, err := c.Job(ctx, "nope"); !errors.Is(err, jenkins.ErrNotFound) {
		t.Fatalf("unknown job: %v", err)
	}
	id, err := c.Trigger(ctx, "app", map[string]string{"MINKA_BUILD": "ci/a-1"})
	if err != nil || id == 0 {
		t.Fatalf("trigger: %d %v", id, err)
	}
	it, b, err := c.Find(ctx, "app", "MINKA_BUILD", "ci/a-1")
	if err != nil || it == nil || it.ID != id || b != nil {
		t.Fatalf("find while queued: %+v %+v %v", it, b, err)
	}
	if it, b, _ := c.Find(ctx, "app", "MINKA_BUILD", "ci/a-2"); it != nil || b != nil {
		t.Fatalf("found what was never triggered: %+v %+v", it, b)
	}
	// An agent with the label comes: the build starts.
	if err := c.CreateNode(ctx, jenkins.NodeSpec{Name: "agent-1", RemoteFS: "/home/jenkins", Executors: 1, Labels: []string{"builder"}}); err != nil {
		t.Fatal(err)
	}
	secret, _ := sim.Secret("agent-1")
	if err := sim.Connect("agent-1", secret); err != nil {
		t.Fatal(err)
	}
	item, err := c.QueueItem(ctx, id)
	if err != nil || item.Build != 1 || !strings.HasSuffix(item.BuildURL, "/job/app/1/") {
		t.Fatalf("queue item after start: %+v %v", item, err)
	}
	if it, b, err := c.Find(ctx, "app", "MINKA_BUILD", "ci/a-1"); err != nil || it != nil || b == nil || b.Number != 1 || !b.Building {
		t.Fatalf("find while running: %+v %+v %v", it, b, err)
	}
	log, err := c.Console(ctx, "app", 1, 0)
	if err != nil || !log.More || log.Next <= 0 || !strings.Contains(log.Text, "MINKA_BUILD=ci/a-1") {
		t.Fatalf("console: %+v %v", log, err)
	}
	if err := c.Stop(ctx, "app", 1); err != nil {
		t.Fatal(err)
	}
	got, err := c.Build(ctx, "app", 1)
	if err != nil || got.Building || got.Result != "ABORTED" || got.Params["MINKA_BUILD"] != "ci/a-1" {
		t.Fatalf("after stop: %+v %v", got, err)
	}
	if log, err = c.Console(ctx, "app", 1, log.Next); err != nil || log.More || !strings.Contains(log.Text, "Finished: ABORTED") {
		t.Fatalf("console's end: %+v %v", log, err)
	}
	// With the agent gone, a second trigger waits: cancelled.
	sim.Disconnect("agent-1")
	id2, err := c.Trigger(ctx, "app", map[string]string{"MINKA_BUILD": "ci/a-2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CancelItem(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if item, err := c.QueueItem(ctx, id2); err != nil || !item.Cancelled || item.Build != 0 {
		t.Fatalf("cancelled item: %+v %v", item, err)
	}
	if err := c.CancelItem(ctx, 999); err != nil {
		t.Fatalf("cancelling an unknown item: %v", err)
	}
	if _, err := c.QueueItem(ctx, 999); !errors.Is(err, jenkins.ErrNotFound) {
		t.Fatalf("unknown item: %v", err)
	}
	if _, err := c.Build(ctx, "app", 99); !errors.Is(err, jenkins.ErrNotFound) {
		t.Fatalf("unknown build: %v", err)
	}
	if _, err := c.Trigger(ctx, "nope", nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("trigger of an unknown job: %v", err)
	}
}

// A trigger's parameters travel in the form body, never in the URL: they
// may be opened sealed values, and a URL is what the transport's last
// failure, url.Error and access logs repeat. The simulator reads the
// body as Jenkins does.
func TestTriggerSendsParametersInTheBody(t *testing.T) {
	const secret = "s3cr3t-param-value"
	_, sim := buildsClient(t, simjenkins.Options{BuildDuration: time.Hour})
	var seen []string
	wrapped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.String())
		sim.ServeHTTP(w, r)
	}))
	defer wrapped.Close()
	token := filepath.Join(t.TempDir(), "token")
	_ = os.WriteFile(token, []byte("token\n"), 0o600)
	c, err := jenkins.New(backend.Jenkins{Name: "default", URL: wrapped.URL, User: "admin", Token: backend.Secret{File: token}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The job defines MINKA_BUILD only (Jenkins drops the others): it
	// carries the value.
	id, err := c.Trigger(ctx, "app", map[string]string{"MINKA_BUILD": secret})
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.QueueItem(ctx, id)
	if err != nil || it.Params["MINKA_BUILD"] != secret {
		t.Fatalf("queue item %+v, %v: the parameter did not arrive", it, err)
	}
	for _, s := range seen {
		if strings.Contains(s, secret) {
			t.Errorf("a request URL carries the parameter: %s", s)
		}
	}

	// A Jenkins that does not answer: the error and the last failure
	// name the request, not the parameter.
	wrapped.Close()
	_, err = c.Trigger(ctx, "app", map[string]string{"MINKA_BUILD": secret})
	if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(c.LastFailure(), secret) {
		t.Errorf("trigger to a closed server: %v; last failure %q", err, c.LastFailure())
	}
}
