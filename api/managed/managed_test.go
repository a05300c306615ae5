package managed

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"minka/api/v1alpha1"
)

func applied(executors int64) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "minka.dev/v1alpha1", "kind": "SlavePool",
		"metadata": map[string]any{"name": "p", "namespace": "ci"},
		"spec": map[string]any{"labels": []any{"amd64"}, "executors": executors,
			"template": map[string]any{"image": "u", "flavor": "f"}}}}
}

func managers(obj v1alpha1.Object) map[string]string {
	m := map[string]string{}
	for _, e := range obj.GetManagedFields() {
		m[e.Manager] = string(e.Operation)
	}
	return m
}

// TestApplyOwnsAndConflicts: an apply over nothing owns its fields; another
// manager applying another value to one of them is a 409 naming it;
// force takes it; an update records its manager beside them.
func TestApplyOwnsAndConflicts(t *testing.T) {
	f, err := New()
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.Apply(nil, applied(2), "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	if m := managers(obj); m["alice"] != "Apply" || len(m) != 1 {
		t.Fatalf("managers %v", m)
	}
	// Same value: no conflict, both own it.
	if _, err := f.Apply(obj, applied(2), "bob", false); err != nil {
		t.Errorf("applying the same value: %v", err)
	}
	_, err = f.Apply(obj, applied(3), "bob", false)
	if !apierrors.IsConflict(err) || !strings.Contains(err.Error(), `conflict with "alice"`) || !strings.Contains(err.Error(), ".spec.executors") {
		t.Fatalf("conflicting apply: %v", err)
	}
	forced, err := f.Apply(obj, applied(3), "bob", true)
	if err != nil {
		t.Fatal(err)
	}
	if sp := forced.(*v1alpha1.SlavePool); sp.Spec.Executors != 3 || managers(forced)["bob"] != "Apply" {
		t.Errorf("forced: executors %d, managers %v", sp.Spec.Executors, managers(forced))
	}
	next := forced.DeepCopyObject().(*v1alpha1.SlavePool)
	next.Spec.RemoteFS = "/srv/jenkins"
	updated, err := f.Update("", forced, next, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if m := managers(updated); m["carol"] != "Update" || m["bob"] != "Apply" {
		t.Errorf("after an update: %v", m)
	}
	// A status write is recorded against the status subresource.
	st := updated.DeepCopyObject().(*v1alpha1.SlavePool)
	st.Status.ObservedGeneration = 4
	withStatus, err := f.Update("status", updated, st, "minka-controller")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range withStatus.GetManagedFields() {
		found = found || e.Manager == "minka-controller" && e.Subresource == "status"
	}
	if !found {
		t.Errorf("status update not recorded on the status subresource: %v", withStatus.GetManagedFields())
	}
}

// BenchmarkUpdate is what recording a manager adds to each API write.
func BenchmarkUpdate(b *testing.B) {
	f, err := New()
	if err != nil {
		b.Fatal(err)
	}
	live, err := f.Apply(nil, applied(2), "alice", false)
	if err != nil {
		b.Fatal(err)
	}
	next := live.DeepCopyObject().(*v1alpha1.SlavePool)
	next.Spec.RemoteFS = "/srv/jenkins"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Update("", live, next, "carol"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUpdateKeepsTheObject: Update sets the field manager's managedFields
// on a copy of next instead of decoding the merged object back; for
// every kind, on a create and on an update, it must give the object that
// decoding would.
func TestUpdateKeepsTheObject(t *testing.T) {
	f, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range validFiles(t) {
		obj := valid(t, file)
		next := obj.DeepCopyObject().(v1alpha1.Object)
		next.SetLabels(map[string]string{"changed": "yes"})
		for _, c := range []struct {
			what       string
			live, next v1alpha1.Object
		}{{"create", nil, obj}, {"update", obj, next}} {
			fm, err := f.manager(c.next, "")
			if err != nil {
				t.Fatal(err)
			}
			liveU, _ := toUnstructured(c.live, c.next)
			nextU, _ := toUnstructured(c.next, c.next)
			merged := fm.UpdateNoErrors(liveU, nextU, "tester")
			want, err := fromUnstructured(merged)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Update("", c.live, c.next, "tester")
			if err != nil {
				t.Fatal(err)
			}
			// The two runs may fall in different seconds.
			for _, o := range []v1alpha1.Object{got, want} {
				mf := o.GetManagedFields()
				for i := range mf {
					mf[i].Time = nil
				}
				o.SetManagedFields(mf)
			}
			if !equality.Semantic.DeepEqual(got, want) {
				t.Errorf("%s, %s: the object with the manager's managedFields differs from the merged one decoded:\n got %#v\nwant %#v", file, c.what, got, want)
			}
			if n := len(got.GetManagedFields()); n == 0 || (c.live != nil && n != 1) {
				t.Errorf("%s, %s: %d managedFields entries, want 1 (the tester's, merged)", file, c.what, n)
			}
			if c.live == nil {
				obj.SetManagedFields(got.GetManagedFields()) // the update's live object has the create's
			}
		}
	}
}

// BenchmarkCreate is what recording a create's manager costs, on the
// shortcut Update takes and on the field manager's pipeline it stands for.
func BenchmarkCreate(b *testing.B) {
	f, err := New()
	if err != nil {
		b.Fatal(err)
	}
	obj := valid(b, "../v1alpha1/testdata/valid/deployment.yaml")
	b.Run("shortcut", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.Update("", nil, obj, "tester"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pipeline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := obj.DeepCopyObject().(v1alpha1.Object)
			out.SetManagedFields(byPipeline(b, f, "", nil, obj, "tester"))
		}
	})
}
