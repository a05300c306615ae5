package pipeline

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func TestDecide(t *testing.T) {
	pipe := func(policy, key string) *v1alpha1.Pipeline {
		return &v1alpha1.Pipeline{Spec: v1alpha1.PipelineSpec{Concurrency: &v1alpha1.Concurrency{Policy: policy, Key: key}}}
	}
	build := func(name string, n int64, branch, phase string) *v1alpha1.Build {
		return &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.BuildSpec{Number: n, Branch: branch}, Status: v1alpha1.BuildStatus{Phase: phase}}
	}
	others := []*v1alpha1.Build{
		build("w-1", 1, "main", v1alpha1.BuildSucceeded),
		build("w-2", 2, "main", v1alpha1.BuildRunning),
		build("w-3", 3, "dev", v1alpha1.BuildQueued),
		build("w-4", 4, "main", v1alpha1.BuildPending),
		build("w-5", 5, "main", ""),
		build("w-6", 6, "dev", v1alpha1.BuildFailed),
	}
	tests := []struct {
		name   string
		p      *v1alpha1.Pipeline
		b      *v1alpha1.Build
		want   turn
		others []*v1alpha1.Build
	}{
		{"allow never waits nor replaces", pipe(v1alpha1.ConcurrencyAllow, v1alpha1.KeyBranch), others[3], turn{}, others},
		{"serial waits for the oldest unfinished of its branch", pipe(v1alpha1.ConcurrencySerial, v1alpha1.KeyBranch), others[4], turn{waitFor: "w-2"}, others},
		{"serial: the first unfinished goes", pipe(v1alpha1.ConcurrencySerial, v1alpha1.KeyBranch), others[1], turn{}, others},
		{"serial: another branch is no reason to wait", pipe(v1alpha1.ConcurrencySerial, v1alpha1.KeyBranch), others[2], turn{}, others},
		{"serial keyed by pipeline waits across branches", pipe(v1alpha1.ConcurrencySerial, v1alpha1.KeyPipeline), others[2], turn{waitFor: "w-2"}, others},
		{"replace: the newest of the branch replaces", pipe(v1alpha1.ConcurrencyReplace, v1alpha1.KeyBranch), others[1], turn{replacedBy: "w-5"}, others},
		{"replace: the newest is not replaced", pipe(v1alpha1.ConcurrencyReplace, v1alpha1.KeyBranch), others[4], turn{}, others},
		{"replace: a finished newer one still replaces", pipe(v1alpha1.ConcurrencyReplace, v1alpha1.KeyBranch), others[2], turn{replacedBy: "w-6"}, others},
		{"replace keyed by pipeline", pipe(v1alpha1.ConcurrencyReplace, v1alpha1.KeyPipeline), others[4], turn{replacedBy: "w-6"}, others},
		{"a tag is its own key", pipe(v1alpha1.ConcurrencyReplace, v1alpha1.KeyBranch),
			&v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Name: "w-0"}, Spec: v1alpha1.BuildSpec{Number: 0, GitTag: "main"}}, turn{}, others},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decide(tt.p, tt.b, tt.others); got != tt.want {
				t.Errorf("decide(%s) = %+v, want %+v", tt.b.Name, got, tt.want)
			}
		})
	}
}

func TestTagOf(t *testing.T) {
	long := ""
	for len(long) < 200 {
		long += "feature-"
	}
	tests := []struct {
		pipeline string
		number   int64
		ref      string
		describe string
		want     string
	}{
		{"webapp", 7, "master", "0.5.20-12-gf5615cf", "webapp-7-master-0.5.20-12-gf5615cf"},
		{"webapp", 8, "release/1.0", "v1.0.0", "webapp-8-release-1.0-v1.0.0"},
		{"webapp", 9, "feat+x", "gdeadbee", "webapp-9-feat-x-gdeadbee"},
		{"webapp", 10, long, "v2-1-gabcdef0", "webapp-10-" + long[:128-len("webapp-10-")-len("-v2-1-gabcdef0")] + "-v2-1-gabcdef0"},
	}
	for _, tt := range tests {
		got := tagOf(tt.pipeline, tt.number, tt.ref, tt.describe)
		if got != tt.want {
			t.Errorf("tagOf(%q, %d, %q, %q) = %q, want %q", tt.pipeline, tt.number, tt.ref, tt.describe, got, tt.want)
		}
		if len(got) > maxTagBytes {
			t.Errorf("tag %q: %d bytes, docker allows %d", got, len(got), maxTagBytes)
		}
	}
}
