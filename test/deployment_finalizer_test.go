package test

import (
	"context"
	"slices"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/client"
	"minka/controllers/deployment"
	simmarathon "minka/sim/marathon"
	"minka/store/storetest"
)

// TestDeploymentFinalizerAtCreate: a Deployment created in a server that
// runs the deployment controller is stored with its finalizer by the
// create itself (no second write before the PUT); one created through an
// API-only server sharing the etcd is given it by the controller; and in
// a server with no controller a Deployment has none and is deleted at once.
func TestDeploymentFinalizerAtCreate(t *testing.T) {
	e := storetest.Etcd(t)
	env := startMarathon(t, simmarathon.Options{})
	_, withController := deploymentServer(t, env, "--etcd-endpoints", e.Endpoints[0])
	apiOnly := clientOf(t, StartServer(t, "--etcd-endpoints", e.Endpoints[0], "--controllers", "none"))
	alone := clientOf(t, StartServer(t, "--controllers", "none"))
	ctx := context.Background()
	cases := []struct {
		name         string
		cli          *client.Client
		atCreate     bool // the create's answer carries the finalizer
		managed      bool // a controller runs over this etcd
		deleteAtOnce bool
	}{
		{"created where the controller runs", withController, true, true, false},
		{"created through an API-only server beside it", apiOnly, false, true, false},
		{"no controller anywhere", alone, false, false, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "fin", Name: "web" + string(rune('a'+i))},
				Spec: v1alpha1.DeploymentSpec{Image: "registry.example.com/webapp:1", Cpus: 0.1, Mem: 32}}
			created, err := c.cli.Create(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(created.GetFinalizers(), deployment.Finalizer); got != c.atCreate {
				t.Fatalf("create answered finalizers %v: has %s = %v, want %v", created.GetFinalizers(), deployment.Finalizer, got, c.atCreate)
			}
			if c.managed {
				// The controller's pass gives it the finalizer if it
				// lacks it, before the app exists.
				waitFor(t, 30*time.Second, "the app PUT and the finalizer", func() bool {
					obj, err := c.cli.Get(ctx, deploymentKind, "fin", d.Name)
					_, appErr := env.api.Application("/fin/" + d.Name)
					return err == nil && slices.Contains(obj.GetFinalizers(), deployment.Finalizer) && appErr == nil
				})
			}
			if _, err := c.cli.Delete(ctx, deploymentKind, "fin", d.Name, nil); err != nil {
				t.Fatal(err)
			}
			gone := func() bool {
				_, err := c.cli.Get(ctx, deploymentKind, "fin", d.Name)
				return apierrors.IsNotFound(err)
			}
			if c.deleteAtOnce {
				if !gone() {
					t.Fatal("a Deployment of a server with no controller is still there after its delete")
				}
				return
			}
			waitFor(t, 30*time.Second, "the app and then the object gone", gone)
			if _, err := env.api.Application("/fin/" + d.Name); err == nil {
				t.Errorf("app /fin/%s still in Marathon after its Deployment went", d.Name)
			}
		})
	}
}

func clientOf(t *testing.T, s *Server) *client.Client {
	t.Helper()
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, d)
		}
	}
}
