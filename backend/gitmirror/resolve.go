package gitmirror

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

var (
	// ErrUnknownRef: the remote has no such branch or tag.
	ErrUnknownRef = errors.New("no such branch or tag")
	// ErrUnknownCommit: the remote has no commit of that sha1, even after
	// a fetch.
	ErrUnknownCommit = errors.New("unknown commit")
	// ErrAmbiguous: a short sha1 names more than one object.
	ErrAmbiguous = errors.New("short sha1 is ambiguous")
)

// Resolve returns the commit a branch or tag of the remote points at (a
// tag peeled to its commit), fetching first if the mirror is older than
// MaxAge. ref is a short name, looked up as git does (refs/tags/ref before
// refs/heads/ref), or a full refs/heads/ or refs/tags/ name.
//
// Unlike Describe, a failed fetch is an error even when the mirror knows
// the ref: a branch head from a stale mirror would build an old commit
// while looking current.
func (m *Mirrors) Resolve(ctx context.Context, url, ref string) (string, error) {
	mr, err := m.get(url)
	if err != nil {
		return "", err
	}
	if err := mr.lock(ctx); err != nil {
		return "", err
	}
	defer mr.unlock()
	if m.stale(mr) {
		if err := m.fetch(ctx, mr); err != nil {
			return "", err
		}
	}
	h, err := mr.resolveRef(ref)
	if err != nil {
		return "", fmt.Errorf("resolve %s in %s: %w", ref, redact(url), err)
	}
	return h.String(), nil
}

func (mr *mirror) resolveRef(ref string) (plumbing.Hash, error) {
	names := []plumbing.ReferenceName{plumbing.NewTagReferenceName(ref), plumbing.NewBranchReferenceName(ref)}
	if strings.HasPrefix(ref, "refs/heads/") || strings.HasPrefix(ref, "refs/tags/") {
		names = []plumbing.ReferenceName{plumbing.ReferenceName(ref)}
	}
	for _, name := range names {
		r, err := mr.repo.Reference(name, true)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue
		}
		if err != nil {
			return plumbing.ZeroHash, err
		}
		return peelToCommit(mr, r.Hash())
	}
	return plumbing.ZeroHash, ErrUnknownRef
}

// peelToCommit follows tags (of tags) to the commit they name.
func peelToCommit(mr *mirror, h plumbing.Hash) (plumbing.Hash, error) {
	for {
		obj, err := mr.repo.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read %s: %w", h, err)
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			return h, nil
		case plumbing.TagObject:
			t, err := object.DecodeTag(mr.repo.Storer, obj)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("read tag %s: %w", h, err)
			}
			h = t.Target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%s is a %s, not a commit", h, obj.Type())
		}
	}
}
