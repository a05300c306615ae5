package gitmirror

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// maxCandidates is describe's --candidates default.
const maxCandidates = 10

// seen is describe.c's SEEN flag; candidate i (from 0) owns bit i+1.
const seen = 1

// node is one commit of the walk with the object flags git keeps on it.
type node struct {
	hash    plumbing.Hash
	date    int64 // committer date: the walk's order
	parents []plumbing.Hash
	flags   uint32
}

type candidate struct {
	name       *tagName
	depth      int
	foundOrder int
	flagWithin uint32
}

// walker reads commits once per describe.
type walker struct {
	st    storer.EncodedObjectStorer
	nodes map[plumbing.Hash]*node
	pops  int
}

func (w *walker) node(h plumbing.Hash) (*node, error) {
	if n, ok := w.nodes[h]; ok {
		return n, nil
	}
	c, err := object.GetCommit(w.st, h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	n := &node{hash: h, date: c.Committer.When.Unix(), parents: c.ParentHashes}
	w.nodes[h] = n
	return n, nil
}

// list is git's commit_list kept by date: newest first, and a commit
// inserted after those of the same date (commit_list_insert_by_date).
type list []*node

func (l *list) insert(n *node) {
	i := sort.Search(len(*l), func(i int) bool { return (*l)[i].date < n.date })
	*l = append(*l, nil)
	copy((*l)[i+1:], (*l)[i:])
	(*l)[i] = n
}

func (l *list) pop() *node {
	n := (*l)[0]
	*l = (*l)[1:]
	return n
}

// walk is the search of describe_commit, kept step for step, since its
// answer depends on the visiting order: commits newest first, flags
// carried to parents (also to parents already visited, which then carry
// them no further), depths counted per candidate for every commit not
// within it. It returns the best candidate and its depth, or nil.
func walk(ctx context.Context, st storer.EncodedObjectStorer, commit plumbing.Hash, names map[plumbing.Hash]*tagName) (*tagName, int, error) {
	w := &walker{st: st, nodes: map[plumbing.Hash]*node{}}
	byCommit := map[plumbing.Hash]*tagName{}
	for peeled, n := range names {
		if _, err := object.GetCommit(st, peeled); err == nil {
			byCommit[peeled] = n
		}
	}
	start, err := w.node(commit)
	if err != nil {
		return nil, 0, err
	}
	start.flags = seen
	l := list{start}
	var matches []candidate
	annotatedCount, seenCommits := 0, 0
	var gaveUpOn *node
	for len(l) > 0 {
		if err := w.checkContext(ctx); err != nil {
			return nil, 0, err
		}
		c := l.pop()
		seenCommits++
		if n := byCommit[c.hash]; n != nil {
			if len(matches) == maxCandidates {
				gaveUpOn = c
				break
			}
			t := candidate{name: n, depth: seenCommits - 1, foundOrder: len(matches) + 1, flagWithin: 1 << (len(matches) + 1)}
			matches = append(matches, t)
			c.flags |= t.flagWithin
			if n.prio == annotated {
				annotatedCount++
			}
		}
		for i := range matches {
			if c.flags&matches[i].flagWithin == 0 {
				matches[i].depth++
			}
		}
		if annotatedCount > 0 && len(l) == 0 && coveredByBest(c, matches) {
			break
		}
		if err := w.visitParents(c, &l); err != nil {
			return nil, 0, err
		}
	}
	if len(matches) == 0 {
		return nil, 0, nil
	}
	sort.Slice(matches, func(i, j int) bool {
		if matches[i].depth != matches[j].depth {
			return matches[i].depth < matches[j].depth
		}
		return matches[i].foundOrder < matches[j].foundOrder
	})
	if gaveUpOn != nil {
		l.insert(gaveUpOn)
	}
	best := &matches[0]
	if err := w.finishDepth(ctx, &l, best); err != nil {
		return nil, 0, err
	}
	return best.name, best.depth, nil
}

// coveredByBest: the last path left is within every best candidate.
func coveredByBest(c *node, matches []candidate) bool {
	bestDepth, bestWithin := math.MaxInt, uint32(0)
	for _, t := range matches {
		if t.depth < bestDepth {
			bestDepth, bestWithin = t.depth, t.flagWithin
		} else if t.depth == bestDepth {
			bestWithin |= t.flagWithin
		}
	}
	return c.flags&bestWithin == bestWithin
}

func (w *walker) visitParents(c *node, l *list) error {
	for _, ph := range c.parents {
		p, err := w.node(ph)
		if err != nil {
			return err
		}
		if p.flags&seen == 0 {
			l.insert(p)
		}
		p.flags |= c.flags
	}
	return nil
}

// finishDepth is finish_depth_computation: keep walking until everything
// left is within the best candidate, counting the commits that are not.
func (w *walker) finishDepth(ctx context.Context, l *list, best *candidate) error {
	for len(*l) > 0 {
		if err := w.checkContext(ctx); err != nil {
			return err
		}
		c := l.pop()
		if c.flags&best.flagWithin != 0 {
			allWithin := true
			for _, a := range *l {
				if a.flags&best.flagWithin == 0 {
					allWithin = false
					break
				}
			}
			if allWithin {
				break
			}
		} else {
			best.depth++
		}
		if err := w.visitParents(c, l); err != nil {
			return err
		}
	}
	return nil
}

// checkContext lets a long walk end with its caller's context.
func (w *walker) checkContext(ctx context.Context) error {
	w.pops++
	if w.pops%1024 != 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("describe walk: %w", err)
	}
	return nil
}
