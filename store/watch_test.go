package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

// next reads one event or fails after a timeout.
func next(t *testing.T, ch <-chan store.WatchEvent) store.WatchEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	return store.WatchEvent{}
}

func expect(t *testing.T, ch <-chan store.WatchEvent, typ watch.EventType, name string) store.WatchEvent {
	t.Helper()
	ev := next(t, ch)
	if ev.Type != typ || ev.Object == nil || ev.Object.GetName() != name {
		t.Fatalf("event = %s %v (err %v), want %s %s", ev.Type, nameOf(ev.Object), ev.Err, typ, name)
	}
	return ev
}

func nameOf(o v1alpha1.Object) string {
	if o == nil {
		return "<nil>"
	}
	return o.GetName()
}

func TestWatchStreamsChangesInOrder(t *testing.T) {
	s, _ := storetest.Store(t)
	c := ctx(t)
	pre, _ := s.Create(c, newDeploy("ci", "before"))
	ch, err := s.Watch(c, deployKind, "ci", store.WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, ch, watch.Added, "before") // the initial state, as rv "" asks
	obj, _ := s.Create(c, newDeploy("ci", "web"))
	_, _ = s.Create(c, newDeploy("other", "elsewhere"))
	d := obj.(*v1alpha1.Deployment).DeepCopy()
	d.Spec.Image = "registry.example.com/web:2"
	upd, _ := s.Update(c, d)
	_, _ = s.Delete(c, deployKind, "ci", "web", nil)
	expect(t, ch, watch.Added, "web")
	ev := expect(t, ch, watch.Modified, "web")
	if ev.Object.GetResourceVersion() != upd.GetResourceVersion() {
		t.Errorf("MODIFIED rv = %s, want %s", ev.Object.GetResourceVersion(), upd.GetResourceVersion())
	}
	del := expect(t, ch, watch.Deleted, "web")
	if del.Object.(*v1alpha1.Deployment).Spec.Image != "registry.example.com/web:2" {
		t.Errorf("DELETED carries %q, want the last state", del.Object.(*v1alpha1.Deployment).Spec.Image)
	}
	_ = pre
}

func TestWatchSelectorTransitions(t *testing.T) {
	s, _ := storetest.Store(t)
	c := ctx(t)
	obj, _ := s.Create(c, newDeploy("ci", "web"))
	sel, _ := labels.Parse("tier=front")
	ch, err := s.Watch(c, deployKind, "", store.WatchOptions{ResourceVersion: obj.GetResourceVersion(), Labels: sel})
	if err != nil {
		t.Fatal(err)
	}
	d := obj.(*v1alpha1.Deployment).DeepCopy()
	d.Labels["tier"] = "front"
	in, _ := s.Update(c, d)
	d = in.(*v1alpha1.Deployment).DeepCopy()
	d.Labels["tier"] = "back"
	_, _ = s.Update(c, d)
	expect(t, ch, watch.Added, "web")   // starts matching
	expect(t, ch, watch.Deleted, "web") // stops matching
}

func TestWatchFromCompactedRevisionIsGone(t *testing.T) {
	s, e := storetest.Store(t)
	c := ctx(t)
	first, _ := s.Create(c, newDeploy("ci", "a"))
	for i := 0; i < 3; i++ {
		_, _ = s.Create(c, newDeploy("ci", fmt.Sprintf("b%d", i)))
	}
	rev, _ := s.Revision(c)
	if _, err := e.Client.Compact(c, rev); err != nil {
		t.Fatal(err)
	}
	_, err := s.Watch(c, deployKind, "ci", store.WatchOptions{ResourceVersion: first.GetResourceVersion()})
	if !errors.Is(err, store.ErrGone) {
		t.Fatalf("watch from compacted rv %s: err = %v, want ErrGone", first.GetResourceVersion(), err)
	}
	if _, err := s.Watch(c, deployKind, "ci", store.WatchOptions{ResourceVersion: fmt.Sprint(rev)}); err != nil {
		t.Errorf("watch from the compaction point itself: %v", err)
	}
}

func TestWatchResumesAfterEtcdRestart(t *testing.T) {
	dir := t.TempDir()
	e := storetest.EtcdAt(t, dir)
	s := store.New(e.Client, store.Options{})
	c := ctx(t)
	seen, _ := s.Create(c, newDeploy("ci", "seen"))
	_, _ = s.Create(c, newDeploy("ci", "missed-before-restart"))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := storetest.EtcdAt(t, dir)
	s2 := store.New(e2.Client, store.Options{})
	_, _ = s2.Create(c, newDeploy("ci", "after-restart"))
	ch, err := s2.Watch(c, deployKind, "ci", store.WatchOptions{ResourceVersion: seen.GetResourceVersion()})
	if err != nil {
		t.Fatalf("resuming watch at rv %s after restart: %v", seen.GetResourceVersion(), err)
	}
	expect(t, ch, watch.Added, "missed-before-restart")
	expect(t, ch, watch.Added, "after-restart")
	_, _ = s2.Create(c, newDeploy("ci", "live"))
	expect(t, ch, watch.Added, "live")
}

func TestWatchEndsWithContext(t *testing.T) {
	s, _ := storetest.Store(t)
	c, cancel := context.WithCancel(context.Background())
	ch, err := s.Watch(c, deployKind, "", store.WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch channel not closed after its context ended")
	}
}

func TestEventsExpireWithTheirLease(t *testing.T) {
	e := storetest.Etcd(t)
	s := store.New(e.Client, store.Options{EventTTL: 2 * time.Second})
	c := ctx(t)
	ev := &v1alpha1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: "ci", Name: "web.1"},
		InvolvedObject: v1alpha1.ObjectReference{Kind: "Deployment", Namespace: "ci", Name: "web"},
		Reason:         "RolloutStarted", Type: v1alpha1.EventTypeNormal, Count: 1,
	}
	obj, err := s.Create(c, ev)
	if err != nil {
		t.Fatal(err)
	}
	upd := obj.(*v1alpha1.Event).DeepCopy()
	upd.Count = 2
	if _, err := s.Update(c, upd); err != nil {
		t.Fatalf("aggregating an event: %v", err)
	}
	resp, err := e.Client.Get(c, "/minka/events/ci/web.1")
	if err != nil || len(resp.Kvs) != 1 || resp.Kvs[0].Lease == 0 {
		t.Fatalf("event key has no lease after an update: %v %+v", err, resp)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err := s.Get(c, eventKind, "ci", "web.1")
		if errors.Is(err, store.ErrNotFound) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("event still stored 15s after a 2s TTL (err %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestProgressRightAfterList: a watch from a list's revision, with nothing
// written since, answers a progress request with a BOOKMARK at that
// revision. It once started at the revision after, where etcd answers no
// progress request on the whole stream (mvcc's progressIfSync), so a watch
// cache waiting to be fresh waited for the next write anywhere.
func TestProgressRightAfterList(t *testing.T) {
	s, _ := storetest.Store(t)
	c := ctx(t)
	obj, _ := s.Create(c, newDeploy("ci", "web"))
	list, err := s.List(c, deployKind, "", store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := s.Watch(c, deployKind, "", store.WatchOptions{ResourceVersion: list.GetResourceVersion(), Bookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		if err := s.RequestProgress(c); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-ch:
			if ev.Type != watch.Bookmark || ev.Object.GetResourceVersion() != list.GetResourceVersion() {
				t.Fatalf("got %s %s@%s, want a BOOKMARK at %s (the watch must not repeat %s, which the list holds)",
					ev.Type, nameOf(ev.Object), ev.Object.GetResourceVersion(), list.GetResourceVersion(), obj.GetName())
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no bookmark within 5s of asking for progress every 100ms")
		}
	}
}
