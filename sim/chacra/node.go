package chacra

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"minka/sim/fault"
)

// Options configure one chacra node. Zero durations take the sandbox's
// fast defaults; chacra's own defaults are in comments.
type Options struct {
	// Name is the node's name (its chacra hostname setting).
	Name string
	// URL is the node's base URL ("http://127.0.0.1:8443"), used in
	// chacra_url, url and the repo files; chacra writes https://{hostname}.
	URL string
	// User and Key are the basic-auth credentials of writes (api_user,
	// api_key); empty means "admin" and "secret".
	User, Key string
	// CallbackURL is shaman's repos endpoint ("http://shaman/api/repos");
	// empty sends no callbacks. CallbackUser and CallbackKey authenticate
	// them.
	CallbackURL               string
	CallbackUser, CallbackKey string
	// HealthPingURL is shaman's nodes endpoint ("http://shaman/api/nodes"):
	// at start, a healthy node POSTs {} to {HealthPingURL}/{Name}/ with
	// the callback credentials (chacra's post_if_healthy). Empty: none.
	HealthPingURL string
	// CallbackRetryDelay separates the retries of a failed callback
	// (chacra: 30s; default 20ms). Negative disables retries.
	CallbackRetryDelay time.Duration
	// PollInterval is the polling cycle (chacra: polling_cycle, 20s;
	// default 10ms); QuietTime the countdown between queueing a repo and
	// building it (chacra: quiet_time, 30s; default 10ms); BuildTime how
	// long a build takes (default 10ms).
	PollInterval, QuietTime, BuildTime time.Duration
	// Now is the clock (default time.Now); it only stamps dates.
	Now func() time.Time
	// Seed fixes the fault injector's random draws.
	Seed int64
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.CallbackRetryDelay, 20*time.Millisecond)
	def(&o.PollInterval, 10*time.Millisecond)
	def(&o.QuietTime, 10*time.Millisecond)
	def(&o.BuildTime, 10*time.Millisecond)
	if o.User == "" && o.Key == "" {
		o.User, o.Key = "admin", "secret"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Name == "" {
		o.Name = "chacra"
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
	o.CallbackURL = strings.TrimSuffix(o.CallbackURL, "/")
	o.HealthPingURL = strings.TrimSuffix(o.HealthPingURL, "/")
}

// Crash is the fault failure of chacra's unhandled exceptions: wsgiref's
// text/plain 500 "A server error occurred.".
const Crash = "chacra-crash"

// Node is one chacra server; it is an http.Handler. Close stops its
// polling loop, builds and callbacks.
type Node struct {
	opts Options
	// Faults injects latency and failures into every request.
	Faults  *fault.Injector
	handler http.Handler

	mu          sync.Mutex
	binaries    []*binary // upload order
	repos       map[repoKey]*repo
	seq         int
	down        bool
	failHealth  bool
	hangAll     bool
	hang        map[string]bool // repo URIs whose builds hang
	updateCalls map[string]int
	builds      map[string]int
	closed      bool
	stop        chan struct{}
	wg          sync.WaitGroup
	cb          *sender
}

// New returns a running node (its polling loop started).
func New(opts Options) *Node {
	opts.defaults()
	n := &Node{
		opts: opts, Faults: fault.New(opts.Seed),
		repos: map[repoKey]*repo{}, hang: map[string]bool{},
		updateCalls: map[string]int{}, builds: map[string]int{},
		stop: make(chan struct{}),
	}
	n.cb = newSender(n)
	n.Faults.Define(Crash, func(w http.ResponseWriter, _ *http.Request) { serverCrash(w) })
	n.handler = n.Faults.Wrap(http.HandlerFunc(n.route))
	n.wg.Add(1)
	go n.pollLoop()
	n.PingShaman()
	return n
}

// ServeHTTP answers one request; a node marked down closes the
// connection without an answer, as a dead host's proxy does.
func (n *Node) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	down := n.down
	n.mu.Unlock()
	if down {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		http.Error(w, "503 Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	n.handler.ServeHTTP(w, r)
}

// Close stops the polling loop, pending builds and callbacks, and
// releases requests held by a hang fault. It waits for them to end.
func (n *Node) Close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	close(n.stop)
	n.mu.Unlock()
	n.cb.cancel()
	n.Faults.Close()
	n.wg.Wait()
	n.cb.client.CloseIdleConnections()
}

// PingShaman sends the health ping a starting chacra sends, if the node
// is healthy and HealthPingURL is set (call it to model a restart).
func (n *Node) PingShaman() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.opts.HealthPingURL != "" && !n.failHealth && !n.closed {
		n.cb.push(n.opts.HealthPingURL+"/"+n.opts.Name+"/", map[string]any{})
	}
}

// SetShaman points the node's callbacks and health pings at a shaman
// that starts after the node (minka dev knows its URL only then), as
// editing chacra's callback_url and health_ping_url and restarting it
// would. Empty URLs turn them off.
func (n *Node) SetShaman(callbackURL, healthPingURL, user, key string) {
	n.set(func() {
		n.opts.CallbackURL = strings.TrimSuffix(callbackURL, "/")
		n.opts.HealthPingURL = strings.TrimSuffix(healthPingURL, "/")
		n.opts.CallbackUser, n.opts.CallbackKey = user, key
	})
}

// Name is the node's name; URL its base URL.
func (n *Node) Name() string { return n.opts.Name }
func (n *Node) URL() string  { return n.opts.URL }

// MarkDown makes the node close every connection unanswered (true) or
// serve again (false).
func (n *Node) MarkDown(down bool) { n.set(func() { n.down = down }) }

// FailHealth makes GET /health/ answer 500 (chacra's checks failing).
func (n *Node) FailHealth(fail bool) { n.set(func() { n.failHealth = fail }) }

// HangBuilds makes every build that starts from now on stay in
// is_updating forever (false lets later builds finish again).
func (n *Node) HangBuilds(hang bool) { n.set(func() { n.hangAll = hang }) }

// HangRepo does the same for one repo, named by its URI
// ("project/ref/sha1/distro/version/flavors/flavor").
func (n *Node) HangRepo(uri string, hang bool) { n.set(func() { n.hang[uri] = hang }) }

// UpdateCalls counts the POSTs to a repo's update and recreate.
func (n *Node) UpdateCalls(uri string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.updateCalls[uri]
}

// Builds counts the builds started for a repo.
func (n *Node) Builds(uri string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.builds[uri]
}

func (n *Node) set(f func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f()
}

// repoFor returns the repo of k, creating it (needing an update) when
// absent. Called with n.mu held.
func (n *Node) repoFor(k repoKey, typ string) *repo {
	r := n.repos[k]
	if r == nil {
		n.seq++
		r = &repo{Key: k, Type: typ, Extra: map[string]any{}, seq: n.seq}
		n.repos[k] = r
	}
	if r.Type == "" {
		r.Type = typ
	}
	return r
}

// archs lists the archs of a repo's binaries, in upload order.
// Called with n.mu held.
func (n *Node) archs(rp *repo) []string {
	var out []string
	for _, b := range n.binaries {
		if b.repo == rp && !contains(out, b.Arch) {
			out = append(out, b.Arch)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
