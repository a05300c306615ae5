package labelexpr

import (
	"strings"
	"testing"
)

func TestParseCanonicalAndMatch(t *testing.T) {
	cases := []struct {
		reason    string
		in        string
		canonical string
		labels    []string
		matches   bool
	}{
		{"Jenkins drops the spaces", "trusty && amd64", "trusty&&amd64", []string{"amd64", "trusty"}, true},
		{"and needs both", "trusty && amd64", "trusty&&amd64", []string{"trusty"}, false},
		{"and binds tighter than or", "a || b && c", "a||b&&c", []string{"a"}, true},
		{"explicit parentheses are kept", "(a || b) && c", "(a||b)&&c", []string{"a"}, false},
		{"not binds tightest", "!a && b", "!a&&b", []string{"b"}, true},
		{"not of a group", "!(a || b)", "!(a||b)", []string{"c"}, true},
		{"implies", "docker -> linux", "docker->linux", []string{"docker"}, false},
		{"implies holds when the premise is false", "docker -> linux", "docker->linux", nil, true},
		{"iff", "a <-> b", "a<->b", nil, true},
		{"a dash inside a label is the label's", "ubuntu-18.04&&x86_64", "ubuntu-18.04&&x86_64", []string{"ubuntu-18.04", "x86_64"}, true},
		{"quoted atoms keep spaces and print quoted", `"my label" || b`, `"my label"||b`, []string{"my label"}, true},
		{"a single label", "amd64", "amd64", []string{"amd64"}, true},
		{"or is left-associative", "a || b || c", "a||b||c", []string{"c"}, true},
	}
	for _, c := range cases {
		e, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", c.reason, c.in, err)
			continue
		}
		if got := e.String(); got != c.canonical {
			t.Errorf("%s: String() = %q, want %q", c.reason, got, c.canonical)
		}
		if got := MatchesLabels(e, c.labels); got != c.matches {
			t.Errorf("%s: matches %v = %v, want %v", c.reason, c.labels, got, c.matches)
		}
		again, err := Parse(e.String())
		if err != nil || again.String() != e.String() {
			t.Errorf("%s: canonical form %q does not read back (%v)", c.reason, e.String(), err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		reason string
		in     string
		want   string
	}{
		{"empty", "  ", "empty label expression"},
		{"dangling operator", "a &&", "ends where a label was expected"},
		{"single ampersand", "a & b", "stray '&'"},
		{"unclosed paren", "(a || b", "unclosed '('"},
		{"extra paren", "a)", "unexpected ')'"},
		{"two labels without operator", "a b", "unexpected label b"},
		{"unclosed quote", `"a`, "unclosed quote"},
		{"operator first", "|| a", "where a label was expected"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Parse(%q) error = %v, want %q", c.reason, c.in, err, c.want)
		}
	}
}
