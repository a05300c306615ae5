package gc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/controllers/gc"
	"minka/reconcile"
	"minka/store"
	"minka/store/storetest"
)

var (
	pipelineKind, _ = v1alpha1.KindFor("pipeline")
	buildKind, _    = v1alpha1.KindFor("build")
)

func build(name string, owners ...metav1.OwnerReference) *v1alpha1.Build {
	return &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: name, OwnerReferences: owners},
		Spec: v1alpha1.BuildSpec{Pipeline: "webapp", Branch: "master"}}
}

func ownerRef(o v1alpha1.Object) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: v1alpha1.APIVersion, Kind: "Pipeline", Name: o.GetName(), UID: o.GetUID()}
}

func pipeline(name string) *v1alpha1.Pipeline {
	return &v1alpha1.Pipeline{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: name},
		Spec: v1alpha1.PipelineSpec{Job: "build", Source: v1alpha1.Source{Git: "https://git.example.com/x.git"}}}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestGarbageCollection(t *testing.T) {
	st, e := storetest.Store(t)
	ctx := context.Background()
	webapp, _ := st.Create(ctx, pipeline("webapp"))
	other, _ := st.Create(ctx, pipeline("other"))
	_, _ = st.Create(ctx, build("webapp-1", ownerRef(webapp)))
	_, _ = st.Create(ctx, build("shared-1", ownerRef(webapp), ownerRef(other)))
	_, _ = st.Create(ctx, build("free-1"))
	orphan := ownerRef(webapp)
	orphan.Name, orphan.UID = "never-existed", "uid-none"
	_, _ = st.Create(ctx, build("orphan-1", orphan))

	m := reconcile.NewManager(st, e.Client, reconcile.ManagerOptions{Controllers: []string{"all"}, Log: logr.Discard()})
	m.Register(gc.Name, gc.Setup)
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = m.Start(mctx); close(done) }()
	defer func() { cancel(); <-done }()

	gone := func(name string) func() bool {
		return func() bool { _, err := st.Get(ctx, buildKind, "ci", name); return errors.Is(err, store.ErrNotFound) }
	}
	eventually(t, "the build whose owner never existed to go", gone("orphan-1"))
	if _, err := st.Delete(ctx, pipelineKind, "ci", "webapp", nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "webapp's build to go with it", gone("webapp-1"))
	eventually(t, "the shared build to drop its dangling owner", func() bool {
		b, err := st.Get(ctx, buildKind, "ci", "shared-1")
		return err == nil && len(b.GetOwnerReferences()) == 1 && b.GetOwnerReferences()[0].Name == "other"
	})
	if _, err := st.Get(ctx, buildKind, "ci", "free-1"); err != nil {
		t.Errorf("a build without owners was touched: %v", err)
	}
	evKind, _ := v1alpha1.KindFor("event")
	evs, _ := st.List(ctx, evKind, "ci", store.ListOptions{})
	found := false
	for _, o := range evs.GetItems() {
		ev := o.(*v1alpha1.Event)
		found = found || (ev.Reason == gc.ReasonOwnerGone && ev.InvolvedObject.Name == "webapp-1")
	}
	if !found {
		t.Errorf("no %s event for webapp-1", gc.ReasonOwnerGone)
	}
}
