package jenkins

import (
	"fmt"
	"strings"
)

// Jenkins' label expressions, as hudson.model.labels parses and prints
// them. The simulator keeps its own copy on purpose: it stands for Jenkins,
// and must not share minka's code.

type expr interface {
	match(labels map[string]bool) bool
	String() string
	prec() int
}

const (
	pIff = iota
	pImplies
	pOr
	pAnd
	pNot
	pAtom
)

type atom string

func (a atom) match(l map[string]bool) bool { return l[string(a)] }
func (atom) prec() int                      { return pAtom }
func (a atom) String() string {
	s := string(a)
	if s != "" && !strings.ContainsAny(s, " \t\r\n\"\\&|!()<>") && !strings.Contains(s, "->") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

type not struct{ x expr }

func (n not) match(l map[string]bool) bool { return !n.x.match(l) }
func (not) prec() int                      { return pNot }
func (n not) String() string               { return "!" + wrap(pNot, n.x) }

type paren struct{ x expr }

func (p paren) match(l map[string]bool) bool { return p.x.match(l) }
func (paren) prec() int                      { return pAtom }
func (p paren) String() string               { return "(" + p.x.String() + ")" }

type binary struct {
	op   string
	l, r expr
}

var binPrec = map[string]int{"<->": pIff, "->": pImplies, "||": pOr, "&&": pAnd}

func (b binary) prec() int      { return binPrec[b.op] }
func (b binary) String() string { return wrap(b.prec(), b.l) + b.op + wrap(b.prec(), b.r) }
func (b binary) match(l map[string]bool) bool {
	switch b.op {
	case "&&":
		return b.l.match(l) && b.r.match(l)
	case "||":
		return b.l.match(l) || b.r.match(l)
	case "->":
		return !b.l.match(l) || b.r.match(l)
	}
	return b.l.match(l) == b.r.match(l)
}

func wrap(op int, x expr) string {
	if x.prec() < op {
		return "(" + x.String() + ")"
	}
	return x.String()
}

// parseLabel parses a label expression; "" means "any node".
func parseLabel(s string) (expr, error) {
	toks, err := lexLabel(s)
	if err != nil || len(toks) == 0 {
		return nil, err
	}
	p := &labelParser{toks: toks}
	e, err := p.parse(pIff)
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q in label expression %q", p.toks[p.i].text, s)
	}
	return e, err
}

type tok struct{ kind, text string }

type labelParser struct {
	toks  []tok
	i     int
	depth int
}

// maxLabelDepth bounds the recursion: a job's assignedNode comes from
// whoever posts config.xml, and a stack overflow would take the whole
// process (minka dev) down with it.
const maxLabelDepth = 256

func (p *labelParser) deeper() error {
	if p.depth++; p.depth > maxLabelDepth {
		return fmt.Errorf("label expression nested more than %d deep", maxLabelDepth)
	}
	return nil
}

func (p *labelParser) parse(min int) (expr, error) {
	if err := p.deeper(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	lhs, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.i < len(p.toks) {
		prec, ok := binPrec[p.toks[p.i].kind]
		if !ok || prec < min {
			break
		}
		op := p.toks[p.i].kind
		p.i++
		rhs, err := p.parse(prec + 1)
		if err != nil {
			return nil, err
		}
		lhs = binary{op: op, l: lhs, r: rhs}
	}
	return lhs, nil
}

func (p *labelParser) unary() (expr, error) {
	if p.i >= len(p.toks) {
		return nil, fmt.Errorf("label expression ends early")
	}
	if err := p.deeper(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := p.toks[p.i]
	p.i++
	switch t.kind {
	case "atom":
		return atom(t.text), nil
	case "!":
		x, err := p.unary()
		return not{x}, err
	case "(":
		x, err := p.parse(pIff)
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].kind != ")" {
			return nil, fmt.Errorf("unclosed '(' in label expression")
		}
		p.i++
		return paren{x}, nil
	}
	return nil, fmt.Errorf("unexpected %q in label expression", t.kind)
}

func lexLabel(s string) ([]tok, error) {
	var out []tok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case strings.ContainsRune(" \t\r\n", rune(c)):
			i++
		case c == '(' || c == ')' || c == '!':
			out = append(out, tok{kind: string(c)})
			i++
		case strings.HasPrefix(s[i:], "<->"):
			out = append(out, tok{kind: "<->"})
			i += 3
		case strings.HasPrefix(s[i:], "&&"), strings.HasPrefix(s[i:], "||"), strings.HasPrefix(s[i:], "->"):
			out = append(out, tok{kind: s[i : i+2]})
			i += 2
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unclosed quote in label expression %q", s)
			}
			out = append(out, tok{kind: "atom", text: b.String()})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()!&|\"<>", rune(s[j])) && !strings.HasPrefix(s[j:], "->") {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q in label expression %q", c, s)
			}
			out = append(out, tok{kind: "atom", text: s[i:j]})
			i = j
		}
	}
	return out, nil
}
