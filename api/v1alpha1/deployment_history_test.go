package v1alpha1

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRollbackTarget(t *testing.T) {
	spec := func(image string) *DeploymentSpec { return &DeploymentSpec{Image: image, Marathon: "old"} }
	rev := func(n, gen int64, result, image string) DeploymentRevision {
		return DeploymentRevision{Revision: n, Generation: gen, Result: result, Image: image, Spec: spec(image)}
	}
	history := []DeploymentRevision{rev(1, 1, RevisionGood, "web:1"), rev(2, 3, RevisionGood, "web:2"),
		rev(3, 4, RevisionRolledBack, "web:bad"), rev(4, 6, RevisionGood, "web:4")}
	cases := []struct {
		reason     string
		generation int64
		history    []DeploymentRevision
		revision   int64
		want       int64  // the revision chosen
		err        string // or the error
	}{
		{"0 is the last Good one before the current", 6, history, 0, 2, ""},
		{"0 skips a rolled-back revision", 4, history, 0, 2, ""},
		{"0 with the current generation not in the history (a new spec not yet applied)", 7, history, 0, 4, ""},
		{"a revision by number", 6, history, 1, 1, ""},
		{"a rolled-back revision may be asked for by number", 6, history, 3, 3, ""},
		{"an unknown revision", 6, history, 9, 0, "no revision 9 in status.history (revisions: 1 Good, 2 Good, 3 RolledBack, 4 Good)"},
		{"a negative revision", 6, history, -1, 0, "must be >= 0"},
		{"nothing Good before the first", 1, history[:1], 0, 0, "no Good revision before the current one in status.history (revisions: 1 Good)"},
		{"an empty history", 1, nil, 0, 0, "no Good revision before the current one in status.history (it is empty)"},
		{"a revision without its spec", 6, []DeploymentRevision{{Revision: 1, Generation: 1, Result: RevisionGood}, rev(2, 6, RevisionGood, "web:2")}, 0, 0,
			"revision 1 kept no spec"},
	}
	for _, tc := range cases {
		d := &Deployment{}
		d.Generation, d.Status.History = tc.generation, tc.history
		got, err := RollbackTarget(d, tc.revision)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.reason, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.reason, err)
		case tc.err == "" && got.Revision != tc.want:
			t.Errorf("%s: revision %d, want %d", tc.reason, got.Revision, tc.want)
		}
	}
}

func TestRollbackSpecKeepsWhatIsNotAVersion(t *testing.T) {
	three, five := int32(3), int32(5)
	d := &Deployment{Spec: DeploymentSpec{Image: "web:2", Replicas: &three, Marathon: "east", RevisionHistoryLimit: &five, Cpus: 2}}
	rev := &DeploymentRevision{Revision: 1, Spec: RevisionSpec(&DeploymentSpec{Image: "web:1", Replicas: &five, Marathon: "west", Cpus: 1})}
	got := RollbackSpec(d, rev)
	want := DeploymentSpec{Image: "web:1", Replicas: &three, Marathon: "east", RevisionHistoryLimit: &five, Cpus: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rolled back spec (-want +got):\n%s", diff)
	}
	if rev.Spec.Replicas != nil || rev.Spec.Image != "web:1" {
		t.Errorf("the revision's spec changed: %+v", rev.Spec)
	}
}
