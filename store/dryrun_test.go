package store_test

import (
	"errors"
	"testing"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

// A dry run answers every write as the write would, refuses what the
// write would refuse, and leaves etcd's revision where it was.
func TestDryRunWritesNothing(t *testing.T) {
	s, e := storetest.Store(t)
	live, err := s.Create(ctx(t), newDeploy("ci", "web"))
	if err != nil {
		t.Fatal(err)
	}
	revision := func() int64 {
		resp, err := e.Client.Get(ctx(t), "/minka/none")
		if err != nil {
			t.Fatal(err)
		}
		return resp.Header.Revision
	}
	before := revision()
	dry := store.WithDryRun(ctx(t))
	tests := []struct {
		name  string
		write func() (v1alpha1.Object, error)
		check func(v1alpha1.Object, error) string
	}{
		{"create", func() (v1alpha1.Object, error) { return s.Create(dry, newDeploy("ci", "api")) }, func(o v1alpha1.Object, err error) string {
			if err != nil || o.GetUID() == "" || o.GetResourceVersion() != "" || o.(*v1alpha1.Deployment).Spec.Network != "BRIDGE" {
				return "want the defaulted object with a uid and no resourceVersion"
			}
			return ""
		}},
		{"create of a taken name", func() (v1alpha1.Object, error) { return s.Create(dry, newDeploy("ci", "web")) }, func(_ v1alpha1.Object, err error) string {
			if !errors.Is(err, store.ErrAlreadyExists) {
				return "want ErrAlreadyExists"
			}
			return ""
		}},
		{"create of an invalid object", func() (v1alpha1.Object, error) {
			d := newDeploy("ci", "bad")
			d.Spec.Image = ""
			return s.Create(dry, d)
		}, func(_ v1alpha1.Object, err error) string {
			var ie *store.InvalidError
			if !errors.As(err, &ie) {
				return "want the InvalidError"
			}
			return ""
		}},
		{"update", func() (v1alpha1.Object, error) {
			d := live.DeepCopyObject().(*v1alpha1.Deployment)
			d.Spec.Replicas = ptr(int32(9))
			return s.Update(dry, d)
		}, func(o v1alpha1.Object, err error) string {
			if err != nil || *o.(*v1alpha1.Deployment).Spec.Replicas != 9 || o.GetGeneration() != 2 || o.GetResourceVersion() != live.GetResourceVersion() {
				return "want replicas 9 at generation 2 and the stored resourceVersion"
			}
			return ""
		}},
		{"update at a stale resourceVersion", func() (v1alpha1.Object, error) {
			d := live.DeepCopyObject().(*v1alpha1.Deployment)
			d.ResourceVersion = "1"
			return s.Update(dry, d)
		}, func(_ v1alpha1.Object, err error) string {
			if !errors.Is(err, store.ErrConflict) {
				return "want ErrConflict"
			}
			return ""
		}},
		{"status", func() (v1alpha1.Object, error) {
			d := live.DeepCopyObject().(*v1alpha1.Deployment)
			d.Status.ReadyReplicas = 3
			return s.UpdateStatus(dry, d)
		}, func(o v1alpha1.Object, err error) string {
			if err != nil || o.(*v1alpha1.Deployment).Status.ReadyReplicas != 3 {
				return "want the status as it would be"
			}
			return ""
		}},
		{"delete", func() (v1alpha1.Object, error) { return s.Delete(dry, deployKind, "ci", "web", nil) }, func(o v1alpha1.Object, err error) string {
			if err != nil {
				return "want no error"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		o, err := tt.write()
		if msg := tt.check(o, err); msg != "" {
			t.Errorf("dry-run %s: %v %v: %s", tt.name, o, err, msg)
		}
		if got := revision(); got != before {
			t.Fatalf("dry-run %s moved etcd's revision %d → %d", tt.name, before, got)
		}
	}
	if got, err := s.Get(ctx(t), deployKind, "ci", "web"); err != nil || got.GetResourceVersion() != live.GetResourceVersion() {
		t.Fatalf("after the dry runs: %v %v", got, err)
	}
	if _, err := s.Get(ctx(t), deployKind, "ci", "api"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the dry-run create left an object: %v", err)
	}
}
