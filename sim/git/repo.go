package git

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/go-git/go-billy/v5/osfs"
)

// The author, committer and tagger of everything a Repo writes.
const (
	AuthorName  = "minka sim"
	AuthorEmail = "sim@minka.dev"
)

// Repo is one bare repository of a Server. Its methods write objects and
// refs straight into the repository with go-git (no worktree), under a
// lock that the HTTP side takes for reading, so a fetch never sees a ref
// half written.
type Repo struct {
	name string
	path string
	now  func() time.Time

	mu   sync.RWMutex
	repo *gogit.Repository
}

// Name is the repository's name, as in /NAME.git.
func (r *Repo) Name() string { return r.name }

// Path is the bare repository's directory, for tests that read it with
// the git binary.
func (r *Repo) Path() string { return r.path }

// readStorage opens the repository afresh for one HTTP request: go-git's
// filesystem storage caches pack lists and is not meant to be shared
// between goroutines. Callers hold r.mu for reading.
func (r *Repo) readStorage() *filesystem.Storage {
	return filesystem.NewStorage(osfs.New(r.path), cache.NewObjectLRUDefault())
}

func (r *Repo) signature() object.Signature {
	return object.Signature{Name: AuthorName, Email: AuthorEmail, When: r.now()}
}

// Commit writes a commit on top of branch's head (a root commit when the
// branch does not exist yet, which creates it) and returns its sha1.
// files are written over the parent's tree: a path with slashes lands in
// subdirectories; paths not named keep their content. The message gets the
// trailing newline git commit -m gives it.
func (r *Repo) Commit(branch, message string, files map[string]string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	refName := plumbing.NewBranchReferenceName(branch)
	if err := refName.Validate(); err != nil || branch == "" {
		return "", fmt.Errorf("commit on %q: invalid branch name", branch)
	}
	var parents []plumbing.Hash
	entries := map[string]object.TreeEntry{}
	ref, err := r.repo.Storer.Reference(refName)
	switch {
	case err == nil:
		parents = []plumbing.Hash{ref.Hash()}
		if entries, err = r.flatTree(ref.Hash()); err != nil {
			return "", fmt.Errorf("commit on %s: %w", branch, err)
		}
	case !errors.Is(err, plumbing.ErrReferenceNotFound):
		return "", fmt.Errorf("commit on %s: read branch: %w", branch, err)
	}
	if err := r.addFiles(entries, files); err != nil {
		return "", fmt.Errorf("commit on %s: %w", branch, err)
	}
	tree, err := writeTree(r.repo.Storer, entries)
	if err != nil {
		return "", fmt.Errorf("commit on %s: %w", branch, err)
	}
	sig := r.signature()
	c := &object.Commit{Author: sig, Committer: sig, Message: withNewline(message), TreeHash: tree, ParentHashes: parents}
	h, err := store(r.repo.Storer, c)
	if err != nil {
		return "", fmt.Errorf("commit on %s: %w", branch, err)
	}
	if err := r.setBranch(refName, h); err != nil {
		return "", fmt.Errorf("commit on %s: %w", branch, err)
	}
	return h.String(), nil
}

// setBranch moves the branch, and points an unborn HEAD at it when it is
// the repository's first branch, as a hosting service makes the first
// pushed branch the default one (a clone then checks it out).
func (r *Repo) setBranch(name plumbing.ReferenceName, h plumbing.Hash) error {
	first := !r.hasBranches()
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(name, h)); err != nil {
		return fmt.Errorf("set %s: %w", name, err)
	}
	if !first {
		return nil
	}
	head, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil || head.Type() != plumbing.SymbolicReference || head.Target() == name {
		return nil
	}
	if _, err := r.repo.Storer.Reference(head.Target()); errors.Is(err, plumbing.ErrReferenceNotFound) {
		return r.repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, name))
	}
	return nil
}

func (r *Repo) hasBranches() bool {
	iter, err := r.repo.Branches()
	if err != nil {
		return false
	}
	defer iter.Close()
	_, err = iter.Next()
	return err == nil
}

// Branch creates branch name at target (a sha1, branch or tag).
func (r *Repo) Branch(name, target string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	refName := plumbing.NewBranchReferenceName(name)
	if err := refName.Validate(); err != nil || name == "" {
		return fmt.Errorf("create branch %q: invalid name", name)
	}
	if _, err := r.repo.Storer.Reference(refName); err == nil {
		return fmt.Errorf("create branch %s: %w", name, ErrExists)
	}
	h, err := r.commitOf(target)
	if err != nil {
		return fmt.Errorf("create branch %s: %w", name, err)
	}
	return r.setBranch(refName, h)
}

// Tag creates tag name at target (a sha1, branch or tag): an annotated
// tag object with message and the sim's signature, or a lightweight ref.
func (r *Repo) Tag(name, target string, annotated bool, message string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	refName := plumbing.NewTagReferenceName(name)
	if err := refName.Validate(); err != nil || name == "" {
		return fmt.Errorf("create tag %q: invalid name", name)
	}
	if _, err := r.repo.Storer.Reference(refName); err == nil {
		return fmt.Errorf("create tag %s: %w", name, ErrExists)
	}
	h, err := r.commitOf(target)
	if err != nil {
		return fmt.Errorf("create tag %s: %w", name, err)
	}
	if annotated {
		t := &object.Tag{Name: name, Tagger: r.signature(), Message: withNewline(message), TargetType: plumbing.CommitObject, Target: h}
		if h, err = store(r.repo.Storer, t); err != nil {
			return fmt.Errorf("create tag %s: %w", name, err)
		}
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(refName, h)); err != nil {
		return fmt.Errorf("create tag %s: %w", name, err)
	}
	return nil
}

// DeleteBranch removes the branch ref; its commits stay in the object
// store, as they would on a server until gc.
func (r *Repo) DeleteBranch(branch string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := plumbing.NewBranchReferenceName(branch)
	if _, err := r.repo.Storer.Reference(name); err != nil {
		return fmt.Errorf("delete branch %s: %w", branch, err)
	}
	if err := r.repo.Storer.RemoveReference(name); err != nil {
		return fmt.Errorf("delete branch %s: %w", branch, err)
	}
	return nil
}

// Head returns the sha1 the branch points at.
func (r *Repo) Head(branch string) (string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ref, err := r.repo.Storer.Reference(plumbing.NewBranchReferenceName(branch))
	if err != nil {
		return "", fmt.Errorf("head of %s: %w", branch, err)
	}
	return ref.Hash().String(), nil
}

// commitOf resolves a full sha1, a branch or a tag (peeled) to a commit.
func (r *Repo) commitOf(target string) (plumbing.Hash, error) {
	h := plumbing.NewHash(target)
	if !plumbing.IsHash(target) {
		ref, err := r.refNamed(target)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		h = ref.Hash()
	}
	obj, err := r.repo.Object(plumbing.AnyObject, h)
	for err == nil {
		switch o := obj.(type) {
		case *object.Commit:
			return o.Hash, nil
		case *object.Tag:
			obj, err = o.Object()
		default:
			return plumbing.ZeroHash, fmt.Errorf("%s is a %s, not a commit", target, obj.Type())
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("resolve %s: %w", target, err)
}

func (r *Repo) refNamed(name string) (*plumbing.Reference, error) {
	for _, n := range []plumbing.ReferenceName{plumbing.NewBranchReferenceName(name), plumbing.NewTagReferenceName(name)} {
		if ref, err := r.repo.Storer.Reference(n); err == nil {
			return ref, nil
		}
	}
	return nil, fmt.Errorf("no branch or tag %q", name)
}

func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
