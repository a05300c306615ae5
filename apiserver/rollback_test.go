package apiserver

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store"
)

// withHistory writes default/web's status as the controller would after
// three rollouts: 1 Good, 2 Good, 3 RolledBack (the current generation).
func withHistory(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	k, _ := v1alpha1.KindFor("Deployment")
	obj, err := st.Get(ctx, k, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	d := obj.(*v1alpha1.Deployment)
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	rev := func(n, gen int64, image, result string, cpus float64) v1alpha1.DeploymentRevision {
		s := v1alpha1.RevisionSpec(&d.Spec)
		s.Image, s.Cpus = image, cpus
		return v1alpha1.DeploymentRevision{Revision: n, Generation: gen, AppVersion: "v" + image, Image: image, Result: result, Time: now, Spec: s}
	}
	d.Status.History = []v1alpha1.DeploymentRevision{rev(1, 1, "nginx:1", v1alpha1.RevisionGood, 0.25),
		rev(2, 2, "nginx:2", v1alpha1.RevisionGood, 0.5), rev(3, d.Generation, "nginx:bad", v1alpha1.RevisionRolledBack, 0.5)}
	if _, err := st.UpdateStatus(ctx, d); err != nil {
		t.Fatal(err)
	}
}

func rollbackBody(revision int64) string {
	return `{"apiVersion":"minka.dev/v1alpha1","kind":"DeploymentRollback","name":"web","rollbackTo":{"revision":` + itoa(revision) + `}}`
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestRollbackSubresource: POST .../deployments/NAME/rollback writes the
// chosen revision's spec (replicas kept) through the store, answers the
// Deployment and records RollbackRequested; a dry run writes nothing;
// an unknown revision is 422 naming rollbackTo.revision; the route takes
// POST only, from edit and deploy, not view.
func TestRollbackSubresource(t *testing.T) {
	hs, e := newTestServer(t, tokenConfig())
	st := store.New(e.Client, store.Options{})
	url := hs.URL + deployPath + "/web/rollback"
	if r := do(t, "POST", hs.URL+deployPath, editToken, "application/json", deployment("web", "default", "nginx:bad")); r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.raw)
	}
	if r := do(t, "PATCH", hs.URL+deployPath+"/web/scale", editToken, "application/merge-patch+json", `{"spec":{"replicas":5}}`); r.code != 200 {
		t.Fatalf("scale: %d %s", r.code, r.raw)
	}
	withHistory(t, st)
	const key = "/minka/deployments/default/web"

	refusals := []struct {
		reason, method, token, body string
		code                        int
		want                        string
	}{
		{"an unknown revision", "POST", deployToken, rollbackBody(7), 422, `rollbackTo.revision: Invalid value: 7: no revision 7 in status.history (revisions: 1 Good, 2 Good, 3 RolledBack)`},
		{"a negative revision", "POST", deployToken, rollbackBody(-1), 422, "rollbackTo.revision: Invalid value: -1: must be >= 0"},
		{"another kind", "POST", deployToken, `{"apiVersion":"minka.dev/v1alpha1","kind":"Scale","rollbackTo":{}}`, 400, `kind: "Scale", want DeploymentRollback`},
		{"another name", "POST", deployToken, strings.Replace(rollbackBody(1), `"web"`, `"db"`, 1), 400, "name: the name of the rollback (db)"},
		{"an unknown field", "POST", deployToken, strings.Replace(rollbackBody(1), `"revision"`, `"revison"`, 1), 400, `unknown field "rollbackTo.revison"`},
		{"a GET", "GET", deployToken, "", 405, ""},
		{"view", "POST", viewToken, rollbackBody(1), 403, "cannot create deployments/rollback"},
	}
	for _, tc := range refusals {
		_, rv := etcdKey(t, e, key)
		r := do(t, tc.method, url, tc.token, "application/json", tc.body)
		if _, rv2 := etcdKey(t, e, key); rv2 != rv {
			t.Errorf("%s: etcd moved", tc.reason)
		}
		if r.code != tc.code || !strings.Contains(r.message, tc.want) {
			t.Errorf("%s: %d %q, want %d %q", tc.reason, r.code, r.message, tc.code, tc.want)
		}
	}

	_, rv := etcdKey(t, e, key)
	if r := do(t, "POST", url+"?dryRun=All", deployToken, "application/json", rollbackBody(0)); r.code != 200 || !strings.Contains(r.raw, `"image":"nginx:2"`) {
		t.Errorf("dry run: %d %s", r.code, r.raw)
	}
	if _, rv2 := etcdKey(t, e, key); rv2 != rv {
		t.Errorf("the dry run wrote (mod revision %d → %d)", rv, rv2)
	}
	if n := countEvents(t, st); n != 0 {
		t.Errorf("the dry run recorded %d events", n)
	}

	r := do(t, "POST", url, deployToken, "application/json", rollbackBody(0))
	var d v1alpha1.Deployment
	if err := json.Unmarshal([]byte(r.raw), &d); err != nil || r.code != 200 {
		t.Fatalf("rollback to 0: %d %s", r.code, r.raw)
	}
	if d.Spec.Image != "nginx:2" || d.Spec.Cpus != 0.5 || *d.Spec.Replicas != 5 || d.Generation != 3 || d.Kind != "Deployment" {
		t.Errorf("rolled back to 0: image %s cpus %v replicas %d generation %d; want revision 2's spec, the live replicas, generation 3",
			d.Spec.Image, d.Spec.Cpus, *d.Spec.Replicas, d.Generation)
	}
	r = do(t, "POST", url, editToken, "application/yaml", "apiVersion: minka.dev/v1alpha1\nkind: DeploymentRollback\nrollbackTo: {revision: 1}\n")
	if err := json.Unmarshal([]byte(r.raw), &d); err != nil || r.code != 200 || d.Spec.Image != "nginx:1" || d.Spec.Cpus != 0.25 {
		t.Errorf("edit's rollback to 1 (YAML, no name): %d %s", r.code, r.raw)
	}
	if n := countEvents(t, st); n != 2 {
		t.Errorf("%d RollbackRequested events, want 2", n)
	}

	// A paused Deployment is not rolled back.
	if r := do(t, "PATCH", hs.URL+deployPath+"/web", editToken, "application/merge-patch+json", `{"spec":{"paused":true}}`); r.code != 200 {
		t.Fatal(r.raw)
	}
	if r := do(t, "POST", url, deployToken, "application/json", rollbackBody(2)); r.code != 409 || !strings.Contains(r.message, "paused") {
		t.Errorf("a paused Deployment: %d %s", r.code, r.message)
	}
}

func countEvents(t *testing.T, st *store.Store) int {
	t.Helper()
	k, _ := v1alpha1.KindFor("Event")
	l, err := st.List(context.Background(), k, "default", store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range l.GetItems() {
		ev := o.(*v1alpha1.Event)
		if ev.Reason == EventRollbackRequested && ev.InvolvedObject.Name == "web" && strings.Contains(ev.Message, "asked for revision") {
			n++
		}
	}
	return n
}

// TestRollbackRetriesUnderStatusWrites: a controller writing the
// Deployment's status as fast as it can moves its resourceVersion
// between the rollback's read and write; the rollback re-reads and
// still lands, once each time.
func TestRollbackRetriesUnderStatusWrites(t *testing.T) {
	hs, e := newTestServer(t, Config{})
	st := store.New(e.Client, store.Options{})
	post(t, hs.URL+deployPath, deployment("web", "default", "nginx:bad"))
	withHistory(t, st)
	k, _ := v1alpha1.KindFor("Deployment")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := int32(0); ctx.Err() == nil; i++ {
			obj, err := st.Get(ctx, k, "default", "web")
			if err != nil {
				return
			}
			d := obj.(*v1alpha1.Deployment)
			d.Status.ReadyReplicas = i % 50
			_, _ = st.UpdateStatus(ctx, d)
		}
	}()
	for i, rev := range []int64{1, 2, 1, 2, 1, 2} {
		r := do(t, "POST", hs.URL+deployPath+"/web/rollback", "", "application/json", rollbackBody(rev))
		if r.code != 200 || !strings.Contains(r.raw, `"image":"nginx:`+itoa(rev)+`"`) {
			t.Errorf("rollback %d to %d under status writes: %d %s", i, rev, r.code, r.message)
		}
	}
	cancel()
	<-done
}
