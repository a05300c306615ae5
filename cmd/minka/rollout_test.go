package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/rollout"
	"minka/api/v1alpha1"
	"minka/controllers/alert"
	"minka/controllers/deployment"
	"minka/controllers/pipeline"
	"minka/controllers/repo"
	"minka/controllers/slavepool"
)

func TestDeploymentArgs(t *testing.T) {
	g := &globals{server: "http://127.0.0.1:1"}
	cases := []struct {
		reason string
		args   []string
		name   string
		rest   string
		err    string
	}{
		{"deploy/NAME", []string{"deploy/web"}, "web", "", ""},
		{"deployment/NAME", []string{"deployment/web"}, "web", "", ""},
		{"deployments/NAME", []string{"deployments/web", "img:1"}, "web", "img:1", ""},
		{"deploy NAME", []string{"deploy", "web", "img:1"}, "web", "img:1", ""},
		{"Deployment NAME", []string{"Deployment", "web"}, "web", "", ""},
		{"another kind", []string{"sp/web"}, "", "", "takes a deployment (deploy/NAME), not slavepools"},
		{"no name", []string{"deploy"}, "", "", "needs a deployment: deploy/NAME or deploy NAME"},
		{"an unknown kind", []string{"pods/web"}, "", "", `unknown resource type "pods"`},
	}
	for _, tc := range cases {
		name, rest, _, err := g.deploymentArgs("verb", tc.args)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.reason, err, tc.err)
		case tc.err == "" && (err != nil || name != tc.name || strings.Join(rest, " ") != tc.rest):
			t.Errorf("%s: %q %q %v, want %q %q", tc.reason, name, rest, err, tc.name, tc.rest)
		}
	}
}

func TestImageArg(t *testing.T) {
	cases := []struct {
		reason, arg, want, err string
	}{
		{"an image", "registry.example.com/webapp:2", "registry.example.com/webapp:2", ""},
		{"NAME=IMAGE with the deployment's name", "web=registry.example.com/webapp:2", "registry.example.com/webapp:2", ""},
		{"another container name", "app=registry.example.com/webapp:2", "", "a Deployment has one image; name it web=IMAGE"},
		{"not an image", "Web App:2", "", `spec.image: Invalid value: "Web App:2"`},
		{"nothing", "web=", "", "spec.image: Required value"},
	}
	for _, tc := range cases {
		got, err := imageArg("web", tc.arg)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.reason, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: %q %v, want %q", tc.reason, got, err, tc.want)
		}
	}
}

func TestPrintHistory(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Generation: 4}, Status: v1alpha1.DeploymentStatus{History: []v1alpha1.DeploymentRevision{
		{Revision: 1, Generation: 1, Image: "web:1", Result: v1alpha1.RevisionGood, AppVersion: "2026-05-01T11:00:00.000Z", Time: at},
		{Revision: 2, Generation: 4, Image: "web:bad", Result: v1alpha1.RevisionRolledBack, Time: at},
	}}}
	var b bytes.Buffer
	printHistory(&b, d)
	want := `deployment.minka.dev/web
REVISION     IMAGE    RESULT      APP VERSION               TIME
1            web:1    Good        2026-05-01T11:00:00.000Z  2026-05-01T12:00:00Z
2 (current)  web:bad  RolledBack  <none>                    2026-05-01T12:00:00Z
`
	if b.String() != want {
		t.Errorf("history:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := printRevision(&b, d, 3); err == nil || !strings.Contains(err.Error(), "--revision 3: deployment web has no such revision") {
		t.Errorf("an unknown revision: %v", err)
	}
}

// TestRolloutReadsWhatControllersWrite: the condition names api/rollout
// reads are the controllers' own.
func TestRolloutReadsWhatControllersWrite(t *testing.T) {
	pairs := [][2]string{
		{rollout.CondAvailable, deployment.Available}, {rollout.CondProgressing, deployment.Progressing}, {rollout.CondDegraded, deployment.Degraded},
		{rollout.ReasonRolloutComplete, deployment.ReasonRolloutComplete}, {rollout.ReasonRolledBack, deployment.ReasonRolledBack},
		{rollout.ReasonRollingBack, deployment.ReasonRollingBack}, {rollout.ReasonAppRejected, deployment.ReasonAppRejected},
		{rollout.ReasonBackendNotConfigured, deployment.ReasonBackendNotConfigured}, {rollout.ReasonDeploymentPaused, deployment.ReasonDeploymentPaused},
		{rollout.CondReady, slavepool.CondReady}, {rollout.CondStalled, slavepool.CondStalled}, {rollout.CondBackendAvailable, slavepool.CondBackendAvailable},
		{rollout.ReasonBackendNotConfigured, slavepool.ReasonBackendNotConfigured},
		{rollout.CondReady, repo.CondReady}, {rollout.ReasonBackendNotConfigured, repo.ReasonBackendNotConfigured},
		{rollout.ReasonSealedValueUnreadable, deployment.ReasonSealedValueUnreadable}, {rollout.ReasonSealedValueUnreadable, pipeline.ReasonSealedValueUnreadable},
		{rollout.CondReady, alert.Ready}, {rollout.ReasonReceiverNotConfigured, alert.ReasonReceiverNotConfigured},
		{rollout.ReasonReceiverUnreadable, alert.ReasonReceiverUnreadable},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("api/rollout reads %q where a controller writes %q", p[0], p[1])
		}
	}
}
