package reconcile

import (
	"context"
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
