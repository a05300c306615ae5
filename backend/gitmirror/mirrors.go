package gitmirror

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/go-git/go-billy/v5/osfs"
)

// Options configure Mirrors.
type Options struct {
	// MaxAge is how old a mirror may be before a call fetches it first
	// (default 30s).
	MaxAge time.Duration
	// Timeout bounds each fetch (default 30s).
	Timeout time.Duration
	// Auth gives the credentials for a URL; nil, or a nil AuthMethod,
	// leaves go-git's defaults: anonymous for http(s), the ssh agent for
	// ssh.
	Auth func(url string) (transport.AuthMethod, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// fetchSpecs mirror every branch and tag; Prune drops what the remote
// dropped.
var fetchSpecs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

const remoteName = "origin"

// Mirrors keeps one bare mirror per remote URL under a directory.
type Mirrors struct {
	dir  string
	opts Options

	mu      sync.Mutex
	mirrors map[string]*mirror
}

// New returns the mirrors kept under dir. Mirrors left there by an
// earlier process are reused, and fetched before their first use.
func New(dir string, opts Options) *Mirrors {
	if opts.MaxAge <= 0 {
		opts.MaxAge = 30 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Mirrors{dir: dir, opts: opts, mirrors: map[string]*mirror{}}
}

// mirror is one URL's bare repository. Everything but remote and path is
// guarded by sem, held by one caller at a time across fetch and read, so
// a reader never sees a fetch half applied.
type mirror struct {
	remote remote
	path   string
	sem    chan struct{}

	repo    *gogit.Repository // nil until the directory exists
	fetched time.Time         // start of the last successful fetch; zero: never in this process
	objects objectIndex
}

func (m *Mirrors) get(rawURL string) (*mirror, error) {
	r, err := parseRemote(rawURL)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mr, ok := m.mirrors[rawURL]
	if !ok {
		mr = &mirror{remote: r, path: filepath.Join(m.dir, dirName(rawURL)), sem: make(chan struct{}, 1)}
		m.mirrors[rawURL] = mr
	}
	return mr, nil
}

// lock takes the mirror, or gives up when ctx ends; callers of other URLs
// are never held up.
func (mr *mirror) lock(ctx context.Context) error {
	select {
	case mr.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the mirror of %s: %w", redact(mr.remote.url), ctx.Err())
	}
}

func (mr *mirror) unlock() { <-mr.sem }

// open opens the mirror's directory if an earlier run left one.
func (mr *mirror) open() error {
	if mr.repo != nil {
		return nil
	}
	repo, err := gogit.PlainOpen(mr.path)
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open mirror %s: %w", mr.path, err)
	}
	rem, err := repo.Remote(remoteName)
	if err != nil || len(rem.Config().URLs) != 1 || rem.Config().URLs[0] != mr.remote.url {
		return fmt.Errorf("open mirror %s: it is not the mirror of %s", mr.path, redact(mr.remote.url))
	}
	mr.repo = repo
	return nil
}

// create makes the bare mirror in a temporary directory and renames it
// into place, so a crash never leaves a half-made mirror under its name.
func (mr *mirror) create() error {
	if err := os.MkdirAll(filepath.Dir(mr.path), 0o755); err != nil {
		return fmt.Errorf("create mirror of %s: %w", redact(mr.remote.url), err)
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	tmp := mr.path + ".tmp-" + hex.EncodeToString(suffix[:])
	err := func() error {
		repo, err := gogit.PlainInit(tmp, true)
		if err != nil {
			return err
		}
		_, err = repo.CreateRemote(&config.RemoteConfig{Name: remoteName, URLs: []string{mr.remote.url}, Fetch: fetchSpecs})
		if err != nil {
			return err
		}
		return os.Rename(tmp, mr.path)
	}()
	if err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("create mirror of %s: %w", redact(mr.remote.url), err)
	}
	repo, err := gogit.PlainOpen(mr.path)
	if err != nil {
		return fmt.Errorf("open new mirror of %s: %w", redact(mr.remote.url), err)
	}
	mr.repo = repo
	return nil
}

func (m *Mirrors) stale(mr *mirror) bool {
	return mr.repo == nil || mr.fetched.IsZero() || m.opts.Now().Sub(mr.fetched) > m.opts.MaxAge
}

// fetch brings the mirror up to date with its remote, within Timeout.
func (m *Mirrors) fetch(ctx context.Context, mr *mirror) error {
	start := m.opts.Now()
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	if err := mr.open(); err != nil {
		return err
	}
	if mr.repo == nil {
		if err := mr.create(); err != nil {
			return err
		}
	}
	var err error
	if mr.remote.local != "" {
		err = fetchLocal(ctx, mr.repo, mr.remote.local)
	} else {
		err = m.fetchRemote(ctx, mr)
	}
	if err != nil {
		// go-git's transport errors do not all unwrap to the context's.
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return fmt.Errorf("fetch %s: %w", redact(mr.remote.url), err)
	}
	mr.fetched = start
	return nil
}

func (m *Mirrors) fetchRemote(ctx context.Context, mr *mirror) error {
	var auth transport.AuthMethod
	if m.opts.Auth != nil {
		a, err := m.opts.Auth(mr.remote.url)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		auth = a
	}
	err := mr.repo.FetchContext(ctx, &gogit.FetchOptions{
		RemoteName: remoteName,
		RemoteURL:  mr.remote.url,
		RefSpecs:   fetchSpecs,
		Auth:       auth,
		Tags:       gogit.NoTags, // the refspecs name the tags themselves
		Force:      true,
		Prune:      true,
	})
	switch {
	case errors.Is(err, gogit.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		// go-git stops before pruning when the remote has no refs at all.
		return setRefs(mr.repo.Storer, nil)
	}
	return err
}

// dotGit reads the mirror's files below go-git's storage: pack indexes
// and loose object names, for abbreviations and short sha1s.
func (mr *mirror) dotGit() *dotgit.DotGit {
	return dotgit.New(osfs.New(mr.path))
}
