package jenkins

import (
	"strings"
	"testing"
)

// A deep label expression in a posted config.xml is refused, not a stack
// overflow that would take the process (minka dev) down.
func TestParseLabelDepth(t *testing.T) {
	cases := []struct {
		reason, in, err string
	}{
		{"a real expression", "(trusty || xenial) && !arm64", ""},
		{"2 MB of '!'", strings.Repeat("!", 2_000_000) + "a", "nested more than 256 deep"},
		{"1 M parentheses", strings.Repeat("(", 1_000_000) + "a" + strings.Repeat(")", 1_000_000), "nested more than 256 deep"},
	}
	for _, c := range cases {
		_, err := parseLabel(c.in)
		if (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: error %v, want %q", c.reason, err, c.err)
		}
	}
}
