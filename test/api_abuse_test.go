package test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDeepLabelExpressionsAreRefused: label expressions that once ended the
// whole process with a stack overflow (2.1 MB of '!', 3 MB of parentheses;
// the edit role suffices) are answered 422 naming spec.label, and the
// server keeps serving.
func TestDeepLabelExpressionsAreRefused(t *testing.T) {
	s := StartServer(t, "--controllers", "none")
	pipeline := func(name, label string) string {
		return fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Pipeline","metadata":{"name":%q,"namespace":"ci"},`+
			`"spec":{"job":"webapp-build","source":{"git":"https://git.example.com/webapp.git"},"label":%q}}`, name, label)
	}
	cases := []struct{ name, label string }{
		{"bangs", strings.Repeat("!", 2_100_000) + "a"},
		{"parens", strings.Repeat("(", 1_500_000) + "a" + strings.Repeat(")", 1_500_000)},
		{"deep", strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100)},
	}
	for _, c := range cases {
		start := time.Now()
		r := call(t, s, "POST", "/apis/minka.dev/v1alpha1/namespaces/ci/pipelines", "", pipeline(c.name, c.label))
		took := time.Since(start)
		if r.code != 422 || !strings.Contains(r.raw, "spec.label") {
			t.Fatalf("%s (%d bytes): %d %.300s, want 422 naming spec.label", c.name, len(c.label), r.code, r.raw)
		}
		if len(r.raw) > 4096 {
			t.Errorf("%s: a %d-byte answer to a %d-byte label: the value is echoed", c.name, len(r.raw), len(c.label))
		}
		t.Logf("%s: %d-byte label → 422 in %v (%d-byte answer)", c.name, len(c.label), took.Round(time.Millisecond), len(r.raw))
	}
	if r := call(t, s, "GET", "/healthz", "", ""); r.code != 200 {
		t.Fatalf("after the deep labels: /healthz %d", r.code)
	}
	if r := call(t, s, "POST", "/apis/minka.dev/v1alpha1/namespaces/ci/pipelines", "", pipeline("ok", "trusty && amd64")); r.code != 201 {
		t.Fatalf("a normal Pipeline after them: %d %.300s", r.code, r.raw)
	}
}
