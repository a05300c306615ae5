package git

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
)

// ErrExists is returned when a repository, branch or tag to be created
// is already there.
var ErrExists = errors.New("already exists")

// Options configure a Server.
type Options struct {
	// Now stamps commits and tags (default time.Now); a fixed clock makes
	// every sha1 repeatable.
	Now func() time.Time
}

// Server holds named bare repositories under one directory and serves
// them read-only over git's smart HTTP protocol.
type Server struct {
	dir string
	now func() time.Time

	mu    sync.Mutex
	repos map[string]*Repo
}

// New returns a server keeping its repositories under dir, which it
// creates if needed on the first Create.
func New(dir string, opts Options) *Server {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Server{dir: dir, now: now, repos: map[string]*Repo{}}
}

// nameRE is what a repository may be called: slash-separated segments
// that cannot climb out of the server's directory or hide as dot files.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$`)

func validName(name string) bool {
	return nameRE.MatchString(name) && !strings.Contains(name, "..") && !strings.HasSuffix(name, ".git")
}

// Create makes an empty bare repository NAME (served as /NAME.git).
func (s *Server) Create(name string) (*Repo, error) {
	if !validName(name) {
		return nil, fmt.Errorf("create repository %q: invalid name", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.repos[name]; ok {
		return nil, fmt.Errorf("create repository %s: %w", name, ErrExists)
	}
	path := filepath.Join(s.dir, filepath.FromSlash(name)+".git")
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("create repository %s: %s: %w", name, path, ErrExists)
	}
	repo, err := gogit.PlainInit(path, true)
	if err != nil {
		return nil, fmt.Errorf("create repository %s: %w", name, err)
	}
	r := &Repo{name: name, path: path, now: s.now, repo: repo}
	s.repos[name] = r
	return r, nil
}

// Repo returns the repository called name.
func (s *Server) Repo(name string) (*Repo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[name]
	return r, ok
}

// The smart HTTP protocol's endpoints under /NAME.git
// (git's Documentation/technical/http-protocol.txt).
const (
	infoRefs    = "/info/refs"
	uploadPack  = "/git-upload-pack"
	receivePack = "/git-receive-pack"

	uploadPackService  = "git-upload-pack"
	receivePackService = "git-receive-pack"
)

// ServeHTTP answers GET /NAME.git/info/refs?service=git-upload-pack and
// POST /NAME.git/git-upload-pack; a push is refused with 403, an unknown
// repository is 404. The .git suffix may be left out, as hosting
// services allow.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, endpoint, ok := splitPath(r.URL.Path)
	if !ok {
		textError(w, http.StatusNotFound, "not found")
		return
	}
	repo, ok := s.Repo(name)
	if !ok {
		textError(w, http.StatusNotFound, fmt.Sprintf("repository %q not found", name))
		return
	}
	switch endpoint {
	case infoRefs:
		s.serveInfoRefs(w, r, repo)
	case uploadPack:
		if r.Method != http.MethodPost {
			methodNotAllowed(w, http.MethodPost)
			return
		}
		s.serveUploadPack(w, r, repo)
	case receivePack:
		refusePush(w)
	}
}

func (s *Server) serveInfoRefs(w http.ResponseWriter, r *http.Request, repo *Repo) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, http.MethodGet+", "+http.MethodHead)
		return
	}
	switch r.URL.Query().Get("service") {
	case uploadPackService:
		s.advertise(w, r, repo)
	case receivePackService:
		refusePush(w)
	default:
		// The dumb protocol would serve the repository's files as they
		// are; git-http-backend refuses it the same way when it is off.
		textError(w, http.StatusForbidden, "only git's smart HTTP protocol is served: ask for ?service=git-upload-pack")
	}
}

// splitPath cuts /NAME.git/info/refs (or /NAME/info/refs) into the name
// and the endpoint.
func splitPath(p string) (name, endpoint string, ok bool) {
	for _, e := range []string{infoRefs, uploadPack, receivePack} {
		if rest, found := strings.CutSuffix(p, e); found {
			name = strings.TrimSuffix(strings.TrimPrefix(rest, "/"), ".git")
			return name, e, validName(name)
		}
	}
	return "", "", false
}

// refusePush answers a push: git shows a text/plain body to its user as
// "remote: ..." lines, so the reason reaches them.
func refusePush(w http.ResponseWriter) {
	textError(w, http.StatusForbidden, "pushing is not allowed: the sandbox's git server is read-only over HTTP")
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	textError(w, http.StatusMethodNotAllowed, "method not allowed")
}

func textError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	noCache(w.Header())
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

// noCache sets the headers git-http-backend sends on every dynamic
// answer (http-backend.c hdr_nocache).
func noCache(h http.Header) {
	h.Set("Expires", "Fri, 01 Jan 1980 00:00:00 GMT")
	h.Set("Pragma", "no-cache")
	h.Set("Cache-Control", "no-cache, max-age=0, must-revalidate")
}
