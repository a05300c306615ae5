// Package labelexpr parses Jenkins label expressions ("trusty && amd64",
// "!windows", "(a || b) && c", "x -> y", "x <-> y", quoted atoms "a b")
// with Jenkins' precedence, evaluates them against a set of labels, and
// prints them in Jenkins' canonical form, which has no spaces: Jenkins
// 2.125 and later write "There are no nodes with the label ‘trusty&&amd64’".
package labelexpr

import (
	"fmt"
	"strings"
)

// Expr is a parsed label expression.
type Expr interface {
	// Matches reports whether a node with these labels satisfies the expression.
	Matches(labels map[string]bool) bool
	// String is Jenkins' canonical form.
	String() string
	prec() int
}

// Precedences, weakest first, as Jenkins' LabelOperatorPrecedence.
const (
	precIff = iota
	precImplies
	precOr
	precAnd
	precNot
	precAtom
)

// Atom is one label.
type Atom string

// Matches implements Expr.
func (a Atom) Matches(l map[string]bool) bool { return l[string(a)] }

// String quotes an atom only when it would not read back unquoted.
func (a Atom) String() string {
	s := string(a)
	if s != "" && !strings.ContainsAny(s, " \t\r\n\"\\&|!()<>") && !strings.Contains(s, "->") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func (Atom) prec() int { return precAtom }

// Not negates.
type Not struct{ X Expr }

// Matches implements Expr.
func (n Not) Matches(l map[string]bool) bool { return !n.X.Matches(l) }
func (n Not) String() string                 { return "!" + paren(precNot, n.X) }
func (Not) prec() int                        { return precNot }

// Paren keeps a user's parentheses, as Jenkins does when it prints.
type Paren struct{ X Expr }

// Matches implements Expr.
func (p Paren) Matches(l map[string]bool) bool { return p.X.Matches(l) }
func (p Paren) String() string                 { return "(" + p.X.String() + ")" }
func (Paren) prec() int                        { return precAtom }

// Binary is &&, ||, -> or <->.
type Binary struct {
	Op   string
	L, R Expr
}

// Matches implements Expr.
func (b Binary) Matches(l map[string]bool) bool {
	switch b.Op {
	case "&&":
		return b.L.Matches(l) && b.R.Matches(l)
	case "||":
		return b.L.Matches(l) || b.R.Matches(l)
	case "->":
		return !b.L.Matches(l) || b.R.Matches(l)
	default: // <->
		return b.L.Matches(l) == b.R.Matches(l)
	}
}

func (b Binary) String() string { return paren(b.prec(), b.L) + b.Op + paren(b.prec(), b.R) }

func (b Binary) prec() int {
	return map[string]int{"&&": precAnd, "||": precOr, "->": precImplies, "<->": precIff}[b.Op]
}

// paren wraps x when it binds more weakly than the operator around it.
func paren(op int, x Expr) string {
	if x.prec() < op {
		return "(" + x.String() + ")"
	}
	return x.String()
}

// MatchesLabels is Matches for a label list.
func MatchesLabels(e Expr, labels []string) bool {
	set := make(map[string]bool, len(labels))
	for _, l := range labels {
		set[l] = true
	}
	return e.Matches(set)
}

// Error is a parse error at a byte offset.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("at offset %d: %s", e.Pos, e.Msg) }
