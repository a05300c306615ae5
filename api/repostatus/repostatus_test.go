package repostatus

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func at(sec int) time.Time { return time.Date(2026, 11, 22, 23, 49, sec, 0, time.UTC) }

func state(s string, modified int) *v1alpha1.DistroState {
	d := &v1alpha1.DistroState{State: s}
	if modified >= 0 {
		m := metav1.NewMicroTime(at(modified))
		d.Modified = &m
	}
	return d
}

func TestNewer(t *testing.T) {
	for _, c := range []struct {
		name     string
		d        *v1alpha1.DistroState
		report   Report
		want     bool
		wantWhat string
	}{
		{"a new build after ready (newer modified)", state(v1alpha1.RepoReady, 10), Report{State: v1alpha1.RepoRequested, Modified: at(11)}, true, ""},
		{"a redelivered building of the ready build", state(v1alpha1.RepoReady, 10), Report{State: v1alpha1.RepoBuilding, Modified: at(10)}, false, ""},
		{"an older report", state(v1alpha1.RepoQueued, 10), Report{State: v1alpha1.RepoReady, Modified: at(9)}, false, ""},
		{"forward within one build", state(v1alpha1.RepoQueued, 10), Report{State: v1alpha1.RepoBuilding, Modified: at(10)}, true, ""},
		{"backward within one build", state(v1alpha1.RepoBuilding, 10), Report{State: v1alpha1.RepoQueued, Modified: at(10)}, false, ""},
		{"undated forward", state(v1alpha1.RepoRequested, -1), Report{State: v1alpha1.RepoQueued}, true, ""},
		{"undated backward", state(v1alpha1.RepoReady, 10), Report{State: v1alpha1.RepoQueued}, false, ""},
		{"waiting moves on any report of a build", state(v1alpha1.RepoWaitingForBinaries, -1), Report{State: v1alpha1.RepoQueued}, true, ""},
		{"a stalled build's late building", state(v1alpha1.RepoFailed, 10), Report{State: v1alpha1.RepoBuilding, Modified: at(10)}, false, ""},
		{"a stalled build that finishes", state(v1alpha1.RepoFailed, 10), Report{State: v1alpha1.RepoReady, Modified: at(10)}, true, ""},
		{"a state outside the order", state(v1alpha1.RepoQueued, 10), Report{State: v1alpha1.RepoFailed, Modified: at(11)}, false, ""},
	} {
		if got := Newer(c.d, c.report); got != c.want {
			t.Errorf("%s: Newer = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestApplyInAnyOrder: the four callbacks of one build, delivered in any
// order and twice, end Ready; the next build's callbacks move it again.
func TestApplyInAnyOrder(t *testing.T) {
	build := []Report{
		{State: v1alpha1.RepoRequested, Modified: at(1)}, {State: v1alpha1.RepoQueued, Modified: at(1)},
		{State: v1alpha1.RepoBuilding, Modified: at(1)}, {State: v1alpha1.RepoReady, Modified: at(3)},
	}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}, {3, 3, 0, 1, 2, 3}} {
		d := &v1alpha1.DistroState{State: v1alpha1.RepoWaitingForBinaries}
		for _, i := range order {
			Apply(d, build[i], at(50))
		}
		if d.State != v1alpha1.RepoReady || !d.Modified.Time.Equal(at(3)) {
			t.Errorf("order %v: %s at %v, want Ready at %v", order, d.State, d.Modified, at(3))
		}
		Apply(d, Report{State: v1alpha1.RepoQueued, Modified: at(7)}, at(60))
		if d.State != v1alpha1.RepoQueued {
			t.Errorf("order %v: the next build's queued left it %s", order, d.State)
		}
	}
}

func TestSetStateKeepsOneTransitionPerState(t *testing.T) {
	d := &v1alpha1.DistroState{}
	for i, s := range []string{v1alpha1.RepoRequested, v1alpha1.RepoReady, v1alpha1.RepoRequested, v1alpha1.RepoReady, v1alpha1.RepoReady} {
		SetState(d, s, "", "", at(i))
	}
	if len(d.Transitions) != 2 || !Since(d, v1alpha1.RepoRequested).Equal(at(2)) || !Since(d, v1alpha1.RepoReady).Equal(at(3)) {
		t.Errorf("transitions %v: want Requested at :02 and Ready at :03 (a repeated state is not a transition)", d.Transitions)
	}
	if !d.LastTransitionTime.Time.Equal(at(3)) {
		t.Errorf("lastTransitionTime %v, want %v", d.LastTransitionTime, at(3))
	}
	if got := FromCallback("deleted"); got != "" {
		t.Errorf("deleted maps to %q: it moves no build state", got)
	}
}
