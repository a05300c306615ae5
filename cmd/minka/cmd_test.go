package main

import (
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

func TestTables(t *testing.T) {
	three := int32(3)
	d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ci", CreationTimestamp: metav1.NewTime(time.Now().Add(-90 * time.Minute))},
		Spec:   v1alpha1.DeploymentSpec{Image: "nginx:1", Replicas: &three},
		Status: v1alpha1.DeploymentStatus{ReadyReplicas: 2, UpdatedReplicas: 3, AvailableReplicas: 2, Endpoints: []v1alpha1.Endpoint{{Host: "a1", Ports: []int32{31000}}}}}
	var b strings.Builder
	tb := newTable(&b, "Deployment", true, true)
	tb.header()
	tb.row(d)
	tb.flush()
	want := "NAMESPACE   NAME   READY   UP-TO-DATE   AVAILABLE   IMAGE     AGE   VERSION   ENDPOINTS\n" +
		"ci          web    2/3     3            2           nginx:1   90m   -         a1:31000\n"
	if b.String() != want {
		t.Errorf("wide table:\n%s\nwant:\n%s", b.String(), want)
	}
	for kind := range columns {
		if _, err := v1alpha1.KindFor(kind); err != nil {
			t.Errorf("columns for unknown kind %s", kind)
		}
	}
	for _, k := range v1alpha1.Kinds() {
		if len(columns[k.Kind]) == 0 {
			t.Errorf("no table columns for %s", k.Kind)
		}
	}
}
