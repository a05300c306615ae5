package deployment

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minka/api/v1alpha1"
)

// revs is a history in short: "1:web:1:Good 2:web:2:Progressing".
func revs(h []v1alpha1.DeploymentRevision) string {
	var parts []string
	for _, e := range h {
		parts = append(parts, fmt.Sprintf("%d:%s:%s@%d", e.Revision, e.Image, e.Result, e.Generation))
	}
	return strings.Join(parts, " ")
}

// TestRecordRevision: what each step of a Deployment's life does to its
// history, and that repeating a step (a pass after a lost status write)
// changes nothing more.
func TestRecordRevision(t *testing.T) {
	r := &reconciler{now: func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }}
	type step func(d *v1alpha1.Deployment)
	spec := func(image string, replicas int32) step {
		return func(d *v1alpha1.Deployment) {
			d.Generation++
			d.Spec.Image, d.Spec.Replicas = image, &replicas
		}
	}
	applied := func(version string) step { return func(d *v1alpha1.Deployment) { r.recordRevision(d, version) } }
	good := func(d *v1alpha1.Deployment) { r.markGood(d) }
	rolledBack := func(version string) step { return func(d *v1alpha1.Deployment) { r.markRolledBack(d, version) } }
	cases := []struct {
		reason string
		steps  []step
		want   string
	}{
		{"a first rollout", []step{spec("web:1", 2), applied("v1"), good}, "1:web:1:Good@1"},
		{"a pass that sees it again changes nothing", []step{spec("web:1", 2), applied("v1"), applied("v1"), good, good, applied("v1")},
			"1:web:1:Good@1"},
		{"a new image is a new revision", []step{spec("web:1", 2), applied("v1"), good, spec("web:2", 2), applied("v2")},
			"1:web:1:Good@1 2:web:2:Progressing@2"},
		{"a scale is the same revision at the new generation", []step{spec("web:1", 2), applied("v1"), good, spec("web:1", 5), applied("v2")},
			"1:web:1:Good@2"},
		{"a rollout replaced before it was Good is Superseded", []step{spec("web:1", 2), applied("v1"), spec("web:2", 2), applied("v2"), good},
			"1:web:1:Superseded@1 2:web:2:Good@2"},
		{"a failed rollout is RolledBack", []step{spec("web:1", 2), applied("v1"), good, spec("web:bad", 2), applied("v2"), rolledBack("v2"), rolledBack("")},
			"1:web:1:Good@1 2:web:bad:RolledBack@2"},
		{"a failed rollout no pass recorded is recorded by the rollback", []step{spec("web:1", 2), applied("v1"), good, spec("web:bad", 2), rolledBack("v2")},
			"1:web:1:Good@1 2:web:bad:RolledBack@2"},
		{"a failed scale of a Good revision leaves it Good", []step{spec("web:1", 2), applied("v1"), good, spec("web:1", 9), rolledBack("v2")},
			"1:web:1:Good@2"},
		{"the same spec again after a rollback is a new attempt", []step{spec("web:1", 2), applied("v1"), good, spec("web:bad", 2), applied("v2"),
			rolledBack("v2"), spec("web:1", 2), applied("v3"), spec("web:bad", 2), applied("v4")},
			"1:web:1:Good@1 2:web:bad:RolledBack@2 3:web:1:Superseded@3 4:web:bad:Progressing@4"},
	}
	for _, tc := range cases {
		d := &v1alpha1.Deployment{}
		for _, s := range tc.steps {
			s(d)
		}
		if got := revs(d.Status.History); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.reason, got, tc.want)
		}
		for _, e := range d.Status.History {
			if e.Spec == nil || e.Spec.Replicas != nil || e.Spec.Image != e.Image {
				t.Errorf("%s: revision %d keeps spec %+v, want its image and no replicas", tc.reason, e.Revision, e.Spec)
			}
		}
	}
}

// TestTrimHistory: the history keeps the newest revisions within the
// limit and MaxHistoryBytes, and never drops the newest.
func TestTrimHistory(t *testing.T) {
	entry := func(n int64, envBytes int) v1alpha1.DeploymentRevision {
		s := &v1alpha1.DeploymentSpec{Image: "web:1"}
		if envBytes > 0 {
			s.Env = map[string]string{"BIG": strings.Repeat("x", envBytes)}
		}
		return v1alpha1.DeploymentRevision{Revision: n, Image: "web:1", Result: v1alpha1.RevisionGood, Spec: s}
	}
	many := func(n, envBytes int) []v1alpha1.DeploymentRevision {
		var h []v1alpha1.DeploymentRevision
		for i := 1; i <= n; i++ {
			h = append(h, entry(int64(i), envBytes))
		}
		return h
	}
	cases := []struct {
		reason   string
		in       []v1alpha1.DeploymentRevision
		limit    int
		want     []int64 // revisions kept
		lastSpec bool    // the newest keeps its spec
	}{
		{"within both bounds", many(3, 0), 10, []int64{1, 2, 3}, true},
		{"past the limit the oldest go", many(12, 0), 10, []int64{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, true},
		{"a limit of one", many(3, 0), 1, []int64{3}, true},
		{"past MaxHistoryBytes the oldest go", many(5, 40<<10), 10, []int64{3, 4, 5}, true},
		{"a newest spec that alone does not fit is not kept", many(2, v1alpha1.MaxHistoryBytes), 10, []int64{2}, false},
	}
	for _, tc := range cases {
		got := trimHistory(tc.in, tc.limit)
		var kept []int64
		for _, e := range got {
			kept = append(kept, e.Revision)
		}
		if diff := cmp.Diff(tc.want, kept); diff != "" {
			t.Errorf("%s: revisions (-want +got):\n%s", tc.reason, diff)
		}
		if last := got[len(got)-1]; (last.Spec != nil) != tc.lastSpec {
			t.Errorf("%s: the newest keeps its spec: %v, want %v", tc.reason, last.Spec != nil, tc.lastSpec)
		}
		if n := encodedSize(got); n > v1alpha1.MaxHistoryBytes {
			t.Errorf("%s: %d bytes kept, more than %d", tc.reason, n, v1alpha1.MaxHistoryBytes)
		}
	}
}
