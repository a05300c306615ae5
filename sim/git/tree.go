package git

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// flatTree lists the files of commit's tree by full path.
func (r *Repo) flatTree(commit plumbing.Hash) (map[string]object.TreeEntry, error) {
	c, err := r.repo.CommitObject(commit)
	if err != nil {
		return nil, fmt.Errorf("read parent %s: %w", commit, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", commit, err)
	}
	out := map[string]object.TreeEntry{}
	err = tree.Files().ForEach(func(f *object.File) error {
		out[f.Name] = object.TreeEntry{Name: f.Name, Mode: f.Mode, Hash: f.Hash}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tree of %s: %w", commit, err)
	}
	return out, nil
}

// addFiles stores each file's content as a blob and records it by path.
func (r *Repo) addFiles(entries map[string]object.TreeEntry, files map[string]string) error {
	for path, content := range files {
		if err := validPath(path); err != nil {
			return err
		}
		obj := r.repo.Storer.NewEncodedObject()
		obj.SetType(plumbing.BlobObject)
		w, err := obj.Writer()
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if _, err := io.WriteString(w, content); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		h, err := r.repo.Storer.SetEncodedObject(obj)
		if err != nil {
			return fmt.Errorf("store %s: %w", path, err)
		}
		entries[path] = object.TreeEntry{Name: path, Mode: filemode.Regular, Hash: h}
	}
	return nil
}

func validPath(path string) error {
	if path == "" || strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
		return fmt.Errorf("invalid path %q", path)
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." || seg == ".git" {
			return fmt.Errorf("invalid path %q", path)
		}
	}
	return nil
}

// writeTree stores the nested trees for files keyed by full path and
// returns the root's hash.
func writeTree(s storer.EncodedObjectStorer, files map[string]object.TreeEntry) (plumbing.Hash, error) {
	here := []object.TreeEntry{}
	subdirs := map[string]map[string]object.TreeEntry{}
	for path, e := range files {
		dir, rest, nested := strings.Cut(path, "/")
		if !nested {
			if _, clash := subdirs[path]; clash {
				return plumbing.ZeroHash, fmt.Errorf("%s is both a file and a directory", path)
			}
			e.Name = path
			here = append(here, e)
			continue
		}
		if subdirs[dir] == nil {
			subdirs[dir] = map[string]object.TreeEntry{}
		}
		subdirs[dir][rest] = e
	}
	for dir, sub := range subdirs {
		for _, e := range here {
			if e.Name == dir {
				return plumbing.ZeroHash, fmt.Errorf("%s is both a file and a directory", dir)
			}
		}
		h, err := writeTree(s, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		here = append(here, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h})
	}
	// git orders a tree's entries as if every directory name ended in "/";
	// fsck (and git itself) rejects trees in any other order.
	sort.Slice(here, func(i, j int) bool { return sortName(here[i]) < sortName(here[j]) })
	return store(s, &object.Tree{Entries: here})
}

func sortName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// store encodes a commit, tree or tag into the object store.
func store(s storer.EncodedObjectStorer, o interface {
	Encode(plumbing.EncodedObject) error
}) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode: %w", err)
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store %s: %w", obj.Type(), err)
	}
	return h, nil
}
