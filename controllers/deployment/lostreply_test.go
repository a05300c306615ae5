package deployment_test

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"minka/api/v1alpha1"
	"minka/controllers/deployment"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
	"minka/store/storetest"
)

// TestLostPutRepliesMakeOneVersionEach: every PUT /v2/apps has, at a
// seeded rate, a fault that applies it in Marathon and loses the reply
// (the connection reset, or no answer until the client's deadline), over
// 50 seeded runs. A Deployment is created, then updated once to a new
// image (at a seeded moment: mid-rollout or once available).
//
// The invariant: Marathon stores one app version per PUT it applies, and
// each intended spec generation needs exactly one, so the app ends with
// exactly 2 versions, one per image, each PUT once. A PUT whose reply
// was lost has been applied; sending it again (a retry, or taking the
// unanswered PUT for not done) makes a third version. A rollback or a
// drift repair would add one too, and must not happen here: nothing is
// unhealthy and nobody else writes the app. The app runs the last image
// and the Deployment is Available at generation 2.
func TestLostPutRepliesMakeOneVersionEach(t *testing.T) {
	st, e := storetest.Store(t)
	runs := 50
	if testing.Short() {
		runs = 10
	}
	const v1, v2 = "registry.example.com/webapp:1", "registry.example.com/webapp:2"
	var resets, hangs, midRollout, lost, puts, versions int
	start := time.Now()
	for seed := int64(1); seed <= int64(runs); seed++ {
		rng := rand.New(rand.NewSource(seed))
		failure := []string{fault.AppliedReset, fault.AppliedHang}[rng.Intn(2)]
		rate := 0.3 + 0.4*rng.Float64()
		early := rng.Intn(2) == 0 // update while the create still rolls out
		env := startMarathon(t, simmarathon.Options{StageDelay: 20 * time.Millisecond, HealthDelay: 20 * time.Millisecond, Seed: seed},
			300*time.Millisecond)
		if err := env.sim.Faults.Set(fault.Fault{Match: "PUT /v2/apps", Failure: failure, ErrorRate: rate}); err != nil {
			t.Fatal(err)
		}
		stop := runController(t, env, st, e)
		ns := fmt.Sprintf("lost-%d", seed)
		id := deployment.AppID(ns, "web")
		what := fmt.Sprintf("seed %d (%s at %.2f, update %s)", seed, failure, rate, map[bool]string{true: "mid-rollout", false: "once available"}[early])
		if _, err := st.Create(context.Background(), webDeployment(ns, v1, 60)); err != nil {
			t.Fatal(err)
		}
		first := available
		if early {
			first = func(*v1alpha1.Deployment) bool { return len(env.log.of(id)) > 0 }
		}
		if d, ok := waitFor(st, ns, 20*time.Second, first); !ok {
			t.Fatalf("%s: generation 1 not under way within 20s: %+v; PUTs %s", what, d.Status, describe(env.log.of(id)))
		}
		setImage(t, st, ns, v2, 60)
		d, ok := waitFor(st, ns, 20*time.Second, func(d *v1alpha1.Deployment) bool {
			return d.Generation == 2 && available(d) && env.liveImage(id) == v2
		})
		time.Sleep(200 * time.Millisecond) // a pass more, to catch a late PUT
		stop()
		forget(t, st, ns)

		all := env.log.of(id)
		byImage := map[string]int{}
		for _, p := range all {
			byImage[p.image]++
			if p.lost {
				lost++
			}
		}
		vs, err := env.api.ApplicationVersions(id)
		if err != nil {
			t.Fatalf("%s: GET versions: %v", what, err)
		}
		switch {
		case len(vs.Versions) != 2 || byImage[v1] != 1 || byImage[v2] != 1 || len(all) != 2:
			t.Errorf("%s: %d app versions from PUTs %s; want 2, one PUT per image", what, len(vs.Versions), describe(all))
		case !ok:
			t.Errorf("%s: not available at generation 2 on %s within 20s: %+v", what, v2, d.Status)
		case d.Status.FailedGeneration != 0:
			t.Errorf("%s: failedGeneration %d: a rollout was rolled back", what, d.Status.FailedGeneration)
		}
		puts += len(all)
		versions += len(vs.Versions)
		if failure == fault.AppliedHang {
			hangs++
		} else {
			resets++
		}
		if early {
			midRollout++
		}
	}
	t.Logf("%d seeded runs (%d applied-reset, %d applied-hang; %d updated mid-rollout) in %v: %d app PUTs, %d of them with the reply lost; %d app versions",
		runs, resets, hangs, midRollout, time.Since(start).Round(time.Millisecond), puts, lost, versions)
}
