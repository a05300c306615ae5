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

// Limits leave room for every real expression: 30 levels of nesting and a
// 4 KiB expression of labels parse.
func TestParseWithinLimits(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("!", 30) + "a",
		strings.Repeat("(", 30) + "a" + strings.Repeat(")", 30),
		strings.TrimSuffix(strings.Repeat("label-x && ", MaxLength/11), " && "),
	} {
		if _, err := Parse(in); err != nil {
			t.Errorf("Parse(%.40q…, %d bytes): %v", in, len(in), err)
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
		// Each of these, unbounded, ended the process with a stack overflow.
		{"2.1 MB of '!'", strings.Repeat("!", 2_100_000) + "a", "2100001 bytes long; at most 4096"},
		{"3 MB of parentheses", strings.Repeat("(", 1_500_000) + "a" + strings.Repeat(")", 1_500_000), "at most 4096"},
		{"65 '!' within the length", strings.Repeat("!", 65) + "a", "nested more than 64 deep"},
		{"65 parentheses within the length", strings.Repeat("(", 65) + "a" + strings.Repeat(")", 65), "nested more than 64 deep"},
		{"a deep right-nested chain", strings.Repeat("a -> (", 70) + "b" + strings.Repeat(")", 70), "nested more than 64 deep"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Parse(%q) error = %v, want %q", c.reason, c.in, err, c.want)
		}
	}
}

// FuzzParse: no input crashes the parser or takes it past its limits,
// and what parses prints a canonical form that, within MaxLength, parses
// to the same form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"trusty && amd64", "!windows", "(a || b) && c", "x -> y", "x <-> y", `"a b" && c`,
		strings.Repeat("!", 5000) + "a", strings.Repeat("(", 3000) + "a" + strings.Repeat(")", 3000),
		strings.Repeat("!", 64) + "a", strings.Repeat("a&&", 1000) + "b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil || len(e.String()) > MaxLength {
			// The canonical form escapes quotes and backslashes: a label of
			// 4096 backslashes prints longer than Parse reads back.
			return
		}
		again, err := Parse(e.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", e.String(), s, err)
		}
		if again.String() != e.String() {
			t.Fatalf("canonical form moved: %q → %q", e.String(), again.String())
		}
	})
}
