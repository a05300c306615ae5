package jenkins_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	before, err := c.Snapshot(ctx, time.Minute)
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
		after, err := c.Snapshot(ctx, time.Minute)
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
