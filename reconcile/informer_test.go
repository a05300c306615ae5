package reconcile

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

var (
	deployKind, _ = v1alpha1.KindFor("deployment")
	buildKind, _  = v1alpha1.KindFor("build")
)

func deploy(ns, name string, lbl map[string]string) *v1alpha1.Deployment {
	return &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl},
		Spec: v1alpha1.DeploymentSpec{Image: "nginx:1", Cpus: 0.1, Mem: 64}}
}

// recorder counts handler calls per type and object.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) handler() EventHandler {
	rec := func(t string) func(o v1alpha1.Object) {
		return func(o v1alpha1.Object) { r.mu.Lock(); r.events = append(r.events, t+" "+keyOf(o)); r.mu.Unlock() }
	}
	return EventHandler{Add: rec("add"), Delete: rec("delete"),
		Update: func(old, o v1alpha1.Object) {
			t := "update"
			if old == o {
				t = "resync"
			}
			rec(t)(o)
		}}
}

func (r *recorder) has(e string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.events {
		if x == e {
			return true
		}
	}
	return false
}

func startInformer(t *testing.T, inf *Informer) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = inf.Start(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if !inf.WaitForSync(wctx) {
		t.Fatal("informer did not sync within 10s")
	}
}

func TestInformerFollowsTheStore(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		if _, err := st.Create(ctx, deploy("ci", n, map[string]string{"app": n})); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = st.Create(ctx, deploy("prod", "a", map[string]string{"app": "a"}))
	inf := NewInformer(st, deployKind, InformerOptions{Log: logr.Discard()})
	rec := &recorder{}
	inf.AddEventHandler(rec.handler())
	startInformer(t, inf)
	if inf.Len() != 3 || !rec.has("add ci/a") || !rec.has("add prod/a") {
		t.Fatalf("after sync: %d cached, events %v", inf.Len(), rec.events)
	}
	obj, _ := inf.Get("ci", "a")
	d := obj.DeepCopyObject().(*v1alpha1.Deployment)
	d.Spec.Image = "nginx:2"
	_, _ = st.Update(ctx, d)
	_, _ = st.Delete(ctx, deployKind, "ci", "b", nil)
	eventually(t, "update and delete", func() bool { return rec.has("update ci/a") && rec.has("delete ci/b") })
	if got, _ := inf.Get("ci", "a"); got.(*v1alpha1.Deployment).Spec.Image != "nginx:2" {
		t.Errorf("cache holds %s, want nginx:2", got.(*v1alpha1.Deployment).Spec.Image)
	}
	if _, ok := inf.Get("ci", "b"); ok {
		t.Errorf("deleted object still cached")
	}
	sel, _ := labels.Parse("app=a")
	if got := inf.List("", sel); len(got) != 2 {
		t.Errorf("List(all, app=a) = %d objects, want 2", len(got))
	}
	if got := inf.List("ci", sel); len(got) != 1 || got[0].GetNamespace() != "ci" {
		t.Errorf("List(ci, app=a) = %v", got)
	}
	notIn, _ := labels.Parse("app notin (a)")
	if got := inf.List("", notIn); len(got) != 0 {
		t.Errorf("List(app notin (a)) = %d objects, want 0", len(got))
	}
}

func TestOwnerIndexAndEnqueueOwner(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	owner := metav1.OwnerReference{APIVersion: v1alpha1.APIVersion, Kind: "Pipeline", Name: "webapp", UID: "uid-webapp"}
	b := &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "webapp-1", OwnerReferences: []metav1.OwnerReference{owner}},
		Spec: v1alpha1.BuildSpec{Pipeline: "webapp", Branch: "master"}}
	if _, err := st.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	var enqueued atomic.Value
	c := NewController("pipeline", Func(func(ctx context.Context, req Request) (Result, error) {
		enqueued.Store(req)
		return Result{}, nil
	}), Options{Log: logr.Discard()})
	inf := NewInformer(st, buildKind, InformerOptions{Log: logr.Discard()})
	inf.AddEventHandler(EnqueueOwner(c, "Pipeline"))
	startInformer(t, inf)
	if got := inf.ByOwner("uid-webapp"); len(got) != 1 || got[0].GetName() != "webapp-1" {
		t.Errorf("ByOwner = %v", got)
	}
	stop := run(t, c)
	defer stop()
	eventually(t, "the owner enqueued", func() bool {
		r, _ := enqueued.Load().(Request)
		return r == Request{Namespace: "ci", Name: "webapp"}
	})
}

// goneOnce is a Source whose first watch fails with ErrGone, as after a
// compaction, and which deletes an object just before: the relist must
// notice the deletion it never saw as an event.
type goneOnce struct {
	*store.Store
	once sync.Once
	t    *testing.T
}

func (g *goneOnce) Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts store.WatchOptions) (<-chan store.WatchEvent, error) {
	var gone bool
	g.once.Do(func() {
		gone = true
		if _, err := g.Store.Delete(ctx, k, "ci", "doomed", nil); err != nil {
			g.t.Error(err)
		}
	})
	if gone {
		return nil, fmt.Errorf("watching: %w", store.ErrGone)
	}
	return g.Store.Watch(ctx, k, ns, opts)
}

func TestInformerRelistsOnGone(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	_, _ = st.Create(ctx, deploy("ci", "doomed", nil))
	_, _ = st.Create(ctx, deploy("ci", "kept", nil))
	inf := NewInformer(&goneOnce{Store: st, t: t}, deployKind, InformerOptions{Log: logr.Discard()})
	rec := &recorder{}
	inf.AddEventHandler(rec.handler())
	startInformer(t, inf)
	eventually(t, "the relist to drop the deleted object", func() bool { return rec.has("delete ci/doomed") })
	_, _ = st.Create(ctx, deploy("ci", "after", nil))
	eventually(t, "the resumed watch", func() bool { return rec.has("add ci/after") })
	if inf.Len() != 2 {
		t.Errorf("%d cached, want 2", inf.Len())
	}
}

func TestInformerResync(t *testing.T) {
	st, _ := storetest.Store(t)
	_, _ = st.Create(context.Background(), deploy("ci", "web", nil))
	inf := NewInformer(st, deployKind, InformerOptions{Resync: 50 * time.Millisecond, Log: logr.Discard()})
	rec := &recorder{}
	inf.AddEventHandler(rec.handler())
	startInformer(t, inf)
	eventually(t, "a resync of the cached object", func() bool { return rec.has("resync ci/web") })
}
