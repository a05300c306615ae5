package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var wantLine = regexp.MustCompile(`(?m)^# want: (.+)$`)

// TestInvalidManifestsWriteNothing applies every manifest under
// api/v1alpha1/testdata/invalid: each must exit 1 with its expected
// field-path message and leave the stored objects exactly as they were.
func TestInvalidManifestsWriteNothing(t *testing.T) {
	srv := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	examples, _ := filepath.Abs("../examples")
	if out, errOut, code := Minka(t, srv, "", "apply", "-f", examples); code != 0 {
		t.Fatalf("seeding examples: %s%s", out, errOut)
	}
	manifests := invalidManifests(t)
	if len(manifests) < 15 {
		t.Fatalf("%d invalid manifests, want at least 15", len(manifests))
	}
	before := versions(t, srv)
	for _, im := range manifests {
		f, want := im.file, im.want
		out, errOut, code := Minka(t, srv, "", "apply", "-f", f)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s%s", filepath.Base(f), code, out, errOut)
		}
		if !strings.Contains(errOut, want) || !strings.Contains(errOut, filepath.Base(f)) {
			t.Errorf("%s: stderr does not name the file and %q:\n%s", filepath.Base(f), want, errOut)
		}
		t.Logf("%s: %s", filepath.Base(f), lineWith(errOut, want))
	}
	if after := versions(t, srv); strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("invalid applies changed the store:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
}

// invalidManifest is a file of api/v1alpha1/testdata/invalid and the
// message its "# want:" line says refusing it must print.
type invalidManifest struct{ file, want string }

func invalidManifests(t *testing.T) []invalidManifest {
	t.Helper()
	files, _ := filepath.Glob("../api/v1alpha1/testdata/invalid/*.yaml")
	var out []invalidManifest
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := wantLine.FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s has no '# want:' line", f)
		}
		out = append(out, invalidManifest{f, strings.TrimSpace(string(m[1]))})
	}
	return out
}

// TestOneBadDocumentWritesNothing: a valid and an invalid document in one
// apply; the valid one must not be created either.
func TestOneBadDocumentWritesNothing(t *testing.T) {
	srv := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	manifest := `apiVersion: minka.dev/v1alpha1
kind: Deployment
metadata: {name: good, namespace: ci}
spec: {image: "nginx:1.27", replicas: 1, cpus: 0.1, mem: 64}
---
apiVersion: minka.dev/v1alpha1
kind: SlavePool
metadata: {name: bad, namespace: ci}
spec: {labels: [amd64], minReplicas: 5, maxReplicas: 2, template: {image: ubuntu, flavor: m1.large}}
`
	out, errOut, code := Minka(t, srv, manifest, "apply", "-f", "-")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"document 2", "spec.maxReplicas", "must be >= spec.minReplicas (5)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if _, _, code := Minka(t, srv, "", "get", "deploy", "good", "-n", "ci"); code == 0 {
		t.Errorf("the valid document was written although another one was invalid")
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return s
}
