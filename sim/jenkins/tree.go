package jenkins

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// tree is Stapler's NamedPathPruner (org.kohsuke.stapler.export): the
// ?tree= parameter, "a,b[c,d],e[f]{0,10}". A named leaf keeps the property;
// an object under a leaf keeps only its _class (Jenkins' "empty objects"
// past the asked depth, as python-jenkins' get_all_jobs relies on); {N},
// {N,}, {,M} and {N,M} cut arrays to [N, M).
type tree struct {
	children map[string]*tree
	min, max int
}

func parseTree(spec string) (*tree, error) {
	p := &treeParser{s: spec}
	t := &tree{children: map[string]*tree{}, max: math.MaxInt}
	if err := p.list(t); err != nil {
		return nil, err
	}
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("expected EOF at %d", p.pos)
	}
	return t, nil
}

type treeParser struct {
	s   string
	pos int
}

func (p *treeParser) peek() byte {
	if p.pos == len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *treeParser) accept(b byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == b {
		p.pos++
		return true
	}
	return false
}

func (p *treeParser) name() string {
	end := p.pos
	for end < len(p.s) && !strings.ContainsRune(",[]{}", rune(p.s[end])) {
		end++
	}
	n := p.s[p.pos:end]
	p.pos = end
	return n
}

func (p *treeParser) list(t *tree) error {
	for {
		if strings.ContainsRune(",[]{}", rune(p.peek())) || p.peek() == 0 {
			return fmt.Errorf("expected name at %d", p.pos)
		}
		sub := &tree{children: map[string]*tree{}, max: math.MaxInt}
		t.children[p.name()] = sub
		if p.accept('[') {
			if err := p.list(sub); err != nil {
				return err
			}
			if !p.accept(']') {
				return fmt.Errorf("expected RBRACE at %d", p.pos)
			}
		}
		if p.accept('{') {
			if err := p.rangeOf(sub); err != nil {
				return err
			}
		}
		if !p.accept(',') {
			return nil
		}
	}
}

func (p *treeParser) number() (int, error) {
	n := p.name()
	v, err := strconv.Atoi(n)
	if err != nil || strings.ContainsAny(n, "+-") {
		return 0, fmt.Errorf("expected number at %d", p.pos-len(n))
	}
	return v, nil
}

func (p *treeParser) rangeOf(t *tree) error {
	var err error
	switch {
	case p.accept(','):
		t.max, err = p.number()
	default:
		if t.min, err = p.number(); err != nil {
			return err
		}
		switch {
		case p.peek() == '}':
			t.max = t.min + 1
		case !p.accept(','):
			return fmt.Errorf("expected COMMA at %d", p.pos)
		case p.peek() == '}':
		default:
			t.max, err = p.number()
		}
	}
	if err != nil {
		return err
	}
	if !p.accept('}') {
		return fmt.Errorf("expected QRBRACE at %d", p.pos)
	}
	return nil
}

// prune applies t to a decoded JSON value.
func (t *tree) prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		if c, ok := v["_class"]; ok {
			out["_class"] = c
		}
		for k, sub := range t.children {
			if val, ok := v[k]; ok {
				out[k] = sub.pruneProp(val)
			}
		}
		return out
	case []any:
		out := []any{}
		for _, e := range v {
			out = append(out, t.prune(e))
		}
		return out
	}
	return v
}

// pruneProp applies the subtree of a property to its value, cutting an
// array to the subtree's range first.
func (t *tree) pruneProp(v any) any {
	if a, ok := v.([]any); ok {
		lo, hi := min(t.min, len(a)), min(t.max, len(a))
		if hi < lo {
			hi = lo
		}
		return t.prune(a[lo:hi])
	}
	return t.prune(v)
}
