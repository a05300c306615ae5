package v1alpha1

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDefaultFinalizer(t *testing.T) {
	const f = "minka.dev/test-guard"
	deleting := metav1.Now()
	cases := []struct {
		name       string
		registered bool
		obj        Object
		want       []string
	}{
		{"not registered: nothing added", false, &Deployment{}, nil},
		{"a new object gets it", true, &Deployment{}, []string{f}},
		{"kept beside others, once", true, &Deployment{ObjectMeta: metav1.ObjectMeta{Finalizers: []string{"other", f}}}, []string{"other", f}},
		{"added after others", true, &Deployment{ObjectMeta: metav1.ObjectMeta{Finalizers: []string{"other"}}}, []string{"other", f}},
		{"never on an object being deleted (its removal must hold)", true,
			&Deployment{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &deleting}}, nil},
		{"other kinds untouched", true, &SlavePool{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.registered {
				undo := AddDefaultFinalizer("Deployment", f)
				defer undo()
			}
			Default(c.obj)
			if got := c.obj.GetFinalizers(); !slices.Equal(got, c.want) {
				t.Fatalf("finalizers %v, want %v", got, c.want)
			}
			Default(c.obj) // idempotent: a re-applied manifest writes nothing
			if got := c.obj.GetFinalizers(); !slices.Equal(got, c.want) {
				t.Fatalf("defaulted twice: finalizers %v, want %v", got, c.want)
			}
		})
	}
	d := &Deployment{}
	Default(d)
	if len(d.Finalizers) != 0 {
		t.Fatalf("after undo: finalizers %v, want none", d.Finalizers)
	}
}
