package managed

import (
	"encoding/json"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// withStatus is obj with status set to the JSON status.
func withStatus(t *testing.T, obj v1alpha1.Object, status string) v1alpha1.Object {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var st any
	if err := json.Unmarshal([]byte(status), &st); err != nil {
		t.Fatal(err)
	}
	m["status"] = st
	data, _ = json.Marshal(m)
	out, err := v1alpha1.DecodeObject(data)
	if err != nil {
		t.Fatalf("status %s: %v", status, err)
	}
	out.SetManagedFields(obj.GetManagedFields())
	return out
}

var longAgo = metav1.NewTime(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC))

// aged sets every entry's time to longAgo, so that a step's result
// shows which times it moved whatever second it runs in.
func aged(obj v1alpha1.Object) {
	mf := obj.GetManagedFields()
	for i := range mf {
		mf[i].Time = longAgo.DeepCopy()
	}
	obj.SetManagedFields(mf)
}

// moved replaces each time by whether the step moved it.
func moved(mf []metav1.ManagedFieldsEntry) []metav1.ManagedFieldsEntry {
	out := make([]metav1.ManagedFieldsEntry, len(mf))
	for i, e := range mf {
		out[i] = *e.DeepCopy()
		if e.Time != nil && !e.Time.Equal(&longAgo) {
			out[i].Time = &metav1.Time{Time: time.Unix(1, 0)}
		}
	}
	return out
}

// TestStatusMatchesTheFieldManager: the shortcut a status write takes
// gives the managedFields apimachinery's field manager gives, for every
// kind with a status, over writes that set, change, remove and repeat
// status fields, by the manager that owns them and by others.
func TestStatusMatchesTheFieldManager(t *testing.T) {
	f, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cond := func(typ, status, msg string) string {
		return `{"type":"` + typ + `","status":"` + status + `","reason":"R","message":"` + msg + `","lastTransitionTime":"2026-12-02T10:00:00Z"}`
	}
	steps := []struct{ manager, status string }{
		{"minka-controller", `{"observedGeneration":1,"conditions":[` + cond("Ready", "False", "starting") + `]}`},
		{"minka-controller", `{"observedGeneration":1,"conditions":[` + cond("Ready", "True", "up") + `,` + cond("Degraded", "False", "") + `]}`},
		{"minka-controller", `{"observedGeneration":2,"conditions":[` + cond("Ready", "True", "up") + `]}`},
		{"minka-controller", `{"observedGeneration":2,"conditions":[` + cond("Ready", "True", "up") + `]}`}, // no change
		{"minka-controller", `{}`},                                       // everything removed
		{"minka-controller", `{"observedGeneration":3}`},                 // back, with a new entry
		{"other", `{"observedGeneration":3}`},                            // another manager, no change
		{"other", `{"observedGeneration":4}`},                            // another takes a field
		{"minka-controller", `{"observedGeneration":4,"conditions":[]}`}, // while another owns status
	}
	shortcuts := 0
	for _, file := range validFiles(t) {
		obj := valid(t, file)
		k, _ := v1alpha1.KindOf(obj)
		if !k.Status {
			continue
		}
		v1alpha1.Default(obj)
		live, err := f.Update("", nil, obj, "kubectl-create")
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range steps {
			aged(live)
			next := withStatus(t, live, s.status)
			want := moved(byPipeline(t, f, "status", live, next, s.manager))
			if _, ok, _ := f.creator.status(live, next, s.manager); ok {
				shortcuts++
			}
			got, err := f.Update("status", live, next, s.manager)
			if err != nil {
				t.Fatal(err)
			}
			if !equality.Semantic.DeepEqual(moved(got.GetManagedFields()), want) {
				g, _ := json.Marshal(moved(got.GetManagedFields()))
				w, _ := json.Marshal(want)
				t.Errorf("%s step %d (%s: %s):\n got %s\nwant %s", file, i, s.manager, s.status, g, w)
			}
			live = got
		}
	}
	// Steps 0–6 of each kind can take it; 7 and 8 cannot.
	if shortcuts == 0 {
		t.Error("no step took the shortcut: the test proves nothing")
	}
	t.Logf("%d steps took the shortcut", shortcuts)
}

// BenchmarkStatus is what recording a controller's status write costs,
// on the shortcut and on the field manager's pipeline.
func BenchmarkStatus(b *testing.B) {
	f, err := New()
	if err != nil {
		b.Fatal(err)
	}
	obj := valid(b, "../v1alpha1/testdata/valid/deployment.yaml")
	live, err := f.Update("", nil, obj, "kubectl-create")
	if err != nil {
		b.Fatal(err)
	}
	d := live.DeepCopyObject().(*v1alpha1.Deployment)
	d.Status.ObservedGeneration, d.Status.Replicas, d.Status.ReadyReplicas = 1, 3, 3
	d.Status.Conditions = []metav1.Condition{{Type: "Available", Status: "True", Reason: "MinimumReplicasAvailable", Message: "3 of 3", LastTransitionTime: longAgo}}
	b.Run("shortcut", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok, err := f.creator.status(live, d, "minka-controller"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("pipeline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := d.DeepCopyObject().(v1alpha1.Object)
			out.SetManagedFields(byPipeline(b, f, "status", live, d, "minka-controller"))
		}
	})
}
