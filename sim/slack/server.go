package slack

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"minka/sim/fault"
)

// Options configure a Server.
type Options struct {
	// Now is the clock of rate limits and receive times (default time.Now).
	Now func() time.Time
	// Seed fixes the generated hook ids and the fault injector's draws.
	Seed int64
	// RateLimit applies to every hook registered without WithRateLimit;
	// zero is unlimited.
	RateLimit RateLimit
	// FaultRetryAfter is the Retry-After of the RateLimited fault
	// (default 1s, rounded up to whole seconds).
	FaultRetryAfter time.Duration
	// NoTextError is Slack's body for a payload without text (default
	// "no_text"; hooks.slack.com also answers
	// "missing_text_or_fallback_or_attachments").
	NoTextError string
}

// RateLimit lets Burst messages through at once, then one per Interval.
// A zero Burst or Interval is unlimited.
type RateLimit struct {
	Burst    int
	Interval time.Duration
}

// Failures of Faults beyond sim/fault's built-ins.
const (
	// RateLimited answers the hook kind's 429 (Slack: "rate_limited",
	// Retry-After Options.FaultRetryAfter).
	RateLimited = "rate-limited"
	// RollupError answers Slack's 500 "rollup_error" ("something strange
	// and unusual happened"), the kind's 500 elsewhere.
	RollupError = "rollup-error"
)

// Server is the receiver of every registered hook; it is an
// http.Handler. Close releases requests held by a hang fault.
type Server struct {
	opts Options
	// Faults injects latency and failures into hook requests; it is also
	// at /__sim/faults.
	Faults  *fault.Injector
	handler http.Handler

	mu       sync.Mutex
	rng      *rand.Rand
	hooks    map[string]*hook // by path
	messages []Message
	attempts []*Attempt
}

// hook is one registered webhook.
type hook struct {
	route    route
	channels map[string]bool // nil: any channel
	limit    *limiter        // nil: unlimited
}

// HookOption configures one hook.
type HookOption func(*hook)

// WithRateLimit limits the hook (overriding Options.RateLimit); a zero
// RateLimit makes it unlimited.
func WithRateLimit(rl RateLimit) HookOption {
	return func(h *hook) { h.limit = newLimiter(rl) }
}

// WithChannels makes the hook refuse a payload channel other than these
// (a leading "#" is ignored on both sides).
func WithChannels(names ...string) HookOption {
	return func(h *hook) {
		h.channels = map[string]bool{}
		for _, n := range names {
			h.channels[strings.TrimPrefix(n, "#")] = true
		}
	}
}

// New returns a server without hooks.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FaultRetryAfter <= 0 {
		opts.FaultRetryAfter = time.Second
	}
	if opts.NoTextError == "" {
		opts.NoTextError = "no_text"
	}
	s := &Server{
		opts: opts, Faults: fault.New(opts.Seed), hooks: map[string]*hook{},
		rng: rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)),
	}
	s.Faults.Define(RateLimited, func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, routeOrSlack(r), rateLimited, opts.FaultRetryAfter, nil)
	})
	s.Faults.Define(RollupError, func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, routeOrSlack(r), internal, 0, nil)
	})
	s.handler = s.Faults.Wrap(http.HandlerFunc(s.serveHook))
	return s
}

// routeOrSlack is r's hook route, or a Slack one when the path is none
// (a fault answers every path).
func routeOrSlack(r *http.Request) route {
	if rt, ok := parseRoute(r.URL.Path); ok {
		return rt
	}
	return route{kind: Slack, path: r.URL.Path}
}

// AddHook registers the hook at path ("/services/T1/B1/tok",
// "/hooks/abc", "/hooks/id/token") and returns its path; registering a
// path again replaces its options and its rate limit's state. A path of
// none of the three shapes is a programming error: it panics.
func (s *Server) AddHook(path string, opts ...HookOption) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	rt, ok := parseRoute(path)
	if !ok {
		panic("slack: " + path + " is not a Slack, Mattermost or Rocket.Chat hook path")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(rt, opts)
	return path
}

// NewHook registers a hook of kind at a random path of the real shape
// and returns the path.
func (s *Server) NewHook(kind Kind, opts ...HookOption) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.newPath(kind)
	rt, _ := parseRoute(path)
	s.add(rt, opts)
	return path
}

func (s *Server) add(rt route, opts []HookOption) {
	h := &hook{route: rt, limit: newLimiter(s.opts.RateLimit)}
	for _, o := range opts {
		o(h)
	}
	s.hooks[rt.path] = h
}

// RemoveHook unregisters path, as deleting the webhook does; it reports
// whether it was registered.
func (s *Server) RemoveHook(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.hooks[path]
	delete(s.hooks, path)
	return ok
}

// ServeHTTP serves the hooks behind the fault injector, and the /__sim/
// inspection routes beside it (never faulted, never counted).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/__sim/messages":
		s.serveMessages(w, r)
	case p == "/__sim/attempts":
		s.serveAttempts(w, r)
	case p == "/__sim/faults":
		s.handler.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/__sim/"):
		http.NotFound(w, r)
	default:
		s.handler.ServeHTTP(s.attempt(w, r), r)
	}
}

// Close releases requests held by a hang fault.
func (s *Server) Close() { s.Faults.Close() }
