package store_test

import (
	"errors"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

func TestFencedWritesFailOnceTheLeaderKeyIsGone(t *testing.T) {
	s, e := storetest.Store(t)
	c := ctx(t)
	put, err := e.Client.Put(c, "/minka-leader/controllers", "me")
	if err != nil {
		t.Fatal(err)
	}
	fenced := s.WithFence(store.Fence{Key: "/minka-leader/controllers", CreateRevision: put.Header.Revision})
	obj, err := fenced.Create(c, newDeploy("ci", "web"))
	if err != nil {
		t.Fatalf("create while holding the fence: %v", err)
	}
	// Another leader takes over: the key is deleted and recreated.
	if _, err := e.Client.Delete(c, "/minka-leader/controllers"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.Put(c, "/minka-leader/controllers", "other", clientv3.WithPrevKV()); err != nil {
		t.Fatal(err)
	}
	d := obj.(*v1alpha1.Deployment).DeepCopy()
	d.Spec.Image = "registry.example.com/web:2"
	d.Status.ReadyReplicas = 2
	cases := []struct {
		reason string
		write  func() error
	}{
		{"update", func() error { _, err := fenced.Update(c, d); return err }},
		{"status", func() error { _, err := fenced.UpdateStatus(c, d); return err }},
		{"create", func() error { _, err := fenced.Create(c, newDeploy("ci", "other")); return err }},
		{"delete", func() error { _, err := fenced.Delete(c, deployKind, "ci", "web", nil); return err }},
	}
	for _, tc := range cases {
		if err := tc.write(); !errors.Is(err, store.ErrFenced) {
			t.Errorf("%s by a deposed leader: err = %v, want ErrFenced", tc.reason, err)
		}
	}
	got, _ := s.Get(c, deployKind, "ci", "web")
	if got.(*v1alpha1.Deployment).Spec.Image != "registry.example.com/web:1" {
		t.Errorf("a fenced write landed")
	}
	if _, err := s.Update(c, d); err != nil {
		t.Errorf("the unfenced store must still write: %v", err)
	}
}
