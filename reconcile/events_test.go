package reconcile

import (
	"context"
	"sync"
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

// gatedStore holds the writes of events about one object until released.
type gatedStore struct {
	*store.Store
	object string
	gate   chan struct{}
}

func (g *gatedStore) hold(obj v1alpha1.Object) {
	if ev, ok := obj.(*v1alpha1.Event); ok && ev.InvolvedObject.Name == g.object {
		<-g.gate
	}
}

func (g *gatedStore) Create(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error) {
	g.hold(obj)
	return g.Store.Create(ctx, obj)
}

func (g *gatedStore) Update(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error) {
	g.hold(obj)
	return g.Store.Update(ctx, obj)
}

// A slow event write about one object does not hold up events about
// others (the recorder's lock is not held across etcd writes), and
// concurrent repeats of one event still aggregate into one Event.
func TestRecorderWritesDoNotQueueBehindEachOther(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	slow, _ := st.Create(ctx, deploy("ci", "slow", nil))
	fast, _ := st.Create(ctx, deploy("ci", "fast", nil))
	g := &gatedStore{Store: st, object: "slow", gate: make(chan struct{})}
	rec := NewRecorder(g, "c", "h", logr.Discard())
	held := make(chan struct{})
	go func() { rec.Eventf(ctx, slow, v1alpha1.EventTypeWarning, "Stuck", "etcd is slow"); close(held) }()
	done := make(chan struct{})
	go func() {
		for i := 0; i < 20; i++ {
			rec.Eventf(ctx, fast, v1alpha1.EventTypeNormal, "Scaled", "to 3")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("events about another object waited for a held event write")
	}
	close(g.gate)
	<-held
	evKind, _ := v1alpha1.KindFor("event")
	list, _ := st.List(ctx, evKind, "ci", store.ListOptions{})
	counts := map[string]int32{}
	for _, o := range list.GetItems() {
		ev := o.(*v1alpha1.Event)
		counts[ev.InvolvedObject.Name] += ev.Count
		if ev.InvolvedObject.Name == "fast" && ev.Count != 20 {
			t.Errorf("fast: an Event with count %d, want one Event with count 20", ev.Count)
		}
	}
	if counts["fast"] != 20 || counts["slow"] != 1 || len(list.GetItems()) != 2 {
		t.Errorf("events %v in %d Events, want fast 20 and slow 1 in 2", counts, len(list.GetItems()))
	}
}

func TestRecorderConcurrentRepeatsAggregate(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	obj, _ := st.Create(ctx, deploy("ci", "web", nil))
	rec := NewRecorder(st, "c", "h", logr.Discard())
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); rec.Eventf(ctx, obj, v1alpha1.EventTypeNormal, "Scaled", "to 3") }()
	}
	wg.Wait()
	evKind, _ := v1alpha1.KindFor("event")
	list, _ := st.List(ctx, evKind, "ci", store.ListOptions{})
	if items := list.GetItems(); len(items) != 1 || items[0].(*v1alpha1.Event).Count != 10 {
		t.Fatalf("10 concurrent repeats: %d Events (first count %v), want 1 with count 10", len(items), items)
	}
}
