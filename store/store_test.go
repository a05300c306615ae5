package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

var (
	deployKind, _ = v1alpha1.KindFor("deployment")
	eventKind, _  = v1alpha1.KindFor("event")
)

func ptr[T any](v T) *T { return &v }

func newDeploy(ns, name string) *v1alpha1.Deployment {
	return &v1alpha1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": name}},
		Spec: v1alpha1.DeploymentSpec{Image: "registry.example.com/web:1", Replicas: ptr(int32(3)), Cpus: 0.5, Mem: 512,
			Ports: []v1alpha1.Port{{Name: "http", ContainerPort: 8080}}},
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestCreateAssignsIdentityAndClearsStatus(t *testing.T) {
	s, _ := storetest.Store(t)
	in := newDeploy("", "web")
	in.Status.ReadyReplicas = 7
	in.ResourceVersion, in.Generation = "99", 42
	out, err := s.Create(ctx(t), in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	d := out.(*v1alpha1.Deployment)
	if d.Namespace != "default" || d.UID == "" || d.CreationTimestamp.IsZero() || d.Generation != 1 || d.ResourceVersion == "" || d.ResourceVersion == "99" {
		t.Errorf("identity not assigned by the store: ns=%q uid=%q created=%v gen=%d rv=%q", d.Namespace, d.UID, d.CreationTimestamp, d.Generation, d.ResourceVersion)
	}
	if d.Status.ReadyReplicas != 0 {
		t.Errorf("status.readyReplicas = %d on create, want 0 (status is the controllers')", d.Status.ReadyReplicas)
	}
	if in.UID != "" {
		t.Errorf("Create mutated its argument")
	}
	got, err := s.Get(ctx(t), deployKind, "default", "web")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.GetResourceVersion() != d.ResourceVersion || got.GetUID() != d.UID {
		t.Errorf("Get = rv %s uid %s, want rv %s uid %s", got.GetResourceVersion(), got.GetUID(), d.ResourceVersion, d.UID)
	}
	if _, err := s.Create(ctx(t), newDeploy("default", "web")); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("second Create: err = %v, want ErrAlreadyExists", err)
	}
	if _, err := s.Get(ctx(t), deployKind, "default", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get missing: err = %v, want ErrNotFound", err)
	}
}

func TestUpdateGenerationAndUnchangedWrites(t *testing.T) {
	s, e := storetest.Store(t)
	obj, err := s.Create(ctx(t), newDeploy("ci", "web"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		reason  string
		mutate  func(d *v1alpha1.Deployment)
		wantGen int64
		written bool
	}{
		{"same bytes are not a write", func(d *v1alpha1.Deployment) {}, 1, false},
		{"a label change is a write without a new generation", func(d *v1alpha1.Deployment) { d.Labels["tier"] = "front" }, 1, true},
		{"a spec change bumps generation", func(d *v1alpha1.Deployment) { d.Spec.Image = "registry.example.com/web:2" }, 2, true},
		{"a status sent on the main resource is ignored", func(d *v1alpha1.Deployment) { d.Status.ReadyReplicas = 3 }, 2, false},
	}
	cur := obj.(*v1alpha1.Deployment)
	for _, c := range cases {
		revBefore, _ := s.Revision(ctx(t))
		next := cur.DeepCopy()
		c.mutate(next)
		out, err := s.Update(ctx(t), next)
		if err != nil {
			t.Fatalf("%s: Update: %v", c.reason, err)
		}
		revAfter, _ := s.Revision(ctx(t))
		d := out.(*v1alpha1.Deployment)
		if d.Generation != c.wantGen {
			t.Errorf("%s: generation = %d, want %d", c.reason, d.Generation, c.wantGen)
		}
		if wrote := revAfter != revBefore; wrote != c.written {
			t.Errorf("%s: etcd revision %d -> %d, wrote=%v want %v", c.reason, revBefore, revAfter, wrote, c.written)
		}
		if !c.written && d.ResourceVersion != cur.ResourceVersion {
			t.Errorf("%s: resourceVersion %s -> %s on a no-op", c.reason, cur.ResourceVersion, d.ResourceVersion)
		}
		if d.Status.ReadyReplicas != 0 {
			t.Errorf("%s: status changed through the main resource", c.reason)
		}
		cur = d
	}
	_ = e
}

func TestUpdateStaleResourceVersionConflicts(t *testing.T) {
	s, _ := storetest.Store(t)
	obj, _ := s.Create(ctx(t), newDeploy("ci", "web"))
	a := obj.(*v1alpha1.Deployment).DeepCopy()
	b := obj.(*v1alpha1.Deployment).DeepCopy()
	a.Spec.Replicas = ptr(int32(4))
	b.Spec.Replicas = ptr(int32(5))
	if _, err := s.Update(ctx(t), a); err != nil {
		t.Fatalf("first update: %v", err)
	}
	if _, err := s.Update(ctx(t), b); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update: err = %v, want ErrConflict", err)
	}
	if _, err := s.UpdateStatus(ctx(t), b); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale status update: err = %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx(t), deployKind, "ci", "web")
	if r := *got.(*v1alpha1.Deployment).Spec.Replicas; r != 4 {
		t.Errorf("replicas = %d, want 4 (the stale write must not land)", r)
	}
	b.ResourceVersion = "not-a-number"
	if _, err := s.Update(ctx(t), b); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("malformed resourceVersion: err = %v, want ErrInvalid", err)
	}
}

func TestUpdateStatusKeepsSpecAndGeneration(t *testing.T) {
	s, _ := storetest.Store(t)
	obj, _ := s.Create(ctx(t), newDeploy("ci", "web"))
	in := obj.(*v1alpha1.Deployment).DeepCopy()
	in.Spec.Image = "sneaky:2"
	in.Labels = nil
	in.Status.ReadyReplicas = 3
	in.Status.ObservedGeneration = 1
	out, err := s.UpdateStatus(ctx(t), in)
	if err != nil {
		t.Fatalf("UpdateStatus: %v", err)
	}
	d := out.(*v1alpha1.Deployment)
	if d.Spec.Image != "registry.example.com/web:1" || d.Generation != 1 || d.Labels["app"] != "web" {
		t.Errorf("status write changed spec/metadata: image=%q gen=%d labels=%v", d.Spec.Image, d.Generation, d.Labels)
	}
	if d.Status.ReadyReplicas != 3 {
		t.Errorf("status.readyReplicas = %d, want 3", d.Status.ReadyReplicas)
	}
	if _, err := s.UpdateStatus(ctx(t), &v1alpha1.Event{ObjectMeta: metav1.ObjectMeta{Name: "x"}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("status of a kind without status: err = %v, want ErrInvalid", err)
	}
}

func TestDeleteHonoursFinalizers(t *testing.T) {
	s, _ := storetest.Store(t)
	in := newDeploy("ci", "web")
	in.Finalizers = []string{"minka.dev/marathon-app"}
	obj, _ := s.Create(ctx(t), in)
	out, err := s.Delete(ctx(t), deployKind, "ci", "web", nil)
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if out.GetDeletionTimestamp() == nil {
		t.Fatalf("deletionTimestamp not set on an object with finalizers")
	}
	again, err := s.Delete(ctx(t), deployKind, "ci", "web", nil)
	if err != nil || !again.GetDeletionTimestamp().Equal(out.GetDeletionTimestamp()) || again.GetResourceVersion() != out.GetResourceVersion() {
		t.Errorf("second Delete must be a no-op: err=%v rv %s -> %s", err, out.GetResourceVersion(), again.GetResourceVersion())
	}
	add := out.DeepCopyObject().(*v1alpha1.Deployment)
	add.Finalizers = append(add.Finalizers, "late")
	if _, err := s.Update(ctx(t), add); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("adding a finalizer during deletion: err = %v, want ErrInvalid", err)
	}
	if _, err := s.Delete(ctx(t), deployKind, "ci", "web", &store.Preconditions{UID: "other"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("uid precondition: err = %v, want ErrConflict", err)
	}
	rm := out.DeepCopyObject().(*v1alpha1.Deployment)
	rm.Finalizers = nil
	rm.DeletionTimestamp = nil // a client cannot undo a deletion
	if _, err := s.Update(ctx(t), rm); err != nil {
		t.Fatalf("removing the last finalizer: %v", err)
	}
	if _, err := s.Get(ctx(t), deployKind, "ci", "web"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("object still stored after its last finalizer went: %v", err)
	}
	_ = obj
}

func TestListNamespacesAndSelectors(t *testing.T) {
	s, _ := storetest.Store(t)
	for _, nn := range [][2]string{{"ci", "a"}, {"ci", "b"}, {"prod", "a"}, {"cia", "z"}} {
		if _, err := s.Create(ctx(t), newDeploy(nn[0], nn[1])); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		reason string
		ns     string
		sel    string
		want   []string
	}{
		{"one namespace is not its prefix's", "ci", "", []string{"ci/a", "ci/b"}},
		{"all namespaces", "", "", []string{"ci/a", "ci/b", "cia/z", "prod/a"}},
		{"label selector", "", "app=a", []string{"ci/a", "prod/a"}},
		{"set-based selector", "ci", "app notin (a)", []string{"ci/b"}},
	}
	for _, c := range cases {
		sel, _ := labels.Parse(c.sel)
		list, err := s.List(ctx(t), deployKind, c.ns, store.ListOptions{Labels: sel})
		if err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		var got []string
		for _, o := range list.GetItems() {
			got = append(got, o.GetNamespace()+"/"+o.GetName())
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.reason, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: got %v, want %v", c.reason, got, c.want)
			}
		}
		if list.GetResourceVersion() == "" || list.GetResourceVersion() == "0" {
			t.Errorf("%s: list has no resourceVersion", c.reason)
		}
	}
}
