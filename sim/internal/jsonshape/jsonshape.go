// Package jsonshape compares a simulator's JSON with a reference capture:
// every field the reference has must exist with the same JSON type
// (values may differ; a null in the reference checks presence only). The
// simulators' fidelity tests use it; their references are in
// sim/<simulator>/testdata/reference/<upstream>/, each folder with a
// README.md that says where every file came from (checked by
// TestFidelityReferenceFiles).
package jsonshape

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"
)

// Diff lists, by field path, where got lacks or mistypes a field of ref.
// Paths in ignore (".a.b[].c") are skipped.
func Diff(ref, got any, ignore ...string) []string {
	skip := map[string]bool{}
	for _, p := range ignore {
		skip[p] = true
	}
	return diff(ref, got, "", skip)
}

func diff(ref, got any, path string, skip map[string]bool) []string {
	if skip[path] {
		return nil
	}
	switch r := ref.(type) {
	case nil:
		return nil
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", path, got)}
		}
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			gv, present := g[k]
			switch {
			case !present && !skip[path+"."+k]:
				out = append(out, path+"."+k+": missing")
			case present:
				out = append(out, diff(r[k], gv, path+"."+k, skip)...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %T", path, got)}
		}
		if len(r) == 0 || len(g) == 0 {
			return nil
		}
		return diff(r[0], counterpart(r[0], g), path+"[]", skip)
	default:
		if got != nil && fmt.Sprintf("%T", r) != fmt.Sprintf("%T", got) {
			return []string{fmt.Sprintf("%s: want %T, got %T", path, r, got)}
		}
		return nil
	}
}

// counterpart picks the element of got to compare with ref: the one with
// the same _class (Jenkins lists actions by class, in no fixed order), or
// one with all of ref's fields, else the first.
func counterpart(ref any, got []any) any {
	m, ok := ref.(map[string]any)
	if !ok {
		return got[0]
	}
	if class, ok := m["_class"]; ok {
		for _, g := range got {
			if gm, ok := g.(map[string]any); ok && gm["_class"] == class {
				return g
			}
		}
	}
	for _, g := range got {
		if gm, ok := g.(map[string]any); ok && hasKeys(gm, m) {
			return g
		}
	}
	return got[0]
}

func hasKeys(got, ref map[string]any) bool {
	for k := range ref {
		if _, ok := got[k]; !ok && k != "_class" {
			return false
		}
	}
	return true
}

// Load reads a reference JSON file for a test (the references live in
// the simulators' testdata/reference folders); a file that is missing or
// is not JSON fails the test.
func Load(t testing.TB, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reference file: %v", err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}
