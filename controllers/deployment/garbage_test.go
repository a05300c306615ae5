package deployment_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"minka/api/v1alpha1"
	"minka/controllers/deployment"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
	"minka/store"
	"minka/store/storetest"
)

// TestGarbageAnswersAreReported: Marathon answering GET /v2/apps/… with
// 200 and a truncated body, invalid JSON or an HTML page sets
// Degraded=True MarathonUnavailable with what went wrong, and the
// Deployment is Available again by itself once Marathon is sane.
func TestGarbageAnswersAreReported(t *testing.T) {
	st, e := storetest.Store(t)
	env := startMarathon(t, simmarathon.Options{}, time.Second)
	stop := runController(t, env, st, e)
	defer stop()
	if _, err := st.Create(context.Background(), webDeployment("garbage", "registry.example.com/webapp:1", 60)); err != nil {
		t.Fatal(err)
	}
	if d, ok := waitFor(st, "garbage", 20*time.Second, available); !ok {
		t.Fatalf("not Available: %+v", d.Status.Conditions)
	}
	for _, failure := range []string{fault.Truncated, fault.InvalidJSON, fault.HTMLPage} {
		if err := env.sim.Faults.Set(fault.Fault{Match: "GET /v2/apps/garbage/web", Failure: failure}); err != nil {
			t.Fatal(err)
		}
		// Drift makes the controller look at the app now, rather than at
		// its next resync.
		setReplicas(t, st, "garbage", 3)
		d, ok := waitFor(st, "garbage", 20*time.Second, func(d *v1alpha1.Deployment) bool {
			return isTrue(d, deployment.Degraded, deployment.ReasonMarathonUnavailable)
		})
		if !ok {
			t.Fatalf("%s: Degraded not MarathonUnavailable: %+v", failure, d.Status.Conditions)
		}
		t.Logf("%s: Degraded=True MarathonUnavailable: %.200s", failure, meta.FindStatusCondition(d.Status.Conditions, deployment.Degraded).Message)
		env.sim.Faults.Clear()
		if d, ok := waitFor(st, "garbage", 30*time.Second, func(d *v1alpha1.Deployment) bool {
			return available(d) && !isTrue(d, deployment.Degraded, "") && d.Status.ReadyReplicas == *d.Spec.Replicas
		}); !ok {
			t.Fatalf("%s: not recovered: %+v", failure, d.Status)
		}
		setReplicas(t, st, "garbage", 2)
		if d, ok := waitFor(st, "garbage", 30*time.Second, func(d *v1alpha1.Deployment) bool {
			return available(d) && d.Status.ReadyReplicas == 2
		}); !ok {
			t.Fatalf("%s: not back at 2: %+v", failure, d.Status)
		}
	}
}

func setReplicas(t *testing.T, st *store.Store, ns string, n int32) {
	t.Helper()
	if _, err := st.UpdateReplicas(context.Background(), deploymentKind, ns, "web", n, ""); err != nil {
		t.Fatal(err)
	}
}

// TestMesosGarbageIsReported: while tasks wait for room, Mesos answering
// its operator API with garbage is named in the Progressing condition;
// once it is sane again, the shortfall is explained with numbers.
func TestMesosGarbageIsReported(t *testing.T) {
	st, e := storetest.Store(t)
	env := startMarathon(t, simmarathon.Options{}, time.Second)
	ms := httptest.NewServer(env.sim.Mesos())
	defer ms.Close()
	env.backend.Marathon[0].MesosURL = ms.URL
	if err := env.sim.MesosFaults.Set(fault.Fault{Failure: fault.HTMLPage}); err != nil {
		t.Fatal(err)
	}
	stop := runController(t, env, st, e)
	defer stop()
	d := webDeployment("mesos", "registry.example.com/webapp:1", 600)
	d.Spec.Cpus = 3 // one task per 4-cpu agent: 3 fit, 2 wait
	five := int32(5)
	d.Spec.Replicas = &five
	if _, err := st.Create(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	progressing := func(d *v1alpha1.Deployment) string {
		if c := meta.FindStatusCondition(d.Status.Conditions, deployment.Progressing); c != nil {
			return c.Reason + ": " + c.Message
		}
		return ""
	}
	got, ok := waitFor(st, "mesos", 20*time.Second, func(d *v1alpha1.Deployment) bool {
		return strings.Contains(progressing(d), "Mesos cannot say whether they fit")
	})
	if !ok {
		t.Fatalf("Progressing does not name the Mesos failure: %q", progressing(got))
	}
	t.Logf("Mesos html-200: Progressing=%.300s", progressing(got))
	env.sim.MesosFaults.Clear()
	got, ok = waitFor(st, "mesos", 20*time.Second, func(d *v1alpha1.Deployment) bool {
		return strings.HasPrefix(progressing(d), deployment.ReasonInsufficientResources)
	})
	if !ok {
		t.Fatalf("after Mesos recovered: %q, want InsufficientResources", progressing(got))
	}
	t.Logf("Mesos sane again: Progressing=%.200s", progressing(got))
}
