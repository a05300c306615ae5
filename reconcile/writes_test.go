package reconcile

import (
	"context"
	"testing"

	"github.com/go-logr/logr"

	"minka/api/v1alpha1"
	"minka/store/storetest"
)

// TestEnqueueObjectExceptOwn: the echo of the controller's own write
// enqueues nothing; another client's write and a resync do.
func TestEnqueueObjectExceptOwn(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	w := NewWrites()
	own := w.Store(st)
	c := NewController("deployment", Func(func(context.Context, Request) (Result, error) { return Result{}, nil }), Options{Log: logr.Discard()})
	inf := NewInformer(st, deployKind, InformerOptions{Log: logr.Discard()})
	inf.AddEventHandler(EnqueueObjectExceptOwn(c, w))
	startInformer(t, inf)
	drain := func() int {
		n := c.Len()
		for i := 0; i < n; i++ {
			r, _ := c.queue.Get()
			c.queue.Done(r)
		}
		return n
	}
	cached := func(rv string) func() bool {
		return func() bool { o, ok := inf.Get("ci", "web"); return ok && o.GetResourceVersion() == rv }
	}
	obj, err := st.Create(ctx, deploy("ci", "web", nil))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the create cached", cached(obj.GetResourceVersion()))
	if n := drain(); n != 1 {
		t.Fatalf("create: %d enqueued, want 1", n)
	}
	steps := []struct {
		name  string
		write ObjectStore
		want  int
	}{
		{"own status write: its echo is no news", own, 0},
		{"another client's status write", st, 1},
		{"own again after theirs", own, 0},
	}
	for i, s := range steps {
		d := obj.DeepCopyObject().(*v1alpha1.Deployment)
		d.Status.Replicas = int32(i + 1)
		if obj, err = s.write.UpdateStatus(ctx, d); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		eventually(t, s.name+" cached", cached(obj.GetResourceVersion()))
		if n := drain(); n != s.want {
			t.Errorf("%s: %d enqueued, want %d", s.name, n, s.want)
		}
	}
	inf.notifyUpdate(obj, obj) // a resync of the object last written by the controller
	if n := drain(); n != 1 {
		t.Errorf("resync: %d enqueued, want 1", n)
	}

	// The watch may deliver a write's echo before the write returns.
	h := EnqueueObjectExceptOwn(c, w)
	at := func(rv string) v1alpha1.Object {
		o := obj.DeepCopyObject().(v1alpha1.Object)
		o.SetResourceVersion(rv)
		return o
	}
	req := Request{Namespace: "ci", Name: "web"}
	for _, c2 := range []struct {
		name     string
		seen     []string // updates delivered while the write is in flight
		wrote    string
		enqueued int
	}{
		{"its own echo first", []string{"1000"}, "1000", 0},
		{"another write first, then its own echo", []string{"1001", "1002"}, "1002", 1},
		{"a write of another after its own", []string{"1003", "1004"}, "1003", 1},
	} {
		_, _ = w.write(req, func() (v1alpha1.Object, error) {
			for _, rv := range c2.seen {
				h.Update(obj, at(rv))
			}
			return at(c2.wrote), nil
		})
		if n := drain(); n != c2.enqueued {
			t.Errorf("%s: %d enqueued, want %d", c2.name, n, c2.enqueued)
		}
	}
}

// TestBeginCached: the pass starts from the cache when it holds the
// controller's last write, from the store when the cache lags behind it,
// and from the store after the controller's write deleted the object.
func TestBeginCached(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	w := NewWrites()
	own := w.Store(st)
	inf := NewInformer(st, deployKind, InformerOptions{Log: logr.Discard()})
	inf.AddEventHandler(EnqueueObjectExceptOwn(NewController("d", Func(func(context.Context, Request) (Result, error) { return Result{}, nil }), Options{Log: logr.Discard()}), w))
	startInformer(t, inf)
	d := deploy("ci", "web", nil)
	d.Finalizers = []string{"minka.dev/test"}
	obj, err := st.Create(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	next := obj.DeepCopyObject().(*v1alpha1.Deployment)
	next.Status.Replicas = 1
	if obj, err = own.UpdateStatus(ctx, next); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the status cached", func() bool {
		o, ok := inf.Get("ci", "web")
		return ok && o.GetResourceVersion() == obj.GetResourceVersion()
	})
	req := Request{Namespace: "ci", Name: "web"}
	begin := func() *Pass[*v1alpha1.Deployment] {
		p, err := BeginCached[*v1alpha1.Deployment](ctx, own, inf, w, deployKind, req)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	fromCache := func(p *Pass[*v1alpha1.Deployment]) bool {
		c, _ := inf.Get("ci", "web")
		return v1alpha1.Object(p.Orig) == c
	}
	if p := begin(); !fromCache(p) || p.Obj.Status.Replicas != 1 {
		t.Errorf("cache current: read from the cache %v, replicas %d; want the cache's, 1", fromCache(p), p.Obj.Status.Replicas)
	}
	// A write of ours the cache has not seen yet.
	ahead := obj.DeepCopyObject().(*v1alpha1.Deployment)
	ahead.ResourceVersion = "999999"
	w.rv[req] = revision(ahead)
	if p := begin(); fromCache(p) {
		t.Error("cache behind the controller's last write: the pass read it")
	}
	w.forget(ahead)

	// Delete, then the controller's removal of the last finalizer deletes it.
	if _, err := st.Delete(ctx, deployKind, "ci", "web", nil); err != nil {
		t.Fatal(err)
	}
	cur, err := st.Get(ctx, deployKind, "ci", "web")
	if err != nil {
		t.Fatal(err)
	}
	cur.SetFinalizers(nil)
	if _, err := own.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if p := begin(); p != nil {
		t.Errorf("after the controller's delete: a pass on %s (rv %s), want none", p.Obj.Name, p.Obj.ResourceVersion)
	}
	eventually(t, "the delete seen", func() bool { _, ok := inf.Get("ci", "web"); return !ok })
	if _, err := st.Create(ctx, deploy("ci", "web", nil)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new object cached", func() bool { _, ok := inf.Get("ci", "web"); return ok })
	if p := begin(); p == nil || !fromCache(p) {
		t.Error("an object created anew under the name: not read from the cache")
	}
}
