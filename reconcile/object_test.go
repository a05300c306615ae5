package reconcile

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store/storetest"
)

func TestFinalizers(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	k, _ := v1alpha1.KindFor("Deployment")
	if obj, err := Fetch(ctx, st, k, Request{Namespace: "ci", Name: "web"}); obj != nil || err != nil {
		t.Fatalf("Fetch of a missing object: %v %v, want nil nil", obj, err)
	}
	one := int32(1)
	d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "web"},
		Spec: v1alpha1.DeploymentSpec{Image: "web:1", Replicas: &one, Cpus: 0.1, Mem: 32}}
	created, err := st.Create(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	added, err := AddFinalizer(ctx, st, created, "minka.dev/test")
	if err != nil || len(added.GetFinalizers()) != 1 || added.GetResourceVersion() == created.GetResourceVersion() {
		t.Fatalf("AddFinalizer: %v %v", added, err)
	}
	again, err := AddFinalizer(ctx, st, added, "minka.dev/test")
	if err != nil || again != added {
		t.Errorf("a second AddFinalizer wrote: %v", err)
	}
	if _, err := st.Delete(ctx, k, "ci", "web", nil); err != nil {
		t.Fatal(err)
	}
	held, _ := Fetch(ctx, st, k, Request{Namespace: "ci", Name: "web"})
	if held == nil || held.GetDeletionTimestamp() == nil {
		t.Fatalf("a deleted object with a finalizer: %v", held)
	}
	if err := RemoveFinalizer(ctx, st, held, "minka.dev/test"); err != nil {
		t.Fatal(err)
	}
	if gone, err := Fetch(ctx, st, k, Request{Namespace: "ci", Name: "web"}); gone != nil || err != nil {
		t.Errorf("after its last finalizer went: %v %v", gone, err)
	}
}

// TestPass walks one object through the passes a controller makes: the
// status written once per pass and only when it changed, recorded before
// an action when asked, still written when the reconcile's deadline has
// passed, and nothing written after the last finalizer went.
func TestPass(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	k, _ := v1alpha1.KindFor("Deployment")
	req := Request{Namespace: "ci", Name: "web"}
	if p, err := Begin[*v1alpha1.Deployment](ctx, st, k, req); p != nil || err != nil {
		t.Fatalf("Begin on a missing object: %v %v, want nil nil", p, err)
	}
	one := int32(1)
	if _, err := st.Create(ctx, &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "web"},
		Spec: v1alpha1.DeploymentSpec{Image: "web:1", Replicas: &one, Cpus: 0.1, Mem: 32}}); err != nil {
		t.Fatal(err)
	}
	rev := func() int64 { r, _ := st.Revision(ctx); return r }
	steps := []struct {
		reason string
		pass   func(ctx context.Context, p *Pass[*v1alpha1.Deployment]) error
		writes int64
	}{
		{"finalizer added and a condition set: two writes", func(ctx context.Context, p *Pass[*v1alpha1.Deployment]) error {
			if err := p.AddFinalizer(ctx, "minka.dev/test"); err != nil {
				return err
			}
			Condition(p.Obj, "Available", metav1.ConditionFalse, "Starting", "m")
			return nil
		}, 2},
		{"the same condition again: nothing written", func(ctx context.Context, p *Pass[*v1alpha1.Deployment]) error {
			if err := p.AddFinalizer(ctx, "minka.dev/test"); err != nil {
				return err
			}
			if Condition(p.Obj, "Available", metav1.ConditionFalse, "Starting", "m") {
				t.Error("Condition reported a change for the same condition")
			}
			return nil
		}, 0},
		{"recorded before acting, then unchanged: one write", func(ctx context.Context, p *Pass[*v1alpha1.Deployment]) error {
			p.Obj.Status.FailedGeneration = p.Obj.Generation
			return p.RecordNow(ctx)
		}, 1},
		{"a reconcile whose deadline passed still writes its status", func(ctx context.Context, p *Pass[*v1alpha1.Deployment]) error {
			Condition(p.Obj, "Degraded", metav1.ConditionTrue, "MarathonUnavailable", "no answer within 10s (timeout)")
			return nil
		}, 1},
	}
	for _, s := range steps {
		before := rev()
		p, err := Begin[*v1alpha1.Deployment](ctx, st, k, req)
		if err != nil || p == nil {
			t.Fatalf("%s: Begin: %v", s.reason, err)
		}
		pctx, cancel := context.WithCancel(ctx)
		if err := s.pass(pctx, p); err != nil {
			t.Fatalf("%s: %v", s.reason, err)
		}
		if strings.Contains(s.reason, "deadline") {
			cancel()
		}
		if _, err := p.Finish(pctx, Result{}, nil); err != nil {
			t.Fatalf("%s: Finish: %v", s.reason, err)
		}
		cancel()
		if got := rev() - before; got != s.writes {
			t.Errorf("%s: %d etcd writes, want %d", s.reason, got, s.writes)
		}
	}
	got, _ := st.Get(ctx, k, "ci", "web")
	d := got.(*v1alpha1.Deployment)
	if ConditionReason(d, "Degraded") != "MarathonUnavailable" || d.Status.FailedGeneration != d.Generation {
		t.Errorf("stored status %+v, want Degraded MarathonUnavailable and failedGeneration %d", d.Status, d.Generation)
	}
	if _, err := st.Delete(ctx, k, "ci", "web", nil); err != nil {
		t.Fatal(err)
	}
	p, _ := Begin[*v1alpha1.Deployment](ctx, st, k, req)
	if !p.Deleting() {
		t.Fatal("Deleting() false for an object being deleted")
	}
	Condition(p.Obj, "Available", metav1.ConditionFalse, "Deleting", "")
	if err := p.RemoveFinalizer(ctx, "minka.dev/test"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Finish(ctx, Result{}, nil); err != nil {
		t.Errorf("Finish after the last finalizer went: %v, want no write and no error", err)
	}
	if gone, _ := Fetch(ctx, st, k, req); gone != nil {
		t.Errorf("the object is still there after its last finalizer went: %v", gone)
	}
}

// A backend's 1 MB error as a condition message is cut to what status
// validation accepts, so the status write still succeeds.
func TestConditionMessageFitsValidation(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	k, _ := v1alpha1.KindFor("Deployment")
	one := int32(1)
	if _, err := st.Create(ctx, &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "web"},
		Spec: v1alpha1.DeploymentSpec{Image: "web:1", Replicas: &one, Cpus: 0.1, Mem: 32}}); err != nil {
		t.Fatal(err)
	}
	p, err := Begin[*v1alpha1.Deployment](ctx, st, k, Request{Namespace: "ci", Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	Condition(p.Obj, "Degraded", metav1.ConditionTrue, "MarathonUnavailable", strings.Repeat("x", 1<<20))
	if _, err := p.Finish(ctx, Result{}, nil); err != nil {
		t.Fatalf("a status with a 1 MB condition message: %v", err)
	}
}
