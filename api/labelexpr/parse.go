package labelexpr

import (
	"fmt"
	"strings"
)

// Limits of what Parse reads: a label expression is outside input (a
// Pipeline's spec.label, a Jenkins queue item's why text), and a deep one
// would otherwise recurse until the process dies of a stack overflow,
// which Go cannot recover from. Jenkins' own are a few dozen bytes.
const (
	// MaxLength is the longest expression, in bytes.
	MaxLength = 4096
	// MaxDepth is the deepest nesting of '!', '(' and operators.
	MaxDepth = 64
)

// Parse reads a label expression of at most MaxLength bytes and MaxDepth
// levels of nesting.
func Parse(s string) (Expr, error) {
	if len(s) > MaxLength {
		return nil, &Error{Pos: MaxLength, Msg: fmt.Sprintf("label expression is %d bytes long; at most %d", len(s), MaxLength)}
	}
	p := &parser{toks: nil}
	if err := p.lex(s); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return nil, &Error{Pos: 0, Msg: "empty label expression"}
	}
	e, err := p.parse(precIff)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		t := p.toks[p.i]
		return nil, &Error{Pos: t.pos, Msg: "unexpected " + t.describe()}
	}
	return e, nil
}

type token struct {
	kind string // "atom", "(", ")", "!", "&&", "||", "->", "<->"
	text string
	pos  int
}

func (t token) describe() string {
	if t.kind == "atom" {
		return "label " + Atom(t.text).String()
	}
	return "'" + t.kind + "'"
}

type parser struct {
	toks  []token
	i     int
	end   int
	depth int
}

// enter counts one more level of nesting at token t; leave undoes it.
func (p *parser) enter(pos int) error {
	if p.depth++; p.depth > MaxDepth {
		return &Error{Pos: pos, Msg: fmt.Sprintf("nested more than %d deep", MaxDepth)}
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

var binaryPrec = map[string]int{"<->": precIff, "->": precImplies, "||": precOr, "&&": precAnd}

// parse is precedence climbing; all binary operators associate left, as
// in Jenkins' grammar.
func (p *parser) parse(min int) (Expr, error) {
	if err := p.enter(p.pos()); err != nil {
		return nil, err
	}
	defer p.leave()
	lhs, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.i < len(p.toks) {
		op := p.toks[p.i]
		prec, ok := binaryPrec[op.kind]
		if !ok || prec < min {
			break
		}
		p.i++
		rhs, err := p.parse(prec + 1)
		if err != nil {
			return nil, err
		}
		lhs = Binary{Op: op.kind, L: lhs, R: rhs}
	}
	return lhs, nil
}

func (p *parser) unary() (Expr, error) {
	if p.i >= len(p.toks) {
		return nil, &Error{Pos: p.end, Msg: "expression ends where a label was expected"}
	}
	if err := p.enter(p.pos()); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.toks[p.i]
	p.i++
	switch t.kind {
	case "atom":
		return Atom(t.text), nil
	case "!":
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	case "(":
		x, err := p.parse(precIff)
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].kind != ")" {
			return nil, &Error{Pos: t.pos, Msg: "unclosed '('"}
		}
		p.i++
		return Paren{X: x}, nil
	}
	return nil, &Error{Pos: t.pos, Msg: "unexpected " + t.describe() + " where a label was expected"}
}

// pos is where the next token starts (the end when there is none).
func (p *parser) pos() int {
	if p.i < len(p.toks) {
		return p.toks[p.i].pos
	}
	return p.end
}

func (p *parser) lex(s string) error {
	p.end = len(s)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '!':
			p.toks = append(p.toks, token{kind: string(c), pos: i})
			i++
		case strings.HasPrefix(s[i:], "&&"), strings.HasPrefix(s[i:], "||"), strings.HasPrefix(s[i:], "->"):
			p.toks = append(p.toks, token{kind: s[i : i+2], pos: i})
			i += 2
		case strings.HasPrefix(s[i:], "<->"):
			p.toks = append(p.toks, token{kind: "<->", pos: i})
			i += 3
		case c == '"':
			text, n, err := quoted(s, i)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, token{kind: "atom", text: text, pos: i})
			i = n
		case c == '&' || c == '|' || c == '<' || c == '>':
			return &Error{Pos: i, Msg: "stray '" + string(c) + "' (operators are &&, ||, !, ->, <->)"}
		default:
			start := i
			for i < len(s) && !atomEnd(s, i) {
				i++
			}
			p.toks = append(p.toks, token{kind: "atom", text: s[start:i], pos: start})
		}
	}
	return nil
}

// atomEnd: whitespace, an operator or a parenthesis ends an unquoted label;
// a '-' inside one (ubuntu-18.04) does not, unless it starts "->".
func atomEnd(s string, i int) bool {
	switch s[i] {
	case ' ', '\t', '\n', '\r', '(', ')', '!', '&', '|', '"', '<', '>':
		return true
	case '-':
		return strings.HasPrefix(s[i:], "->")
	}
	return false
}

func quoted(s string, start int) (string, int, error) {
	var b strings.Builder
	for i := start + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return "", 0, &Error{Pos: i, Msg: "dangling backslash"}
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, &Error{Pos: start, Msg: "unclosed quote"}
}
