package deployment_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/controllers/deployment"
	simmarathon "minka/sim/marathon"
	"minka/store"
	"minka/store/storetest"
)

// A sealed env value reaches Marathon in clear and nowhere else: the
// stored object keeps it sealed, a change made in Marathon is found and
// undone without the value in the event, the converged app is not PUT
// again (the comparison is of clear values), and a copy in another
// namespace does not open: Degraded, and nothing sent to Marathon.
func TestSealedEnv(t *testing.T) {
	const secret = "db-pa55word-in-clear"
	st, e := storetest.Store(t)
	text, _ := sealed.NewKey()
	keys, err := sealed.ParseKeys(text)
	if err != nil {
		t.Fatal(err)
	}
	env := startMarathon(t, simmarathon.Options{}, time.Second)
	env.keys = keys
	stop := runController(t, env, st, e)
	defer stop()
	ctx := context.Background()

	value, err := sealed.Seal(keys.Recipient(), sealed.NamespaceScope("sealed"), secret)
	if err != nil {
		t.Fatal(err)
	}
	d := webDeployment("sealed", "registry.example.com/webapp:1", 60)
	d.Spec.Env = map[string]string{"DB_PASSWORD": value, "MODE": "fast"}
	if _, err := st.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, ok := waitFor(st, "sealed", 20*time.Second, available)
	if !ok {
		t.Fatalf("not Available: %+v", got.Status.Conditions)
	}
	app, err := env.api.Application("/sealed/web")
	if err != nil || app.Env == nil || (*app.Env)["DB_PASSWORD"] != secret || (*app.Env)["MODE"] != "fast" {
		t.Fatalf("Marathon's env: %v %v", app.Env, err)
	}
	if got.Spec.Env["DB_PASSWORD"] != value {
		t.Errorf("the stored env is not the sealed value: %.40q", got.Spec.Env["DB_PASSWORD"])
	}

	// Converged: no PUT while nothing changes.
	puts := len(env.log.of("/sealed/web"))
	time.Sleep(2 * time.Second)
	if n := len(env.log.of("/sealed/web")); n != puts {
		t.Errorf("%d PUTs after convergence: the comparison is not of clear values", n-puts)
	}

	// Drift: the value changed in Marathon is restored.
	changed := *app
	changed.Env = &map[string]string{"DB_PASSWORD": "changed-behind-minka", "MODE": "fast"}
	changed.Tasks, changed.Deployments, changed.Version, changed.VersionInfo = nil, nil, "", nil
	if _, err := env.api.UpdateApplication(&changed, true); err != nil {
		t.Fatal(err)
	}
	restored := func() bool {
		a, err := env.api.Application("/sealed/web")
		return err == nil && a.Env != nil && (*a.Env)["DB_PASSWORD"] == secret
	}
	for deadline := time.Now().Add(20 * time.Second); !restored() && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
	}
	if !restored() {
		t.Fatal("the env changed in Marathon was not restored")
	}

	// Copied into another namespace, the value does not open.
	moved := webDeployment("elsewhere", "registry.example.com/webapp:1", 60)
	moved.Spec.Env = map[string]string{"DB_PASSWORD": value}
	if _, err := st.Create(ctx, moved); err != nil {
		t.Fatal(err)
	}
	got, ok = waitFor(st, "elsewhere", 10*time.Second, func(d *v1alpha1.Deployment) bool {
		return isTrue(d, deployment.Degraded, deployment.ReasonSealedValueUnreadable)
	})
	if !ok {
		t.Fatalf("a copied value: no SealedValueUnreadable: %+v", got.Status.Conditions)
	}
	msg := v1alpha1.FindCondition(got.Status.Conditions, deployment.Degraded).Message
	if want := "spec.env[DB_PASSWORD]: sealed for another scope: it was sealed for namespace/sealed, not namespace/elsewhere"; !strings.Contains(msg, want) {
		t.Errorf("condition %q, want it to say %q", msg, want)
	}
	if n := len(env.log.of("/elsewhere/web")); n != 0 {
		t.Errorf("%d PUTs of an app whose env does not open", n)
	}

	// The clear value is in no object and no event.
	eventKind, _ := v1alpha1.KindFor("Event")
	for _, k := range []v1alpha1.Kind{deploymentKind, eventKind} {
		for _, ns := range []string{"sealed", "elsewhere"} {
			list, err := st.List(ctx, k, ns, store.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(list)
			if strings.Contains(string(b), secret) {
				t.Errorf("%s in %s show the clear value", k.Plural, ns)
			}
			if k.Kind == "Event" && ns == "sealed" && !strings.Contains(string(b), deployment.EventDriftCorrected) {
				t.Errorf("no %s event for the change made in Marathon", deployment.EventDriftCorrected)
			}
		}
	}
}
