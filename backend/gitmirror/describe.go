package gitmirror

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// ErrNoTag: no tag can describe the commit, because the repository has
// none ("No names found, cannot describe anything.") or none is reachable
// from it ("No tags can describe '<sha1>'.").
var ErrNoTag = errors.New("no tag describes the commit")

// Describe is what git describe --tags says of a commit.
type Describe struct {
	// Text is git describe --tags's output: TAG when a tag points at the
	// commit, else TAG-DISTANCE-gABBREV.
	Text string
	// Tag is the name of the tag used; Exact says it points at the commit.
	Tag   string
	Exact bool
	// Distance is the number of commits between the tag and the commit.
	Distance int
	// SHA1 is the full sha1 of the commit described.
	SHA1 string
	// Stale is the fetch error when the remote could not be reached but
	// the mirror already held the commit. A commit's ancestry never
	// changes, so the answer is the one a fetch would give unless a tag
	// was added or moved since the last fetch: better a build named by
	// the last known tag than a build that cannot start while the remote
	// is down. Callers may warn with it.
	Stale error
}

var shortSHA1 = regexp.MustCompile(`^[0-9a-f]{4,40}$`)

// Describe describes a commit of the remote (a full sha1, or 4 or more of
// its leading hex digits) as git describe --tags would in a mirror of it.
// The mirror is fetched first when it does not hold the commit or is older
// than MaxAge. Its errors wrap ErrNoTag, ErrUnknownCommit or ErrAmbiguous
// where those apply.
func (m *Mirrors) Describe(ctx context.Context, url, sha1 string) (Describe, error) {
	sha := strings.ToLower(sha1)
	if !shortSHA1.MatchString(sha) {
		return Describe{}, fmt.Errorf("describe %q in %s: not a sha1 (4 to 40 hex digits)", sha1, redact(url))
	}
	mr, err := m.get(url)
	if err != nil {
		return Describe{}, err
	}
	if err := mr.lock(ctx); err != nil {
		return Describe{}, err
	}
	defer mr.unlock()
	if err := mr.open(); err != nil {
		return Describe{}, err
	}
	_, _, lookErr := mr.lookup(sha)
	known := lookErr == nil
	var stale error
	if !known || m.stale(mr) {
		if err := m.fetch(ctx, mr); err != nil {
			if !known {
				return Describe{}, err
			}
			stale = err
		}
	}
	input, commit, err := mr.lookup(sha)
	if err != nil {
		return Describe{}, fmt.Errorf("describe %s in %s: %w", sha1, redact(url), err)
	}
	d, err := mr.describe(ctx, input, commit)
	if err != nil {
		return Describe{}, fmt.Errorf("describe %s in %s: %w", sha1, redact(url), err)
	}
	d.Stale = stale
	return d, nil
}

// lookup finds the object a (short) sha1 names, and the commit it is or
// peels to.
func (mr *mirror) lookup(sha string) (input, commit plumbing.Hash, err error) {
	if mr.repo == nil {
		return plumbing.ZeroHash, plumbing.ZeroHash, ErrUnknownCommit
	}
	if err := mr.objects.refresh(mr.dotGit()); err != nil {
		return plumbing.ZeroHash, plumbing.ZeroHash, fmt.Errorf("read mirror objects: %w", err)
	}
	if len(sha) == 40 {
		input = plumbing.NewHash(sha)
		if mr.repo.Storer.HasEncodedObject(input) != nil {
			return plumbing.ZeroHash, plumbing.ZeroHash, ErrUnknownCommit
		}
	} else {
		switch found := mr.objects.withPrefix(sha); len(found) {
		case 0:
			return plumbing.ZeroHash, plumbing.ZeroHash, ErrUnknownCommit
		case 1:
			input = found[0]
		default:
			return plumbing.ZeroHash, plumbing.ZeroHash, ErrAmbiguous
		}
	}
	commit, err = peelToCommit(mr, input)
	if err != nil {
		return plumbing.ZeroHash, plumbing.ZeroHash, fmt.Errorf("%w: %w", ErrUnknownCommit, err)
	}
	return input, commit, nil
}

// describe is builtin/describe.c's describe_commit with --tags (git
// 2.39): an exact tag, else the candidate tag fewest commits away.
func (mr *mirror) describe(ctx context.Context, input, commit plumbing.Hash) (Describe, error) {
	st := mr.repo.Storer
	names, err := knownNames(st)
	if err != nil {
		return Describe{}, err
	}
	if len(names) == 0 {
		return Describe{}, fmt.Errorf("%w: the repository has no tags (git: No names found, cannot describe anything)", ErrNoTag)
	}
	d := Describe{SHA1: commit.String()}
	if n := names[commit]; n != nil {
		name, misnamed, err := n.display(st)
		if err != nil {
			return Describe{}, err
		}
		d.Text, d.Tag, d.Exact = name, name, true
		if misnamed {
			// git warns that the tag is known by another name and, to
			// be unambiguous, adds the long suffix.
			target := input
			if n.tag != nil {
				target = n.tag.Target
			}
			d.Text += "-0-g" + mr.objects.abbrev(target)
		}
		return d, nil
	}
	best, depth, err := walk(ctx, st, commit, names)
	if err != nil {
		return Describe{}, err
	}
	if best == nil {
		return Describe{}, fmt.Errorf("%w: no tag is reachable from it (git: No tags can describe '%s')", ErrNoTag, commit)
	}
	name, _, err := best.display(st)
	if err != nil {
		return Describe{}, err
	}
	d.Tag, d.Distance = name, depth
	d.Text = fmt.Sprintf("%s-%d-g%s", name, depth, mr.objects.abbrev(commit))
	return d, nil
}
