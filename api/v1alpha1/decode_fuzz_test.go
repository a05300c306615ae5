package v1alpha1

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeValidate feeds arbitrary bytes through what the API server and
// the CLI do with a manifest: decode, default, validate, validate as an
// update. It must never panic, and defaulting must stay idempotent.
func FuzzDecodeValidate(f *testing.F) {
	for _, glob := range []string{"testdata/valid/*.yaml", "testdata/invalid/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`[{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"a"},"spec":{"cpus":1}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Decode(data, "fuzz")
		if err != nil {
			return
		}
		_ = ValidateAll(objs, "fuzz")
		for _, obj := range objs {
			Default(obj)
			once, _ := json.Marshal(obj)
			Default(obj)
			twice, _ := json.Marshal(obj)
			if string(once) != string(twice) {
				t.Fatalf("Default not idempotent:\n%s\n%s", once, twice)
			}
			_ = Validate(obj)
			_ = ValidateUpdate(obj, obj.DeepCopyObject().(Object))
			_ = ValidateStatus(obj)
		}
	})
}
