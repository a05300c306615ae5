package marathon

import (
	"fmt"
	"regexp"
	"strings"
)

// Label selectors of GET /v2/apps?label=… (api/v2/LabelSelector.scala at
// v1.4.13): "a==b", "a!=b", "a in (x, y)", "a notin (x)", "a", joined by
// commas; terms are [-A-Za-z0-9_.] and backslash escapes; blanks between
// tokens are skipped.

type labelSelector struct {
	key string
	op  string // "", "==", "!=", "in", "notin"
	set []string
}

var labelTerm = regexp.MustCompile(`^(?:\\.|[-A-Za-z0-9_.])+`)
var labelUnescape = regexp.MustCompile(`\\(.)`)

type labelParser struct {
	s string
	i int
}

func (p *labelParser) blank() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *labelParser) term() (string, bool) {
	p.blank()
	m := labelTerm.FindString(p.s[p.i:])
	if m == "" {
		return "", false
	}
	p.i += len(m)
	return labelUnescape.ReplaceAllString(m, "$1"), true
}

func (p *labelParser) lit(l string) bool {
	p.blank()
	if strings.HasPrefix(p.s[p.i:], l) {
		p.i += len(l)
		return true
	}
	return false
}

// selector tries the set form, then the equality form, then existence,
// backtracking as the parser combinators do.
func (p *labelParser) selector() (labelSelector, bool) {
	start := p.i
	if key, ok := p.term(); ok {
		for _, op := range []string{"notin", "in"} {
			save := p.i
			if p.lit(op) && p.lit("(") {
				var set []string
				for {
					t, ok := p.term()
					if !ok {
						break
					}
					set = append(set, t)
					if !p.lit(",") {
						break
					}
				}
				if p.lit(")") {
					return labelSelector{key: key, op: op, set: set}, true
				}
			}
			p.i = save
		}
		for _, op := range []string{"==", "!="} {
			save := p.i
			if p.lit(op) {
				if v, ok := p.term(); ok {
					return labelSelector{key: key, op: op, set: []string{v}}, true
				}
			}
			p.i = save
		}
		return labelSelector{key: key}, true
	}
	p.i = start
	return labelSelector{}, false
}

// parseLabelSelectors parses the whole query; an empty one selects all.
func parseLabelSelectors(s string) ([]labelSelector, error) {
	p := &labelParser{s: s}
	var out []labelSelector
	if sel, ok := p.selector(); ok {
		out = append(out, sel)
		for {
			save := p.i
			if !p.lit(",") {
				break
			}
			sel, ok := p.selector()
			if !ok {
				p.i = save
				break
			}
			out = append(out, sel)
		}
	}
	p.blank()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("string matching regex '(\\\\.|[-A-Za-z0-9_.])+' expected but '%c' found", p.s[p.i])
	}
	return out, nil
}

// matchLabels: every selector holds for the app's labels.
func matchLabels(sel []labelSelector, labels any) bool {
	m, _ := labels.(map[string]any)
	for _, s := range sel {
		v, ok := m[s.key].(string)
		if !ok {
			return false
		}
		switch s.op {
		case "==":
			ok = v == s.set[0]
		case "!=":
			ok = v != s.set[0]
		case "in", "notin":
			in := false
			for _, x := range s.set {
				in = in || x == v
			}
			ok = in == (s.op == "in")
		}
		if !ok {
			return false
		}
	}
	return true
}
