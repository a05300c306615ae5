package store_test

import (
	"errors"
	"testing"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

var errRefused = errors.New("refused by the test")

// onlyImage admits an update that changes nothing of the spec but the
// image, and no create.
func onlyImage(seen *[]string) store.Admit {
	return func(cur, next v1alpha1.Object) error {
		if cur == nil {
			return errRefused
		}
		c, n := cur.(*v1alpha1.Deployment), next.(*v1alpha1.Deployment)
		*seen = append(*seen, c.Spec.Image+"→"+n.Spec.Image)
		if *c.Spec.Replicas != *n.Spec.Replicas {
			return errRefused
		}
		return nil
	}
}

// TestAdmit: a write through WithAdmit is checked against the stored
// object and, refused, writes nothing and returns the admitter's error;
// status writes are not checked.
func TestAdmit(t *testing.T) {
	s, _ := storetest.Store(t)
	orig, err := s.Create(ctx(t), newDeploy("ci", "web"))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	actx := store.WithAdmit(ctx(t), onlyImage(&seen))
	cases := []struct {
		reason  string
		write   func() (v1alpha1.Object, error)
		refused bool
	}{
		{"a create", func() (v1alpha1.Object, error) { return s.Create(actx, newDeploy("ci", "other")) }, true},
		{"a change of replicas", func() (v1alpha1.Object, error) {
			d := newDeploy("ci", "web")
			d.Spec.Replicas = ptr(int32(9))
			return s.Update(actx, d)
		}, true},
		{"replicas through the scale path", func() (v1alpha1.Object, error) { return s.UpdateReplicas(actx, deployKind, "ci", "web", 9, "") }, true},
		{"a new image", func() (v1alpha1.Object, error) {
			d := newDeploy("ci", "web")
			d.Spec.Image = "registry.example.com/web:2"
			return s.Update(actx, d)
		}, false},
		{"a status write", func() (v1alpha1.Object, error) {
			d := orig.DeepCopyObject().(*v1alpha1.Deployment)
			d.Status.Replicas, d.ResourceVersion = 3, ""
			return s.UpdateStatus(actx, d)
		}, false},
	}
	for _, tc := range cases {
		before, _ := s.Get(ctx(t), deployKind, "ci", "web")
		_, err := tc.write()
		after, _ := s.Get(ctx(t), deployKind, "ci", "web")
		switch {
		case tc.refused && !errors.Is(err, errRefused):
			t.Errorf("%s: %v, want the admitter's error", tc.reason, err)
		case tc.refused && after.GetResourceVersion() != before.GetResourceVersion():
			t.Errorf("%s: refused, yet written (rv %s → %s)", tc.reason, before.GetResourceVersion(), after.GetResourceVersion())
		case !tc.refused && err != nil:
			t.Errorf("%s: %v", tc.reason, err)
		}
	}
	if _, err := s.Get(ctx(t), deployKind, "ci", "other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused create stored ci/other: %v", err)
	}
	if want := "registry.example.com/web:1→registry.example.com/web:1"; len(seen) != 3 || seen[0] != want {
		t.Errorf("the admitter saw %v, want the stored image against each write's", seen)
	}
}
