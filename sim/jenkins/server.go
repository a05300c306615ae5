package jenkins

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"minka/sim/fault"
)

// Version is what the X-Jenkins header reports.
const Version = "2.462.3"

// Options configure a simulated Jenkins.
type Options struct {
	// User and Token are the basic-auth credentials (default admin / token).
	User, Token string
	// BuildDuration is how long a build runs (default 2s); Result how it
	// ends (default SUCCESS). Both can be set per job.
	BuildDuration time.Duration
	Result        string
	// BuiltInExecutors on the built-in node (default 0, as production
	// controllers run builds on agents only).
	BuiltInExecutors int
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
	// Seed makes injected error rates repeatable.
	Seed int64
	// AnonymousRead lets requests without credentials read (GET), as
	// Jenkins' "Allow anonymous read access"; writes still need the token.
	AnonymousRead bool
}

// Server is a simulated Jenkins controller; it is an http.Handler. Time
// moves lazily: every request first completes builds that are due and
// schedules waiting items, so the simulator owns no goroutine.
type Server struct {
	opts Options
	mu   sync.Mutex
	// root is the URL clients reach it at, learned from requests.
	root      string
	jobs      map[string]*job
	queue     []*queueItem
	items     map[int]*queueItem
	computers map[string]*computer
	// aborted logs builds cut off because their agent was deleted or
	// disconnected while they ran (tests check nothing busy was removed).
	aborted []string
	nextID  int

	// Faults injects latency and failures; also at /__sim/faults.
	Faults  *fault.Injector
	handler http.Handler
}

// New returns a simulated Jenkins.
func New(opts Options) *Server {
	if opts.User == "" {
		opts.User, opts.Token = "admin", "token"
	}
	if opts.BuildDuration == 0 {
		opts.BuildDuration = 2 * time.Second
	}
	if opts.Result == "" {
		opts.Result = "SUCCESS"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, jobs: map[string]*job{}, items: map[int]*queueItem{}, computers: map[string]*computer{}, nextID: 1}
	s.computers["(built-in)"] = &computer{name: "Built-In Node", builtIn: true, executors: make([]*build, opts.BuiltInExecutors)}
	s.Faults = fault.New(opts.Seed)
	s.handler = s.Faults.Wrap(http.HandlerFunc(s.serve))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close releases requests held by a hang fault.
func (s *Server) Close() { s.Faults.Close() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Jenkins", Version)
	if !s.authorized(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.root == "" {
		s.root = "http://" + r.Host
	}
	s.advance()
	s.route(w, r)
}

// authorized checks basic auth with the API token. Anonymous requests get
// 403 and wrong credentials 401, as a secured Jenkins answers.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	user, token, ok := r.BasicAuth()
	switch {
	case !ok && s.opts.AnonymousRead && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return true
	case !ok:
		http.Error(w, "Authentication required", http.StatusForbidden)
		return false
	case subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.User)) != 1 ||
		subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.Token)) != 1:
		w.Header().Set("WWW-Authenticate", `Basic realm="Jenkins"`)
		http.Error(w, "Invalid password/token for user: "+user, http.StatusUnauthorized)
		return false
	}
	return true
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	// Jetty collapses empty segments: gojenkins asks for /job/x//1/api/json.
	p := path.Clean(r.URL.Path)
	if p == "/" {
		p = ""
	}
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case get && (p == "/api/json" || p == ""):
		writeJSON(w, s.rootJSON())
	case get && p == "/crumbIssuer/api/json":
		writeJSON(w, map[string]any{"_class": "hudson.security.csrf.DefaultCrumbIssuer",
			"crumb": "4d6f2a0b8c1e9f3a7b5d2c6e8f0a1b3c", "crumbRequestField": "Jenkins-Crumb"})
	case get && p == "/queue/api/json":
		writeJSON(w, s.queueJSON())
	case strings.HasPrefix(p, "/queue/item/"):
		s.serveQueueItem(w, r, strings.TrimPrefix(p, "/queue/item/"))
	case post && p == "/queue/cancelItem":
		// Jenkins answers a redirect to the queue whether or not the id exists.
		if id, err := strconv.Atoi(r.URL.Query().Get("id")); err == nil && s.items[id] != nil {
			s.cancel(s.items[id])
		}
		http.Redirect(w, r, s.root+"/queue/", http.StatusFound)
	case post && p == "/createItem":
		s.createItem(w, r)
	case strings.HasPrefix(p, "/job/"):
		s.serveJob(w, r, strings.TrimPrefix(p, "/job/"))
	case get && p == "/computer/api/json":
		writeJSON(w, s.computersJSON())
	case p == "/computer" && get:
		w.WriteHeader(http.StatusOK) // the page redirects land on
	case post && p == "/computer/doCreateItem":
		s.createNode(w, r)
	case strings.HasPrefix(p, "/computer/"):
		s.serveComputer(w, r, strings.TrimPrefix(p, "/computer/"))
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) rootJSON() map[string]any {
	var jobs []map[string]any
	for _, name := range sortedKeys(s.jobs) {
		jobs = append(jobs, s.jobRef(s.jobs[name]))
	}
	if jobs == nil {
		jobs = []map[string]any{}
	}
	return map[string]any{"_class": "hudson.model.Hudson", "assignedLabels": []map[string]any{{"name": "built-in"}},
		"mode": "NORMAL", "nodeDescription": "the Jenkins controller's built-in node", "nodeName": "",
		"numExecutors": s.opts.BuiltInExecutors, "description": nil, "jobs": jobs, "quietingDown": false,
		"slaveAgentPort": 50000, "useCrumbs": true, "useSecurity": true, "url": s.root + "/"}
}

func (s *Server) jobRef(j *job) map[string]any {
	return map[string]any{"_class": "hudson.model.FreeStyleProject", "name": j.name, "url": s.root + "/job/" + j.name + "/", "color": j.color()}
}

func fail(w http.ResponseWriter, code int, format string, args ...any) {
	http.Error(w, fmt.Sprintf(format, args...), code)
}
