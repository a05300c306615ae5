package shaman

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/repoquery"
	"minka/backend/chacra"
	"minka/store"
	"minka/store/watchcache"
)

// Prefix is where the server mounts the handler: SHAMAN_URL is
// http://host:port/shaman.
const Prefix = "/shaman"

// DefaultMaxBodyBytes bounds a request body.
const DefaultMaxBodyBytes = 1 << 20

// Options are New's inputs.
type Options struct {
	Config Config
	Store  *store.Store
	Cache  *watchcache.Cache
	Pool   *chacra.Pool
	// ReadGuard is the API server's Protected chain, applied to reads
	// when Config.ReadAuth (nil: reads open).
	ReadGuard    func(http.Handler) http.Handler
	MaxBodyBytes int64
	Registry     prometheus.Registerer
	Log          logr.Logger
	Now          func() time.Time
}

// Handler serves shaman's API under Prefix.
type Handler struct {
	cfg     Config
	st      *store.Store
	cache   *watchcache.Cache
	pool    *chacra.Pool
	user    string
	key     string
	maxBody int64
	log     logr.Logger
	now     func() time.Time
	metrics *metrics

	reads http.Handler // the read routes, behind ReadGuard when asked

	idx   *repoquery.Index
	ready atomic.Bool
	// idxMu orders index writes from the watch and from our own writes,
	// so that an older version never replaces a newer one.
	idxMu sync.Mutex
	rvs   map[string]int64
}

// New builds the handler; Run fills its index.
func New(o Options) (*Handler, error) {
	o.Config.defaults()
	if o.Store == nil || o.Cache == nil || o.Pool == nil {
		return nil, errors.New("shaman: Store, Cache and Pool are required")
	}
	key, err := o.Config.Key.Value()
	if err != nil {
		return nil, fmt.Errorf("shaman: key: %w", err)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m, err := newMetrics(o.Registry)
	if err != nil {
		return nil, fmt.Errorf("shaman: metrics: %w", err)
	}
	h := &Handler{cfg: o.Config, st: o.Store, cache: o.Cache, pool: o.Pool, user: o.Config.User, key: key,
		maxBody: o.MaxBodyBytes, log: o.Log, now: o.Now, metrics: m, idx: repoquery.NewIndex(), rvs: map[string]int64{}}
	var reads http.Handler = http.HandlerFunc(h.serveRead)
	if o.Config.ReadAuth && o.ReadGuard != nil {
		reads = o.ReadGuard(reads)
	}
	h.reads = reads
	return h, nil
}

// Index is the Repo index the handler serves from (for the CLI's server
// side and for tests); callers must not modify its Repos.
func (h *Handler) Index() *repoquery.Index { return h.idx }

// Ready reports whether the index holds its first list.
func (h *Handler) Ready() bool { return h.ready.Load() }

// statusWriter records the code for the metrics.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// ServeHTTP serves the tree under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	ep := endpoint(r)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.Error(fmt.Errorf("panic: %v", v), "shaman handler panicked", "method", r.Method, "path", r.URL.Path)
			if sw.code == 0 {
				fail(sw, r, http.StatusInternalServerError, fmt.Sprintf("internal error serving %s %s: %v", r.Method, r.URL.Path, v))
			}
		}
		h.metrics.requests.WithLabelValues(ep, fmt.Sprint(sw.code)).Inc()
	}()
	p := strings.TrimPrefix(r.URL.Path, Prefix)
	if p == "" {
		p = "/"
	}
	switch {
	case p == "/_health/" || p == "/health/" || p == "/_health" || p == "/health":
		// shaman's route is /_health/: 204 empty when healthy.
		sw.WriteHeader(http.StatusNoContent)
		return
	case r.Method == http.MethodPost:
		h.serveWrite(sw, r, p)
		return
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		if p == "/api/nodes/next/" || p == "/api/nodes/next" {
			// next is a GET behind basic auth: shaman's.
			if h.authorized(sw, r) {
				h.next(sw, r)
			}
			return
		}
		h.reads.ServeHTTP(sw, r)
		return
	}
	fail(sw, r, http.StatusMethodNotAllowed, "")
}

// endpoint is the metrics label of a request: its route, not its path.
func endpoint(r *http.Request) string {
	p := strings.Trim(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	parts := strings.Split(p, "/")
	if len(parts) < 2 || parts[0] != "api" {
		return p
	}
	switch parts[1] {
	case "nodes":
		if len(parts) > 2 && parts[2] == "next" {
			return "nodes/next"
		}
		if len(parts) > 2 {
			return "nodes/host"
		}
		return "nodes"
	case "repos", "builds":
		if r.Method == http.MethodPost {
			return parts[1] + "/callback"
		}
		return parts[1]
	}
	return parts[1]
}

// authorized checks shaman's basic auth (constant time), answering 401
// as shaman does when it fails.
func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	u, k, ok := r.BasicAuth()
	uok := subtle.ConstantTimeCompare([]byte(u), []byte(h.user)) == 1
	kok := subtle.ConstantTimeCompare([]byte(k), []byte(h.key)) == 1
	if ok && uok && kok && h.user != "" && h.key != "" {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Shaman :: API"`)
	fail(w, r, http.StatusUnauthorized, "")
	return false
}

// notReady answers 503 with Retry-After until the index holds its first
// list.
func (h *Handler) notReady(w http.ResponseWriter, r *http.Request) bool {
	if h.ready.Load() {
		return false
	}
	w.Header().Set("Retry-After", "1")
	fail(w, r, http.StatusServiceUnavailable, "the shaman endpoints are loading the Repos; retry shortly")
	return true
}

// canonical redirects a GET without its trailing slash to the path with
// one, as pecan does for index routes; true when it answered.
func canonical(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasSuffix(r.URL.Path, "/") {
		return false
	}
	to := r.URL.Path + "/"
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	redirect(w, to)
	return true
}

// segments splits p ("/api/repos/a/b/") into its parts after the first n.
func segments(p string, n int) []string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) <= n {
		return nil
	}
	return parts[n:]
}

func (h *Handler) serveRead(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, Prefix)
	switch {
	case p == "/api/" || p == "/api":
		if canonical(w, r) || h.notReady(w, r) {
			return
		}
		h.apiIndex(w, r)
	case strings.HasPrefix(p, "/api/nodes"):
		if canonical(w, r) {
			return
		}
		h.nodesGet(w, r, segments(p, 2))
	case strings.HasPrefix(p, "/api/repos"):
		if h.notReady(w, r) {
			return
		}
		h.reposGet(w, r, segments(p, 2))
	case strings.HasPrefix(p, "/api/search"):
		if canonical(w, r) || h.notReady(w, r) {
			return
		}
		h.search(w, r)
	case strings.HasPrefix(p, "/api/builds"):
		if canonical(w, r) || h.notReady(w, r) {
			return
		}
		h.buildsGet(w, r, segments(p, 2))
	default:
		fail(w, r, http.StatusNotFound, "")
	}
}

func (h *Handler) serveWrite(w http.ResponseWriter, r *http.Request, p string) {
	parts := segments(p, 0)
	if len(parts) != 3 || parts[0] != "api" || (parts[1] != "repos" && parts[1] != "builds" && parts[1] != "nodes") {
		fail(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	if !h.authorized(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
	switch parts[1] {
	case "nodes":
		h.register(w, r, parts[2])
	case "repos":
		if h.notReady(w, r) {
			return
		}
		h.callback(w, r, parts[2])
	case "builds":
		if h.notReady(w, r) {
			return
		}
		h.buildReport(w, r, parts[2])
	}
}

func (h *Handler) apiIndex(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string][]string{"repos": h.projects(false)})
}

// projects lists the projects of the index (with builds only: those
// that have build reports).
func (h *Handler) projects(builds bool) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, rp := range h.idx.All() {
		if builds && len(rp.Status.CIBuilds) == 0 {
			continue
		}
		if !seen[rp.Spec.Project] {
			seen[rp.Spec.Project] = true
			out = append(out, rp.Spec.Project)
		}
	}
	sort.Strings(out)
	return out
}
