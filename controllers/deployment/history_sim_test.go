package deployment_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/rollout"
	"minka/api/v1alpha1"
	"minka/controllers/deployment"
	simmarathon "minka/sim/marathon"
	"minka/store"
	"minka/store/storetest"
)

// history is a Deployment's history in short: "1:IMAGE:Good@1 ...".
func history(d *v1alpha1.Deployment) string {
	var parts []string
	for _, e := range d.Status.History {
		parts = append(parts, fmt.Sprintf("%d:%s:%s@%d", e.Revision, e.Image, e.Result, e.Generation))
	}
	return strings.Join(parts, " ")
}

// edit changes the stored ci/web with f.
func edit(t *testing.T, st *store.Store, f func(d *v1alpha1.Deployment)) {
	t.Helper()
	obj, err := st.Get(context.Background(), deploymentKind, "ci", "web")
	if err != nil {
		t.Fatal(err)
	}
	d := obj.(*v1alpha1.Deployment)
	f(d)
	d.ResourceVersion = ""
	if _, err := st.Update(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// TestHistoryOfRollouts: the controller records one revision per spec
// rolled out against the simulated Marathon: Good once Available, a
// scale in the same revision, a restart a new one (a new app version,
// the same image), a failed image RolledBack, and the oldest dropped
// past revisionHistoryLimit. Each revision's app version is one
// Marathon has.
func TestHistoryOfRollouts(t *testing.T) {
	st, e := storetest.Store(t)
	env := startMarathon(t, simmarathon.Options{StageDelay: 30 * time.Millisecond, HealthDelay: 30 * time.Millisecond}, 2*time.Second)
	stop := runController(t, env, st, e)
	defer stop()
	const v1, v2, bad, v4 = "registry.example.com/webapp:1", "registry.example.com/webapp:2", "registry.example.com/webapp:bad", "registry.example.com/webapp:4"
	if _, err := st.Create(context.Background(), webDeployment("ci", v1, 60)); err != nil {
		t.Fatal(err)
	}
	availableAt := func(gen int64) func(*v1alpha1.Deployment) bool {
		return func(d *v1alpha1.Deployment) bool { return d.Generation == gen && available(d) }
	}
	steps := []struct {
		what   string
		change func(d *v1alpha1.Deployment)
		done   func(*v1alpha1.Deployment) bool
		want   string
	}{
		{"created", nil, availableAt(1), "1:" + v1 + ":Good@1"},
		{"a new image", func(d *v1alpha1.Deployment) { d.Spec.Image = v2 }, availableAt(2), "1:" + v1 + ":Good@1 2:" + v2 + ":Good@2"},
		{"scaled", func(d *v1alpha1.Deployment) { three := int32(3); d.Spec.Replicas = &three }, availableAt(3),
			"1:" + v1 + ":Good@1 2:" + v2 + ":Good@3"},
		{"restarted", func(d *v1alpha1.Deployment) { d.Spec.RestartedAt = &metav1.Time{Time: time.Now()} }, availableAt(4),
			"1:" + v1 + ":Good@1 2:" + v2 + ":Good@3 3:" + v2 + ":Good@4"},
		{"a failing image", func(d *v1alpha1.Deployment) {
			env.sim.MarkImageBad(bad)
			one := int32(1)
			d.Spec.Image, d.Spec.ProgressDeadlineSeconds = bad, &one
		}, func(d *v1alpha1.Deployment) bool {
			return d.Generation == 5 && d.Status.FailedGeneration == 5 && isTrue(d, deployment.Available, "AllReplicasReady")
		}, "1:" + v1 + ":Good@1 2:" + v2 + ":Good@3 3:" + v2 + ":Good@4 4:" + bad + ":RolledBack@5"},
		{"a history limit of 2", func(d *v1alpha1.Deployment) {
			two, sixty := int32(2), int32(60)
			d.Spec.Image, d.Spec.ProgressDeadlineSeconds, d.Spec.RevisionHistoryLimit = v4, &sixty, &two
		}, availableAt(6), "4:" + bad + ":RolledBack@5 5:" + v4 + ":Good@6"},
	}
	for _, s := range steps {
		if s.change != nil {
			edit(t, st, s.change)
		}
		d, ok := waitFor(st, "ci", 30*time.Second, s.done)
		if !ok {
			t.Fatalf("%s: not done within 30s: history %s, status %+v", s.what, history(d), d.Status.Conditions)
		}
		if got := history(d); got != s.want {
			t.Errorf("%s: history\n got %s\nwant %s", s.what, got, s.want)
		}
		// What the CLI waits on reads this status the same way.
		if want, got := map[bool]rollout.State{true: rollout.Failed, false: rollout.Done}[d.Status.FailedGeneration == d.Generation], rollout.Of(d); got.State != want {
			t.Errorf("%s: rollout.Of says %s (%s), want %s", s.what, got.State, got.Message, want)
		}
		versions, err := env.api.ApplicationVersions("/ci/web")
		if err != nil {
			t.Fatal(err)
		}
		for _, rev := range d.Status.History {
			if !contains(versions.Versions, rev.AppVersion) {
				t.Errorf("%s: revision %d names app version %q, which Marathon does not have (%v)", s.what, rev.Revision, rev.AppVersion, versions.Versions)
			}
		}
		t.Logf("%s: %s; %d app versions", s.what, history(d), len(versions.Versions))
	}
	app, err := env.api.Application("/ci/web")
	if err != nil {
		t.Fatal(err)
	}
	if (*app.Labels)[v1alpha1.RestartedAtLabel] == "" || app.Container.Docker.Image != v4 {
		t.Errorf("Marathon runs %s with labels %v: want %s and the restart label", app.Container.Docker.Image, *app.Labels, v4)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestHistoryAfterALostStatusWrite: the status write after the PUT of a
// new image fails (etcd does not answer it), so the revision the PUT
// made is lost with it; the next pass finds the app at the new spec
// and records it then: one revision for the generation, numbered next,
// Good once Available, and no second PUT.
func TestHistoryAfterALostStatusWrite(t *testing.T) {
	const v1, v2 = "registry.example.com/webapp:1", "registry.example.com/webapp:2"
	st, e, kv := storeWithFault(t, "/minka/deployments/ci/web")
	env := startMarathon(t, simmarathon.Options{StageDelay: 30 * time.Millisecond, HealthDelay: 30 * time.Millisecond}, 2*time.Second)
	stop := runController(t, env, st, e)
	defer stop()
	if _, err := st.Create(context.Background(), webDeployment("ci", v1, 60)); err != nil {
		t.Fatal(err)
	}
	if d, ok := waitFor(st, "ci", 20*time.Second, available); !ok {
		t.Fatalf("not available within 20s: %+v", d.Status)
	}
	env.log.setOnPut(func(p appPut) {
		if p.image == v2 {
			kv.arm()
		}
	})
	setImage(t, st, "ci", v2, 60)
	d, ok := waitFor(st, "ci", 20*time.Second, func(d *v1alpha1.Deployment) bool { return d.Generation == 2 && available(d) })
	if !ok {
		t.Fatalf("not available at generation 2 within 20s: %+v", d.Status)
	}
	if kv.failures() != 1 {
		t.Fatalf("%d status writes failed, want the one after the PUT", kv.failures())
	}
	if got, want := history(d), "1:"+v1+":Good@1 2:"+v2+":Good@2"; got != want {
		t.Errorf("history\n got %s\nwant %s", got, want)
	}
	if puts := env.log.of("/ci/web"); len(puts) != 2 {
		t.Errorf("PUTs %s, want one per image", describe(puts))
	}
}
