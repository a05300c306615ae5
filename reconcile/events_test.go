package reconcile

import (
	"context"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

func TestRecorderAggregatesAndLimits(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	obj, err := st.Create(ctx, deploy("ci", "web", nil))
	if err != nil {
		t.Fatal(err)
	}
	evKind, _ := v1alpha1.KindFor("event")
	rec := NewRecorder(st, "deployment-controller", "host-1", logr.Discard())
	before, _ := st.Revision(ctx)
	for i := 0; i < 1000; i++ {
		rec.Eventf(ctx, obj, v1alpha1.EventTypeWarning, "RolloutFailed", "app %s is locked", "/ci/web")
	}
	after, _ := st.Revision(ctx)
	list, _ := st.List(ctx, evKind, "ci", store.ListOptions{})
	items := list.GetItems()
	if len(items) != 1 {
		t.Fatalf("%d events for one repeated event, want 1 (aggregated)", len(items))
	}
	ev := items[0].(*v1alpha1.Event)
	if ev.Count != spamBurst || ev.Source.Component != "deployment-controller" || ev.InvolvedObject.UID != string(obj.GetUID()) {
		t.Errorf("event = count %d source %s uid %s, want count %d", ev.Count, ev.Source.Component, ev.InvolvedObject.UID, spamBurst)
	}
	if writes := after - before; writes > spamBurst {
		t.Errorf("1000 identical events cost %d etcd writes, want <= %d", writes, spamBurst)
	}
	t.Logf("1000 identical events: 1 Event, count %d, %d etcd writes", ev.Count, after-before)

	other, _ := st.Create(ctx, deploy("ci", "api", nil))
	rec.Eventf(ctx, other, v1alpha1.EventTypeNormal, "RolloutStarted", "rolling out")
	rec.Eventf(ctx, other, v1alpha1.EventTypeNormal, "RolloutSucceeded", "rolled out")
	list, _ = st.List(ctx, evKind, "ci", store.ListOptions{})
	if n := len(list.GetItems()); n != 3 {
		t.Errorf("%d events, want 3: another object is not limited by the first's spam filter", n)
	}
}

func TestRecorderStartsAfreshOutsideTheWindow(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	obj, _ := st.Create(ctx, deploy("ci", "web", nil))
	now := time.Now()
	rec := NewRecorder(st, "c", "h", logr.Discard())
	rec.now = func() time.Time { return now }
	rec.Eventf(ctx, obj, v1alpha1.EventTypeNormal, "Scaled", "to 3")
	now = now.Add(aggregateWindow + time.Minute)
	rec.Eventf(ctx, obj, v1alpha1.EventTypeNormal, "Scaled", "to 3")
	evKind, _ := v1alpha1.KindFor("event")
	list, _ := st.List(ctx, evKind, "ci", store.ListOptions{})
	if n := len(list.GetItems()); n != 2 {
		t.Errorf("%d events, want 2: the same event after the aggregation window is a new one", n)
	}
}
