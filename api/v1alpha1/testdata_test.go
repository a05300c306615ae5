package v1alpha1

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var wantLine = regexp.MustCompile(`(?m)^# want: (.+)$`)

// decodeAndValidate is what `minka apply` does before writing anything.
func decodeAndValidate(data []byte, source string) error {
	objs, err := Decode(data, source)
	if err != nil {
		return err
	}
	return ValidateAll(objs, source)
}

func TestValidManifests(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) < 5 {
		t.Fatalf("%d valid manifests, want one per kind", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := decodeAndValidate(data, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestInvalidManifestsNameTheField(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) < 15 {
		t.Fatalf("%d invalid manifests, want at least 15", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := wantLine.FindSubmatch(data)
		if m == nil {
			t.Fatalf("%s: no '# want:' line", f)
		}
		err = decodeAndValidate(data, f)
		if err == nil {
			t.Errorf("%s: accepted, want an error containing %q", f, m[1])
			continue
		}
		if !strings.Contains(err.Error(), string(m[1])) || !strings.Contains(err.Error(), f) {
			t.Errorf("%s:\n got: %v\nwant: the file name and %q", f, err, m[1])
		}
	}
}
