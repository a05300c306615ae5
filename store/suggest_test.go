package store_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/equality"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
)

// copies is a Suggester holding whatever copies a test gives it, stale
// or not, as a lagging watch cache would.
type copies struct {
	mu   sync.Mutex
	objs map[string]v1alpha1.Object
	asks int
}

func (c *copies) Suggest(k v1alpha1.Kind, ns, name string) (v1alpha1.Object, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asks++
	o, ok := c.objs[ns+"/"+name]
	if !ok {
		return nil, false
	}
	return o.DeepCopyObject().(v1alpha1.Object), true
}

func (c *copies) set(o v1alpha1.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.objs[o.GetNamespace()+"/"+o.GetName()] = o
}

// ranges is how many Range calls the embedded etcd has served.
func ranges(t *testing.T) float64 {
	t.Helper()
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "grpc_server_handled_total" {
			continue
		}
		n := 0.0
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "grpc_method" && l.GetValue() == "Range" {
					n += m.GetCounter().GetValue()
				}
			}
		}
		return n
	}
	t.Skip("the embedded etcd exports no grpc_server_handled_total")
	return 0
}

// TestUpdatesBuildOnSuggestions: an update builds on the suggester's
// copy when it is the version asked for, without reading etcd, and
// leaves the copy as it was; a stale copy costs a failed compare and the
// transaction's own read-back, never a lost write or a wrong answer.
func TestUpdatesBuildOnSuggestions(t *testing.T) {
	s, _ := storetest.Store(t)
	c := &copies{objs: map[string]v1alpha1.Object{}}
	s.SuggestFrom(c)
	created, err := s.Create(ctx(t), newDeploy("ci", "web"))
	if err != nil {
		t.Fatal(err)
	}
	c.set(created)
	kept := created.DeepCopyObject()

	// Current copy, the version asked for: no read of etcd.
	before := ranges(t)
	st := created.DeepCopyObject().(*v1alpha1.Deployment)
	st.Status.ReadyReplicas = 2
	out, err := s.UpdateStatus(ctx(t), st)
	if err != nil {
		t.Fatal(err)
	}
	if n := ranges(t) - before; n != 0 {
		t.Errorf("a status write on the current copy read etcd %v times, want 0", n)
	}
	if !equality.Semantic.DeepEqual(created, kept) {
		t.Error("the update modified the suggester's copy")
	}
	if out.(*v1alpha1.Deployment).Status.ReadyReplicas != 2 || out.GetResourceVersion() == created.GetResourceVersion() {
		t.Errorf("status write answered %+v at rv %s", out.(*v1alpha1.Deployment).Status, out.GetResourceVersion())
	}

	// The copy is now stale (created, not the status write). A label
	// edit without a resourceVersion must land on the current object,
	// keeping the status just written.
	edit := created.DeepCopyObject().(*v1alpha1.Deployment)
	edit.ResourceVersion = ""
	edit.Labels = map[string]string{"app": "web", "tier": "front"}
	if _, err := s.Update(ctx(t), edit); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx(t), deployKind, "ci", "web")
	if err != nil {
		t.Fatal(err)
	}
	if d := got.(*v1alpha1.Deployment); d.Status.ReadyReplicas != 2 || d.Labels["tier"] != "front" {
		t.Errorf("after an edit on a stale copy: readyReplicas %d, labels %v; want 2 and tier=front", d.Status.ReadyReplicas, d.Labels)
	}

	// A stale copy at the version asked for: etcd has moved on, so the
	// write is a conflict, as without a suggester.
	stale := created.DeepCopyObject().(*v1alpha1.Deployment)
	stale.Status.ReadyReplicas = 9
	if _, err := s.UpdateStatus(ctx(t), stale); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a status write at the stale copy's version: %v, want a conflict", err)
	}

	// A write that the stale copy makes look like no change (its status
	// is the copy's) must still reach etcd, which has moved on.
	back := created.DeepCopyObject().(*v1alpha1.Deployment)
	back.ResourceVersion = ""
	if _, err := s.UpdateStatus(ctx(t), back); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Get(ctx(t), deployKind, "ci", "web"); err != nil {
		t.Fatal(err)
	}
	if d := got.(*v1alpha1.Deployment); d.Status.ReadyReplicas != 0 || d.Labels["tier"] != "front" {
		t.Errorf("a status write equal to the stale copy: stored readyReplicas %d, labels %v; want 0 and tier=front", d.Status.ReadyReplicas, d.Labels)
	}

	// A copy of an object deleted since: not found.
	if _, err := s.Delete(ctx(t), deployKind, "ci", "web", nil); err != nil {
		t.Fatal(err)
	}
	gone := got.DeepCopyObject().(*v1alpha1.Deployment)
	gone.ResourceVersion = ""
	gone.Status.ReadyReplicas = 1
	if _, err := s.UpdateStatus(ctx(t), gone); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a status write on a deleted object's copy: %v, want not found", err)
	}
	if c.asks < 4 {
		t.Errorf("the suggester was asked %d times, want one per update (4)", c.asks)
	}
}
