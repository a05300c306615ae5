package gitmirror

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Priorities of describe.c's commit_name.
const (
	lightweight = 1
	annotated   = 2
)

// tagName is describe.c's commit_name: the one tag kept for the object
// that tags peel to.
type tagName struct {
	path   string        // the ref name less refs/tags/
	prio   int           // annotated or lightweight
	oid    plumbing.Hash // what the ref points at: a tag object if annotated
	peeled plumbing.Hash
	tag    *object.Tag // the tag object once read, annotated only
}

// knownNames is describe.c's get_name over every tag, in ref name order
// as for_each_rawref gives them: per peeled object an annotated tag beats
// a lightweight one, between annotated tags the newer tagger date wins,
// and otherwise the first name stays.
func knownNames(st storer.Storer) (map[plumbing.Hash]*tagName, error) {
	iter, err := st.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	var refs []*plumbing.Reference
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if !ref.Name().IsTag() {
			return nil
		}
		if ref.Type() == plumbing.SymbolicReference {
			r, err := storer.ResolveReference(st, ref.Name())
			if err != nil {
				return nil // broken: no object to name
			}
			ref = plumbing.NewHashReference(ref.Name(), r.Hash())
		}
		refs = append(refs, ref)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Name() < refs[j].Name() })
	names := map[plumbing.Hash]*tagName{}
	for _, ref := range refs {
		oid := ref.Hash()
		peeled, isTag := peelTag(st, oid)
		prio := lightweight
		if isTag {
			prio = annotated
		}
		e := names[peeled]
		replace, tag := replaceName(st, e, prio, oid)
		if !replace {
			continue
		}
		if e == nil {
			e = &tagName{peeled: peeled}
			names[peeled] = e
		}
		e.path, e.prio, e.oid, e.tag = strings.TrimPrefix(ref.Name().String(), "refs/tags/"), prio, oid, tag
	}
	return names, nil
}

// peelTag follows tag objects to the first object that is not one;
// isTag says oid was a tag object. A missing object peels to itself, as
// git's peel_iterated_oid fails and describe keeps the oid.
func peelTag(st storer.EncodedObjectStorer, oid plumbing.Hash) (peeled plumbing.Hash, isTag bool) {
	h := oid
	for {
		t, err := object.GetTag(st, h)
		if err != nil {
			return h, h != oid
		}
		h = t.Target
	}
}

// replaceName is describe.c's replace_name. It returns the tag object it
// read for the new name, which the name keeps.
func replaceName(st storer.EncodedObjectStorer, e *tagName, prio int, oid plumbing.Hash) (bool, *object.Tag) {
	if e == nil || e.prio < prio {
		return true, nil
	}
	if e.prio != annotated || prio != annotated {
		return false, nil
	}
	if e.tag == nil {
		t, err := object.GetTag(st, e.oid)
		if err != nil {
			return true, nil
		}
		e.tag = t
	}
	t, err := object.GetTag(st, oid)
	if err != nil {
		return false, nil
	}
	return tagDate(e.tag) < tagDate(t), t
}

// tagDate is the tagger date git parses from a tag; 0 without a tagger.
func tagDate(t *object.Tag) int64 {
	if t.Tagger.When.IsZero() {
		return 0
	}
	return t.Tagger.When.Unix()
}

// display is describe.c's append_name: an annotated tag is printed by
// the name inside the tag object, which is misnamed if the ref differs.
func (n *tagName) display(st storer.EncodedObjectStorer) (name string, misnamed bool, err error) {
	if n.prio == annotated && n.tag == nil {
		t, err := object.GetTag(st, n.oid)
		if err != nil {
			return "", false, fmt.Errorf("annotated tag %s not available: %w", n.path, err)
		}
		n.tag = t
	}
	if n.tag == nil {
		return n.path, false, nil
	}
	return n.tag.Name, n.tag.Name != n.path, nil
}
