package gitmirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/utils/ioutil"
)

// fetchLocal fetches a repository on this machine without the git
// binary. go-git's file transport runs git-upload-pack, and its
// in-process server (transport/server) walks every have the client sends,
// failing on one the source no longer has (a branch force-pushed since
// the last fetch). So the source is opened directly: the objects its
// branches and tags reach, less what the mirror's refs still shared with
// the source reach, go through go-git's pack encoder into one pack (as a
// fetch would store them: the object count that sizes abbreviations
// matches git's), then the refs are set as the refspecs and prune say.
func fetchLocal(ctx context.Context, dst *gogit.Repository, path string) error {
	src, err := gogit.PlainOpenWithOptions(path, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	want, err := mirroredRefs(src.Storer)
	if err != nil {
		return fmt.Errorf("read refs of %s: %w", path, err)
	}
	have, err := mirroredRefs(dst.Storer)
	if err != nil {
		return fmt.Errorf("read mirror refs: %w", err)
	}
	var wants, haves []plumbing.Hash
	for _, h := range want {
		if dst.Storer.HasEncodedObject(h) != nil {
			wants = append(wants, h)
		}
	}
	for _, h := range have {
		if src.Storer.HasEncodedObject(h) == nil {
			haves = append(haves, h)
		}
	}
	if len(wants) > 0 {
		if err := copyObjects(ctx, src.Storer, dst.Storer, wants, haves); err != nil {
			return err
		}
	}
	return setRefs(dst.Storer, want)
}

// mirroredRefs lists the branches and tags, symbolic ones resolved.
func mirroredRefs(s storer.ReferenceStorer) (map[plumbing.ReferenceName]plumbing.Hash, error) {
	iter, err := s.IterReferences()
	if err != nil {
		return nil, err
	}
	out := map[plumbing.ReferenceName]plumbing.Hash{}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if !ref.Name().IsBranch() && !ref.Name().IsTag() {
			return nil
		}
		if ref.Type() == plumbing.SymbolicReference {
			r, err := storer.ResolveReference(s, ref.Name())
			if err != nil {
				return nil // dangling: git skips it too
			}
			ref = r
		}
		out[ref.Name()] = ref.Hash()
		return nil
	})
	return out, err
}

// copyObjects packs what wants reach beyond haves from src into dst.
func copyObjects(ctx context.Context, src, dst storage.Storer, wants, haves []plumbing.Hash) error {
	common, err := revlist.Objects(src, haves, nil)
	if err != nil {
		return fmt.Errorf("walk common objects: %w", err)
	}
	objs, err := revlist.Objects(src, wants, common)
	if err != nil {
		return fmt.Errorf("walk objects to fetch: %w", err)
	}
	if len(objs) == 0 {
		return nil
	}
	pr, pw := io.Pipe()
	encoded := make(chan error, 1)
	go func() {
		_, err := packfile.NewEncoder(pw, src, false).Encode(objs, 10)
		pw.CloseWithError(err)
		encoded <- err
	}()
	err = packfile.UpdateObjectStorage(dst, ioutil.NewContextReadCloser(ctx, pr))
	// Unblock the encoder if the store stopped reading early, then wait.
	pr.CloseWithError(errors.New("pack no longer read"))
	encErr := <-encoded
	if err != nil {
		return fmt.Errorf("store pack: %w", err)
	}
	if encErr != nil {
		return fmt.Errorf("encode pack: %w", encErr)
	}
	return nil
}

// setRefs makes the branches and tags exactly refs: +refspecs with prune.
func setRefs(s storer.ReferenceStorer, refs map[plumbing.ReferenceName]plumbing.Hash) error {
	old, err := mirroredRefs(s)
	if err != nil {
		return fmt.Errorf("read mirror refs: %w", err)
	}
	for name, h := range refs {
		if old[name] == h {
			continue
		}
		if err := s.SetReference(plumbing.NewHashReference(name, h)); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	for name := range old {
		if _, keep := refs[name]; keep || !strings.HasPrefix(name.String(), "refs/") {
			continue
		}
		if err := s.RemoveReference(name); err != nil {
			return fmt.Errorf("prune %s: %w", name, err)
		}
	}
	return nil
}
