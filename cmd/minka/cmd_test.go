package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func TestReadManifests(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.yaml", "b.json", "notes.txt", "sub/c.yml"} {
		p := filepath.Join(dir, f)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(f), 0o600)
	}
	cases := []struct {
		reason    string
		paths     []string
		recursive bool
		want      []string
	}{
		{"a directory: manifests only, one level", []string{dir}, false, []string{"a.yaml", "b.json"}},
		{"-R descends", []string{dir}, true, []string{"a.yaml", "b.json", "sub/c.yml"}},
		{"a file, and stdin", []string{filepath.Join(dir, "notes.txt"), "-"}, false, []string{"notes.txt", "stdin!"}},
	}
	for _, c := range cases {
		ms, err := readManifests(c.paths, c.recursive, strings.NewReader("stdin!"))
		if err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, string(m.data))
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: got %v, want %v", c.reason, got, c.want)
		}
	}
	if _, err := readManifests([]string{filepath.Join(dir, "missing.yaml")}, false, nil); err == nil {
		t.Errorf("a missing file was not an error")
	}
}

func TestMergeApplyKeepsWhatTheServerOwns(t *testing.T) {
	two := int32(2)
	live := &v1alpha1.SlavePool{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ci", UID: "u1", ResourceVersion: "42", Generation: 3,
			Finalizers: []string{"minka.dev/agents"}, Labels: map[string]string{"old": "x"}},
		Spec:   v1alpha1.SlavePoolSpec{Labels: []string{"amd64"}, Replicas: &two},
		Status: v1alpha1.SlavePoolStatus{Ready: 2},
	}
	manifest := &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ci", Labels: map[string]string{"new": "y"}},
		Spec: v1alpha1.SlavePoolSpec{Labels: []string{"arm64"}}}
	got := mergeApply(live, manifest).(*v1alpha1.SlavePool)
	if got.UID != "u1" || got.ResourceVersion != "42" || got.Generation != 3 || len(got.Finalizers) != 1 || got.Status.Ready != 2 {
		t.Errorf("server-owned fields lost: %+v", got.ObjectMeta)
	}
	if got.Labels["new"] != "y" || got.Labels["old"] != "" || got.Spec.Labels[0] != "arm64" || got.Spec.Replicas != nil {
		t.Errorf("manifest fields not applied: labels %v spec %+v", got.Labels, got.Spec)
	}
}

func TestPlaceNamespace(t *testing.T) {
	cases := []struct {
		reason, manifest, flag, want string
		fails                        bool
	}{
		{"neither: default", "", "", "default", false},
		{"-n fills an empty one", "", "ci", "ci", false},
		{"the manifest's stays", "prod", "", "prod", false},
		{"agreeing", "ci", "ci", "ci", false},
		{"contradicting", "prod", "ci", "", true},
	}
	for _, c := range cases {
		d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: c.manifest}}
		err := placeNamespace(d, c.flag)
		if (err != nil) != c.fails || (!c.fails && d.Namespace != c.want) {
			t.Errorf("%s: ns %q err %v", c.reason, d.Namespace, err)
		}
	}
}

// TestTables: `minka get` prints the columns of api/v1alpha1 (whose own
// TestTables fails for a kind without any) byte for byte as it always did:
// ages from the clock, -o wide adding priority-1 columns, -A a NAMESPACE.
func TestTables(t *testing.T) {
	three, five := int32(3), int32(5)
	ago := func(d time.Duration) metav1.Time { return metav1.NewTime(time.Now().Add(-d)) }
	cases := []struct {
		reason    string
		obj       v1alpha1.Object
		wide, all bool
		want      string
	}{
		{"a Deployment, wide, all namespaces",
			&v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ci", CreationTimestamp: ago(90 * time.Minute)},
				Spec:   v1alpha1.DeploymentSpec{Image: "nginx:1", Replicas: &three},
				Status: v1alpha1.DeploymentStatus{ReadyReplicas: 2, UpdatedReplicas: 3, AvailableReplicas: 2, Endpoints: []v1alpha1.Endpoint{{Host: "a1", Ports: []int32{31000}}}}},
			true, true,
			"NAMESPACE   NAME   READY   UP-TO-DATE   AVAILABLE   IMAGE     AGE   VERSION   ENDPOINTS\n" +
				"ci          web    2/3     3            2           nginx:1   90m   -         a1:31000\n"},
		{"a SlavePool after a pass, wide",
			&v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Name: "trusty", CreationTimestamp: ago(72 * time.Hour)},
				Spec:   v1alpha1.SlavePoolSpec{Replicas: &three, MinReplicas: 1, MaxReplicas: &five, Labels: []string{"amd64", "trusty"}},
				Status: v1alpha1.SlavePoolStatus{ObservedGeneration: 1, DesiredReplicas: 4, Ready: 2, Busy: 1, Queued: 4}},
			true, false,
			"NAME     DESIRED   READY   BUSY   QUEUED   AGE   MIN   MAX   LABELS\n" +
				"trusty   4         2       1      4        3d    1     5     amd64,trusty\n"},
		{"a Repo, default columns",
			&v1alpha1.Repo{ObjectMeta: metav1.ObjectMeta{Name: "ceph"}, Spec: v1alpha1.RepoSpec{Project: "ceph", Ref: "master", SHA1: "45e3f3c0123456",
				Distros: []v1alpha1.Distro{{Distro: "ubuntu", Version: "xenial", Arch: "x86_64"}, {Distro: "centos", Version: "9", Arch: "aarch64"}}},
				Status: v1alpha1.RepoStatus{Node: "chacra2", Distros: []v1alpha1.DistroState{{Distro: "ubuntu", Version: "xenial", Arch: "x86_64", State: "Ready"}}}},
			false, false,
			"NAME   PROJECT   REF      SHA1      NODE      READY   DISTROS                                  AGE\n" +
				"ceph   ceph      master   45e3f3c   chacra2   1/2     ubuntu/xenial=Ready,centos/9/aarch64=-   <unknown>\n"},
		{"an Event, wide",
			&v1alpha1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", CreationTimestamp: ago(time.Hour)}, LastTimestamp: ago(2 * time.Minute),
				Type: "Normal", Reason: "Scaled", Message: "to 3", Count: 2, InvolvedObject: v1alpha1.ObjectReference{Kind: "Deployment", Name: "web"}},
			true, false,
			"LAST SEEN   TYPE     REASON   OBJECT           MESSAGE   COUNT\n" +
				"2m          Normal   Scaled   deployment/web   to 3      2\n"},
	}
	for _, c := range cases {
		var b strings.Builder
		k, _ := v1alpha1.KindOf(c.obj)
		tb := newTable(&b, k.Kind, c.wide, c.all)
		tb.header()
		tb.row(c.obj)
		tb.flush()
		if b.String() != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.reason, b.String(), c.want)
		}
	}
}

// TestReadyHasAnOwner: runServer's ready callback runs in a goroutine that
// is waited for; one that honours its context ends with the server, one
// that ignores it fails the stop after the grace instead of hanging it.
func TestReadyHasAnOwner(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var sawURL string
	done := runReady(ctx, func(ctx context.Context, url string) { sawURL = url; <-ctx.Done() }, "http://127.0.0.1:1")
	select {
	case <-done:
		t.Fatal("the ready callback's goroutine ended before its context")
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := waitReady(done, 5*time.Second); err != nil || sawURL != "http://127.0.0.1:1" {
		t.Errorf("a callback honouring its context: err %v, url %q", err, sawURL)
	}
	if err := waitReady(runReady(ctx, nil, ""), time.Millisecond); err != nil {
		t.Errorf("no callback: %v", err)
	}
	stuck := make(chan struct{})
	defer close(stuck)
	start := time.Now()
	err := waitReady(runReady(ctx, func(context.Context, string) { <-stuck }, ""), 100*time.Millisecond)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("a callback ignoring its context: err %v after %v, want an error after the grace", err, time.Since(start))
	}
}
