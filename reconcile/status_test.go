package reconcile

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store/storetest"
)

func TestConditionsAndStatusWrites(t *testing.T) {
	st, _ := storetest.Store(t)
	ctx := context.Background()
	obj, _ := st.Create(ctx, deploy("ci", "web", nil))
	d := obj.(*v1alpha1.Deployment)
	avail := func(s metav1.ConditionStatus, reason string) metav1.Condition {
		return metav1.Condition{Type: "Available", Status: s, Reason: reason, Message: "m", ObservedGeneration: 1}
	}
	steps := []struct {
		reason      string
		cond        metav1.Condition
		changed     bool
		transitions bool
	}{
		{"first report", avail(metav1.ConditionFalse, "Deploying"), true, true},
		{"same again: nothing to write", avail(metav1.ConditionFalse, "Deploying"), false, false},
		{"new reason, same status: written, no transition", avail(metav1.ConditionFalse, "Waiting"), true, false},
		{"status flips: transition", avail(metav1.ConditionTrue, "Healthy"), true, true},
	}
	var lastTransition metav1.Time
	for _, s := range steps {
		time.Sleep(1100 * time.Millisecond) // transition times have one-second resolution
		orig := d.DeepCopy()
		next := d.DeepCopy()
		if got := SetCondition(&next.Status.Conditions, s.cond); got != s.changed {
			t.Errorf("%s: SetCondition changed=%v, want %v", s.reason, got, s.changed)
		}
		rev0, _ := st.Revision(ctx)
		wrote, err := UpdateStatus(ctx, st, orig, next)
		if err != nil {
			t.Fatalf("%s: %v", s.reason, err)
		}
		rev1, _ := st.Revision(ctx)
		if wrote != s.changed || (rev1 != rev0) != s.changed {
			t.Errorf("%s: wrote=%v revision %d->%d, want a write: %v", s.reason, wrote, rev0, rev1, s.changed)
		}
		got, _ := st.Get(ctx, deployKind, "ci", "web")
		d = got.(*v1alpha1.Deployment)
		lt := v1alpha1.FindCondition(d.Status.Conditions, "Available").LastTransitionTime
		if moved := !lt.Equal(&lastTransition); moved != s.transitions {
			t.Errorf("%s: lastTransitionTime %v -> %v, want a move: %v", s.reason, lastTransition, lt, s.transitions)
		}
		lastTransition = lt
	}
}
