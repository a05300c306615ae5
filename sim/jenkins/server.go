package jenkins

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"minka/sim/fault"
	"minka/sim/reqcount"
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
	// Password, if set, also authenticates User with basic auth; such
	// requests, unlike API token ones, need a CSRF crumb to POST.
	Password string
	// RestartDuration is how long a restart takes (restart.go): every
	// request meanwhile gets the 503 "Jenkins is restarting" page.
	// Default 0: the restart is instant.
	RestartDuration time.Duration
}

// Server is a simulated Jenkins controller; it is an http.Handler. Time
// moves lazily: every request first completes builds that are due and
// schedules waiting items, so the simulator owns no goroutine but the
// uploads of builds to chacra (upload.go), which Close waits for.
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
	// sessions are the HTTP sessions handed out with crumbs.
	sessions  map[string]bool
	crumbSalt string

	// jvmSession is X-Jenkins-Session: Jenkins.SESSION_HASH, made anew by
	// every start of the JVM, so a restart changes it.
	jvmSession string
	// resultRules are SetResultFor's, by job ("" = every job).
	resultRules map[string][]resultRule
	// requests are the build requests received (requests.go).
	requests []BuildRequest
	// restartUntil ends the current restart; quietDown holds builds back
	// (a safe restart waiting for the running ones, with its message).
	restartUntil time.Time
	quietDown    bool
	safeRestart  bool
	quietReason  string
	// jobUploads, uploads, and what runs them (upload.go).
	jobUploads map[string]Upload
	uploads    []UploadRecord
	client     *http.Client
	ctx        context.Context
	stop       context.CancelFunc // ends ctx, at Close
	wg         sync.WaitGroup
	closed     bool

	// Faults injects latency and failures; also at /__sim/faults.
	Faults  *fault.Injector
	handler http.Handler
	// Requests counts the requests served, by method and path.
	Requests reqcount.Counter
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
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	s := &Server{opts: opts, jobs: map[string]*job{}, items: map[int]*queueItem{}, computers: map[string]*computer{}, nextID: 1,
		sessions: map[string]bool{}, jvmSession: sessionHash, crumbSalt: hex.EncodeToString(salt), resultRules: map[string][]resultRule{},
		jobUploads: map[string]Upload{}, client: &http.Client{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.computers["(built-in)"] = &computer{name: "Built-In Node", builtIn: true, executors: make([]*build, opts.BuiltInExecutors)}
	s.Faults = fault.New(opts.Seed)
	s.handler = s.Requests.Wrap(s.Faults.Wrap(http.HandlerFunc(s.serve)))
	return s
}

// ServeHTTP implements http.Handler; /__sim/restart is served beside
// sim/fault's /__sim/faults, before any fault.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/__sim/restart" {
		s.simRestart(w, r)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// Close releases requests held by a hang fault, cancels the uploads under
// way and waits for them to end.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
	s.Faults.Close()
	s.wg.Wait()
	s.client.CloseIdleConnections()
}

// serve is the filter chain, then Stapler. Every answer advertises the
// version (Functions.advertiseHeaders: X-Jenkins, X-Jenkins-Session,
// X-Hudson), which real Jenkins does on its pages, the API and the 403
// entry point; the simulator does it on every answer so that version
// discovery works at any URL.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	toks, canon, slash, err := tokenize(r.URL.EscapedPath())
	req := s.buildRequestOf(r, toks)
	if req != nil {
		sw := &statusWriter{ResponseWriter: w}
		w = sw
		defer s.recordBuildRequest(req, sw) // after s.mu is released below
	}
	if s.restarting() {
		restartingPage(w)
		return
	}
	h := w.Header()
	h.Set("X-Hudson", "1.395")
	h.Set("X-Jenkins", Version)
	h.Set("X-Jenkins-Session", s.sessionID())
	id, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.root == "" {
		s.root = "http://" + r.Host
	}
	if r.Method == http.MethodPost && !id.apiToken && !s.validCrumb(r, id.name) {
		jettyError(w, r, http.StatusForbidden, "No valid crumb was included in the request")
		return
	}
	c := &call{s: s, w: w, r: r, toks: toks, slash: slash, path: canon, user: id.name, req: req}
	if err != nil { // TokenList: IllegalArgumentException
		c.oops()
		return
	}
	if id.name == anonymous && !s.readable(c) {
		perm := "hudson.model.Hudson.Read"
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			perm = "" // the write's own permission, which the simulator does not model
		}
		loginRequired(w, r, perm)
		return
	}
	s.advance()
	s.rootObj(c)
}
