// Package chacra is a chacra backend's nodes, as the Repo controller and
// the shaman endpoints both see them: the nodes of the server config and
// those that registered or called back, each health-checked in the
// background (GET /health/ every HealthInterval), and the least recently
// used healthy one handed out by Next.
//
// shaman checks a node only when it hands it out, counts 3 failed checks
// as down and never re-admits it until the node registers again. Here a
// node is skipped from its first failed check, and taken back by the
// first check that passes, so that a node that recovers comes back by
// itself within one interval; DownCount still counts the failures in a
// row, as shaman's down_count does.
package chacra

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"minka/backend"
	"minka/backend/transport"
)

// Node is one node as last observed.
type Node struct {
	Name string
	// URL is the node's base URL, without a trailing slash.
	URL string
	// Configured is true for the nodes of the server config (the others
	// registered or called back).
	Configured bool
	Healthy    bool
	// DownCount is the checks failed in a row.
	DownCount int
	LastCheck time.Time
	LastUsed  time.Time
	// LastError is why the last failed check failed.
	LastError string
}

// ErrNoHealthyNode is Next's answer when every node is down.
var ErrNoHealthyNode = errors.New("no healthy chacra node")

// Pool is one chacra backend's nodes.
type Pool struct {
	name     string
	user     string
	key      string
	scheme   string
	interval time.Duration
	client   *http.Client
	metrics  *Metrics
	log      logr.Logger

	mu    sync.Mutex
	nodes map[string]*Node
	wake  chan struct{}
	subs  map[int]func(Node)
	seq   int
}

// Subscribe calls f (outside the pool's lock, from the checking
// goroutine) with a node whose health flips, until cancel is called: the
// Repo controller retries the Repos of a node the moment it recovers.
func (p *Pool) Subscribe(f func(Node)) (cancel func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.subs == nil {
		p.subs = map[int]func(Node){}
	}
	p.seq++
	id := p.seq
	p.subs[id] = f
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.subs, id)
	}
}

// Options configure a Pool.
type Options struct {
	// Transport metrics shared by every backend client (nil: none).
	BackendMetrics *transport.Metrics
	// Metrics are the node health metrics (nil: none).
	Metrics *Metrics
	Log     logr.Logger
}

// NewPool builds the pool of cfg; its secret is read now. Run checks the
// nodes; until its first round every configured node counts as healthy.
func NewPool(cfg backend.Chacra, o Options) (*Pool, error) {
	key, err := cfg.Key.Value()
	if err != nil {
		return nil, fmt.Errorf("chacra %s: key: %w", cfg.Name, err)
	}
	tr := transport.New(transport.Options{Backend: "chacra", Name: cfg.Name, Timeout: backend.RequestTimeout(cfg.Timeout), Metrics: o.BackendMetrics})
	p := &Pool{name: cfg.Name, user: cfg.User, key: key, scheme: cfg.RegisterScheme, interval: cfg.HealthInterval.Duration,
		client: tr.Client(), metrics: o.Metrics, log: o.Log, nodes: map[string]*Node{}, wake: make(chan struct{}, 1)}
	if p.scheme == "" {
		p.scheme = "https"
	}
	if p.interval <= 0 {
		p.interval = backend.DefaultHealthInterval
	}
	for _, n := range cfg.Nodes {
		name := n.NodeName()
		p.nodes[name] = &Node{Name: name, URL: strings.TrimSuffix(n.URL, "/"), Configured: true, Healthy: true}
	}
	return p, nil
}

// Name is the backend's name.
func (p *Pool) Name() string { return p.name }

// Interval is the health check interval.
func (p *Pool) Interval() time.Duration { return p.interval }

// Client is the HTTP client of requests to the nodes (the backend's
// deadline and metrics); Credentials are chacra's api_user and api_key.
func (p *Pool) Client() *http.Client            { return p.client }
func (p *Pool) Credentials() (user, key string) { return p.user, p.key }

// Run checks every node each interval until ctx ends; Register and Learn
// wake it for a new node at once.
func (p *Pool) Run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.CheckAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.wake:
		}
	}
}

// CheckAll checks every node once, concurrently, and returns when all
// checks are done.
func (p *Pool) CheckAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, n := range p.Nodes() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.Check(ctx, n.Name)
		}()
	}
	wg.Wait()
}

// Check runs one health check of the node and records its result.
func (p *Pool) Check(ctx context.Context, name string) error {
	n, ok := p.Node(name)
	if !ok {
		return fmt.Errorf("chacra %s: no node %q", p.name, name)
	}
	err := p.health(ctx, n.URL)
	p.mu.Lock()
	cur := p.nodes[name]
	if cur == nil {
		p.mu.Unlock()
		return err
	}
	cur.LastCheck = time.Now()
	was := cur.Healthy
	if err != nil {
		cur.Healthy, cur.LastError = false, err.Error()
		cur.DownCount++
	} else {
		cur.Healthy, cur.LastError, cur.DownCount = true, "", 0
	}
	p.metrics.observe(p.name, cur, err == nil)
	var notify []func(Node)
	if was != cur.Healthy {
		p.log.Info("chacra node health changed", "backend", p.name, "node", name, "healthy", cur.Healthy, "error", cur.LastError)
		for _, f := range p.subs {
			notify = append(notify, f)
		}
	}
	snap := *cur
	p.mu.Unlock()
	for _, f := range notify {
		f(snap)
	}
	return err
}

func (p *Pool) health(ctx context.Context, base string) error {
	ctx = transport.WithOperation(ctx, "health")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health/", nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s/health/: %w", base, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s/health/: %s", base, resp.Status)
	}
	return nil
}

// Next hands out the least recently used healthy node (ties by name)
// after a live health check, as shaman's /api/nodes/next/ does; a node
// that fails it is marked down and the next one tried. A node is marked
// used as it is picked, under the same lock, so that concurrent callers
// (the shaman endpoint, the Repo controller) get different nodes.
func (p *Pool) Next(ctx context.Context) (Node, error) {
	tried := map[string]bool{}
	for {
		n, ok := p.pick(tried)
		if !ok {
			return Node{}, ErrNoHealthyNode
		}
		tried[n.Name] = true
		if err := p.Check(ctx, n.Name); err != nil {
			if ctx.Err() != nil {
				return Node{}, ctx.Err()
			}
			continue
		}
		if cur, ok := p.Node(n.Name); ok {
			return cur, nil
		}
	}
}

// pick takes the least recently used healthy node not in skip and marks
// it used.
func (p *Pool) pick(skip map[string]bool) (Node, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var best *Node
	for _, n := range p.nodes {
		if !n.Healthy || skip[n.Name] {
			continue
		}
		if best == nil || n.LastUsed.Before(best.LastUsed) || (n.LastUsed.Equal(best.LastUsed) && n.Name < best.Name) {
			best = n
		}
	}
	if best == nil {
		return Node{}, false
	}
	p.touch(best)
	return *best, true
}

// Use records the node as used now (a Repo was placed on it) and
// returns it.
func (p *Pool) Use(name string) Node {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.nodes[name]
	if n == nil {
		return Node{}
	}
	p.touch(n)
	return *n
}

// touch marks n used now; distinct instants keep the order strict when
// several are handed out within the clock's resolution. Called with p.mu
// held.
func (p *Pool) touch(n *Node) {
	now := time.Now()
	for _, o := range p.nodes {
		if !now.After(o.LastUsed) {
			now = o.LastUsed.Add(time.Microsecond)
		}
	}
	n.LastUsed = now
}

// Node returns the node of that name, or of that base URL.
func (p *Pool) Node(nameOrURL string) (Node, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := p.nodes[nameOrURL]; n != nil {
		return *n, true
	}
	u := strings.TrimSuffix(nameOrURL, "/")
	for _, n := range p.nodes {
		if n.URL == u {
			return *n, true
		}
	}
	return Node{}, false
}

// Nodes lists the nodes by name.
func (p *Pool) Nodes() []Node {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Node, 0, len(p.nodes))
	for _, n := range p.nodes {
		out = append(out, *n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Register is shaman's POST /api/nodes/{host}/: the node named host (a
// configured one, or a new one at {RegisterScheme}://{host}) is checked
// now and, if healthy, handed out again.
func (p *Pool) Register(ctx context.Context, host string) (Node, error) {
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return Node{}, fmt.Errorf("invalid node host %q", host)
	}
	if _, ok := p.Node(host); !ok {
		p.add(host, p.scheme+"://"+host)
	}
	err := p.Check(ctx, host)
	n, _ := p.Node(host)
	return n, err
}

// Learn adds the node that a callback's chacra_url names (its base URL),
// unless a node has that URL already, and returns the node's name.
func (p *Pool) Learn(chacraURL string) (string, error) {
	u, err := url.Parse(chacraURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("chacra_url %q is not an http(s) URL", chacraURL)
	}
	base := u.Scheme + "://" + u.Host
	if n, ok := p.Node(base); ok {
		return n.Name, nil
	}
	if n, ok := p.Node(u.Host); ok {
		return n.Name, nil
	}
	p.add(u.Host, base)
	return u.Host, nil
}

func (p *Pool) add(name, base string) {
	p.mu.Lock()
	if p.nodes[name] == nil {
		p.nodes[name] = &Node{Name: name, URL: base, Healthy: true}
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// NewPools builds a pool per chacra backend of cfg, by name.
func NewPools(cfg backend.Config, o Options) (map[string]*Pool, error) {
	out := map[string]*Pool{}
	for _, c := range cfg.Chacra {
		p, err := NewPool(c, o)
		if err != nil {
			return nil, err
		}
		out[c.Name] = p
	}
	return out, nil
}
