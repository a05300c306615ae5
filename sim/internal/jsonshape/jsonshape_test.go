package jsonshape

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	ref := map[string]any{"a": "x", "n": 1.0, "o": map[string]any{"b": true}, "l": []any{map[string]any{"_class": "C", "c": "y"}}, "z": nil}
	cases := []struct {
		reason string
		got    any
		want   []string
	}{
		{"same shape, other values", map[string]any{"a": "q", "n": 2.0, "o": map[string]any{"b": false}, "l": []any{map[string]any{"_class": "D"}, map[string]any{"_class": "C", "c": "w"}}, "z": 3.0}, nil},
		{"missing and mistyped", map[string]any{"a": 1.0, "o": map[string]any{}, "l": []any{}}, []string{".a: want string, got float64", ".n: missing", ".o.b: missing", ".z: missing"}},
	}
	for _, c := range cases {
		got := Diff(ref, c.got)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: %v, want %v", c.reason, got, c.want)
		}
	}
	if d := Diff(ref, map[string]any{}, ".a", ".n", ".o", ".l", ".z"); len(d) != 0 {
		t.Errorf("ignored paths reported: %v", d)
	}
}
