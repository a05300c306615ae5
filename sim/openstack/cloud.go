package openstack

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Path prefixes of the services under the cloud's base URL.
const (
	IdentityPath = "/identity"
	ComputePath  = "/compute"
	ImagePath    = "/image"
	VolumePath   = "/volume"
)

// ServeHTTP implements http.Handler, faults included.
func (c *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// Handler returns the cloud as an http.Handler.
func (c *Cloud) Handler() http.Handler { return c }

// Close releases requests held by a hang fault.
func (c *Cloud) Close() { c.Faults.Close() }

// ProjectID is the id of the simulated project.
func (c *Cloud) ProjectID() string { return c.projectID }

// SetBaseURL fixes the URL the catalog advertises (an httptest.Server's
// URL); until it is set, the first request's Host decides.
func (c *Cloud) SetBaseURL(url string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.root = strings.TrimSuffix(url, "/")
}

// BaseURL is the URL the catalog advertises ("" before SetBaseURL or a request).
func (c *Cloud) BaseURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.root
}

func (c *Cloud) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	if c.root == "" {
		c.root = "http://" + r.Host
	}
	active := c.advance()
	onActive := c.opts.OnActive
	c.mu.Unlock()
	notify(onActive, active)
	// Each service takes the token where its pipeline does: version
	// documents are answered without one.
	p := r.URL.Path
	for _, svc := range []struct {
		prefix string
		serve  func(http.ResponseWriter, *http.Request, string)
	}{{IdentityPath, c.serveIdentity}, {ComputePath, c.serveCompute}, {ImagePath, c.serveImage}, {VolumePath, c.serveVolume}} {
		if rest, ok := strings.CutPrefix(p, svc.prefix); ok && (rest == "" || rest[0] == '/') {
			svc.serve(w, r, rest)
			return
		}
	}
	http.NotFound(w, r)
}

func notify(hook func(Server), servers []Server) {
	if hook == nil {
		return
	}
	for _, s := range servers {
		hook(s)
	}
}

func (c *Cloud) authorized(r *http.Request) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.tokens[r.Header.Get("X-Auth-Token")]
	return ok && c.opts.Now().Before(exp)
}

// unauthorized is the 401 Keystone and keystonemiddleware answer.
func (c *Cloud) unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Keystone uri="`+c.BaseURL()+IdentityPath+`"`)
	writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401, "title": "Unauthorized",
		"message": "The request you have made requires authentication."}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// novaError writes Nova's (and Cinder's) fault body: {"<name>": {"code": N, "message": "..."}}.
func novaError(w http.ResponseWriter, code int, name, msg string) {
	writeJSON(w, code, map[string]any{name: map[string]any{"code": code, "message": msg}})
}
