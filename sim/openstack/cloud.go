package openstack

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"minka/sim/fault"
)

// Flavor is a Nova flavor.
type Flavor struct {
	ID, Name   string
	VCPUs, RAM int // RAM in MiB
	Disk       int // GiB
}

// Image is a Glance image.
type Image struct{ ID, Name string }

// Quota bounds the project, as Nova's and Cinder's quotas do.
type Quota struct {
	Instances, Cores, RAM int
	Volumes, Gigabytes    int
}

// Options configure the simulated cloud.
type Options struct {
	User, Password, Project, Domain, Region string
	// BootDelay is how long a server stays in BUILD (default 2s).
	BootDelay time.Duration
	Quota     Quota
	Flavors   []Flavor
	Images    []Image
	KeyPairs  []string
	Now       func() time.Time
	Seed      int64
	// OnActive and OnDelete let the rest of the simulated world react: a
	// server booted with user data naming a Jenkins agent brings it online.
	OnActive func(s Server)
	OnDelete func(s Server)
}

// Server is what the world sees of a Nova server.
type Server struct {
	ID, Name, IP string
	Metadata     map[string]string
	UserData     string // decoded
}

// Cloud is a simulated OpenStack; it is an http.Handler. Time moves
// lazily: each request first advances servers whose boot delay passed.
type Cloud struct {
	opts      Options
	projectID string
	mu        sync.Mutex
	root      string
	tokens    map[string]time.Time
	servers   map[string]*server
	order     []string
	volumes   map[string]*volume
	nextIP    int
	Faults    *fault.Injector
	handler   http.Handler
}

// New returns a simulated cloud with sensible defaults.
func New(opts Options) *Cloud {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&opts.User, "minka")
	def(&opts.Password, "secret")
	def(&opts.Project, "ci")
	def(&opts.Domain, "Default")
	def(&opts.Region, "RegionOne")
	if opts.BootDelay == 0 {
		opts.BootDelay = 2 * time.Second
	}
	if opts.Quota == (Quota{}) {
		opts.Quota = Quota{Instances: 10, Cores: 40, RAM: 81920, Volumes: 10, Gigabytes: 1000}
	}
	if opts.Flavors == nil {
		opts.Flavors = []Flavor{{"1", "m1.small", 1, 2048, 20}, {"2", "m1.medium", 2, 4096, 40}, {"3", "m1.large", 4, 8192, 80}}
	}
	if opts.Images == nil {
		opts.Images = []Image{{"70a599e0-31e7-49b7-b260-868f441e862b", "ubuntu-trusty"}, {"b6a4c9a2-5c8e-4d2a-9f31-3a2b1c0d9e8f", "centos7"}}
	}
	if opts.KeyPairs == nil {
		opts.KeyPairs = []string{"jenkins"}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cloud{opts: opts, projectID: "6f70656e737461636b20342065766572", tokens: map[string]time.Time{},
		servers: map[string]*server{}, volumes: map[string]*volume{}, nextIP: 10}
	c.Faults = fault.New(opts.Seed)
	c.Faults.Define("quota", func(w http.ResponseWriter, r *http.Request) {
		novaError(w, http.StatusForbidden, "forbidden", "Quota exceeded for instances: Requested 1, but already used 0 of 0 instances")
	})
	c.handler = c.Faults.Wrap(http.HandlerFunc(c.serve))
	return c
}

// ServeHTTP implements http.Handler.
func (c *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// Close releases requests held by a hang fault.
func (c *Cloud) Close() { c.Faults.Close() }

// ProjectID is the id of the simulated project.
func (c *Cloud) ProjectID() string { return c.projectID }

func (c *Cloud) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	if c.root == "" {
		c.root = "http://" + r.Host
	}
	active := c.advance()
	onActive := c.opts.OnActive
	c.mu.Unlock()
	if onActive != nil {
		for _, s := range active {
			onActive(s)
		}
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/identity"):
		c.serveIdentity(w, r, strings.TrimPrefix(p, "/identity"))
	case !c.authorized(r):
		w.Header().Set("WWW-Authenticate", `Keystone uri="`+c.root+`/identity"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401, "title": "Unauthorized",
			"message": "The request you have made requires authentication."}})
	case strings.HasPrefix(p, "/compute"):
		c.serveCompute(w, r, strings.TrimPrefix(p, "/compute"))
	case strings.HasPrefix(p, "/image"):
		c.serveImage(w, r, strings.TrimPrefix(p, "/image"))
	case strings.HasPrefix(p, "/volume"):
		c.serveVolume(w, r, strings.TrimPrefix(p, "/volume"))
	default:
		http.NotFound(w, r)
	}
}

func (c *Cloud) authorized(r *http.Request) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.tokens[r.Header.Get("X-Auth-Token")]
	return ok && c.opts.Now().Before(exp)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// novaError writes Nova's fault body: {"<name>": {"code": N, "message": "..."}}.
func novaError(w http.ResponseWriter, code int, name, msg string) {
	writeJSON(w, code, map[string]any{name: map[string]any{"code": code, "message": msg}})
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

// Nova's created/updated carry a zone; launched_at and Cinder's times do not.
func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
func noZone(t time.Time) string  { return t.UTC().Format("2006-01-02T15:04:05.000000") }
