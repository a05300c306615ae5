package jenkins_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/backend"
	"minka/backend/jenkins"
	"minka/backend/transport"
	"minka/sim/fault"
	simjenkins "minka/sim/jenkins"
)

// A node create whose reply is lost was applied all the same: the shared
// snapshot, though younger than maxAge, is not served after the attempt,
// and the metrics count the lost reply by operation.
func TestSnapshotForgottenAfterALostCreate(t *testing.T) {
	sim := simjenkins.New(simjenkins.Options{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	token := filepath.Join(t.TempDir(), "token")
	_ = os.WriteFile(token, []byte("token\n"), 0o600)
	reg := prometheus.NewRegistry()
	m, err := transport.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := jenkins.New(backend.Jenkins{Name: "default", URL: srv.URL, User: "admin", Token: backend.Secret{File: token},
		Timeout: metav1.Duration{Duration: 300 * time.Millisecond}}, m)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before, err := c.Snapshot(ctx, time.Minute, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := before.Nodes["agent-"+fault.AppliedReset]; ok {
		t.Fatal("the node exists before its create")
	}
	for _, failure := range []string{fault.AppliedReset, fault.AppliedHang} {
		if err := sim.Faults.Set(fault.Fault{Match: "POST /computer/doCreateItem", Failure: failure, Count: 1}); err != nil {
			t.Fatal(err)
		}
		name := "agent-" + failure
		if err := c.CreateNode(ctx, jenkins.NodeSpec{Name: name, Executors: 1, RemoteFS: "/home/jenkins", Labels: []string{"trusty"}}); err == nil {
			t.Fatalf("%s: CreateNode reported success for a lost reply", failure)
		}
		after, err := c.Snapshot(ctx, time.Minute, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := after.Nodes[name]; !ok {
			t.Errorf("%s: the snapshot after the attempt lacks the node it made: a stale snapshot was served", failure)
		}
		// Made again after the lost reply: Jenkins refuses the name, the
		// client takes that as done.
		if err := c.CreateNode(ctx, jenkins.NodeSpec{Name: name, Executors: 1, RemoteFS: "/home/jenkins"}); err != nil {
			t.Errorf("%s: creating an existing node: %v, want nil", failure, err)
		}
	}
	if got := testutil.ToFloat64(m.Requests("jenkins", "default", "node.create", "timeout")); got != 1 {
		t.Errorf(`minka_backend_requests_total{operation="node.create",result="timeout"} = %v, want 1`, got)
	}
	if got := testutil.ToFloat64(m.Requests("jenkins", "default", "node.create", "error")); got != 1 {
		t.Errorf(`minka_backend_requests_total{operation="node.create",result="error"} = %v, want 1 (the reset)`, got)
	}
	if last := c.LastFailure(); last == "" {
		t.Error("no last failure kept after a timeout")
	}
}

// The snapshot's reads ask with tree= for the fields they use, and the
// answers carry them: a node's labels and busy executors, a queued item
// waiting on a label. Each half is read again only when older than its
// maxAge, as counted by the simulator.
func TestSnapshotTreeReads(t *testing.T) {
	sim := simjenkins.New(simjenkins.Options{BuildDuration: time.Hour})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	token := filepath.Join(t.TempDir(), "token")
	_ = os.WriteFile(token, []byte("token\n"), 0o600)
	c, err := jenkins.New(backend.Jenkins{Name: "default", URL: srv.URL, User: "admin", Token: backend.Secret{File: token}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.CreateNode(ctx, jenkins.NodeSpec{Name: "a1", Executors: 2, RemoteFS: "/home/jenkins", Labels: []string{"trusty", "amd64"}}); err != nil {
		t.Fatal(err)
	}
	secret, _ := sim.Secret("a1")
	if err := sim.Connect("a1", secret); err != nil {
		t.Fatal(err)
	}
	post := func(path, ctype, body string) {
		req := httptest.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.RequestURI = ""
		req.Header.Set("Content-Type", ctype)
		req.SetBasicAuth("admin", "token")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("/createItem?name=on-a1", "application/xml", `<project><assignedNode>trusty</assignedNode></project>`)
	post("/createItem?name=nowhere", "application/xml", `<project><assignedNode>xenial</assignedNode></project>`)
	post("/job/on-a1/build", "application/x-www-form-urlencoded", "")
	post("/job/nowhere/build", "application/x-www-form-urlencoded", "")
	var snap *jenkins.Snapshot
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		sim.Tick()
		if snap, err = c.Snapshot(ctx, 0, 0); err != nil {
			t.Fatal(err)
		}
		if snap.Nodes["a1"].Busy == 1 {
			break
		}
	}
	n := snap.Nodes["a1"]
	if n.Busy != 1 || n.Executors != 2 || n.Offline || !slices.Contains(n.Labels, "trusty") || !slices.Contains(n.Labels, "amd64") {
		t.Errorf("node a1 read as %+v, want 2 executors, 1 busy, online, labelled trusty and amd64", n)
	}
	if len(snap.Items) != 1 || snap.Items[0].Task != "nowhere" || !snap.Items[0].Buildable || !strings.Contains(snap.Items[0].Why, "xenial") || snap.Items[0].ID == 0 {
		t.Errorf("queue read as %+v, want the one item of job nowhere waiting for label xenial", snap.Items)
	}
	sim.Requests.Reset()
	for range 3 {
		if _, err := c.Snapshot(ctx, 0, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	got := sim.Requests.Counts()
	if got["GET /queue/api/json"] != 3 || got["GET /computer/api/json"] != 0 {
		t.Errorf("three reads of the queue only (nodesAge 1h): requests %v, want 3 of /queue/api/json and none of /computer/api/json", got)
	}
}
