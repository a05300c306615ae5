package watchcache

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"minka/api/v1alpha1"
	"minka/store"
)

// The cache keeps an object's encoding and what selectors read, not the
// decoded object: matching must give what store.ListOptions.Matches
// gives on the decoded one, and Object must decode to an equal object.
func TestObjectMatchesAsDecoded(t *testing.T) {
	dk, _ := v1alpha1.KindFor("Deployment")
	ek, _ := v1alpha1.KindFor("Event")
	d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ci", Labels: map[string]string{"app": "web", "tier": "front"}, ResourceVersion: "7"},
		Spec: v1alpha1.DeploymentSpec{Image: "web:1"}}
	ev := &v1alpha1.Event{ObjectMeta: metav1.ObjectMeta{Name: "web.1", Namespace: "ci"}, Reason: "Scaled", Type: "Normal",
		InvolvedObject: v1alpha1.ObjectReference{Kind: "Deployment", Name: "web", Namespace: "ci"}}
	for _, tc := range []struct {
		name   string
		k      v1alpha1.Kind
		obj    v1alpha1.Object
		labels string
		fields string
	}{
		{"no selector", dk, d, "", ""},
		{"label matches", dk, d, "app=web", ""},
		{"label set", dk, d, "tier in (front,back),app", ""},
		{"label misses", dk, d, "app=db", ""},
		{"label absent", dk, d, "!tier", ""},
		{"name", dk, d, "", "metadata.name=web"},
		{"name misses", dk, d, "", "metadata.name=db"},
		{"namespace", dk, d, "", "metadata.namespace=ci"},
		{"namespace not", dk, d, "", "metadata.namespace!=ci"},
		{"both", dk, d, "app=web", "metadata.name=web"},
		{"event reason", ek, ev, "", "reason=Scaled"},
		{"event involved", ek, ev, "", "involvedObject.name=web,involvedObject.kind=Deployment"},
		{"event misses", ek, ev, "", "involvedObject.name=db"},
		{"event type", ek, ev, "", "type!=Warning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts store.ListOptions
			var err error
			if tc.labels != "" {
				if opts.Labels, err = labels.Parse(tc.labels); err != nil {
					t.Fatal(err)
				}
			}
			if tc.fields != "" {
				if opts.Fields, err = fields.ParseSelector(tc.fields); err != nil {
					t.Fatal(err)
				}
			}
			o, err := newObject(tc.k, tc.obj.DeepCopyObject().(v1alpha1.Object))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := o.matches(opts), opts.Matches(tc.obj); got != want {
				t.Errorf("matches = %v, decoded object: %v", got, want)
			}
			back := o.Object()
			if back.GetName() != tc.obj.GetName() || back.GetNamespace() != tc.obj.GetNamespace() || back.GetResourceVersion() != tc.obj.GetResourceVersion() {
				t.Errorf("decoded %s/%s@%s, want %s/%s@%s", back.GetNamespace(), back.GetName(), back.GetResourceVersion(),
					tc.obj.GetNamespace(), tc.obj.GetName(), tc.obj.GetResourceVersion())
			}
			if back == o.Object() {
				t.Error("Object returned the same value twice: callers own their copy")
			}
		})
	}
}
