// Package ui serves minka's web view at /ui/: a page of plain JavaScript
// (assets/, embedded) that reads and changes the system through the API
// itself, so that it shows what the API says and is refused what the API
// refuses.
//
// The browser never holds a token where a script or a URL can reach it:
// POST /ui/login checks one and keeps it in an HttpOnly, SameSite=Strict
// cookie; the page's API calls go to /ui/api/..., which hands them to the
// API server in process with the cookie's token as the bearer token, and
// its live updates come from /ui/watch, which joins the API's watches of
// several resources into one stream (a browser keeps six connections to
// a host over HTTP/1.1: one watch each would leave none for the rest).
// Writes need the session's CSRF token in X-CSRF-Token and a same-origin
// request; every response carries a Content-Security-Policy that allows
// scripts, styles and connections from the server only, and no inline
// script or style.
package ui

import (
	"crypto/rand"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/apiserver"
)

// Prefix is where the view is mounted.
const Prefix = "/ui"

//go:embed assets
var assets embed.FS

// API is what the view needs of the API server.
type API interface {
	http.Handler
	Authenticate(token string) (apiserver.User, bool)
	AuthEnabled() bool
}

// Options configure a Handler.
type Options struct {
	API API
	Log logr.Logger
}

// Handler serves the view.
type Handler struct {
	api API
	log logr.Logger
	mux *http.ServeMux
	// csrfKey signs the CSRF token when auth is off and there is no
	// session token to derive it from.
	csrfKey []byte
}

// New builds the view's handler, to be mounted at Prefix+"/".
func New(opts Options) (*Handler, error) {
	if opts.API == nil {
		return nil, fmt.Errorf("ui: no API server")
	}
	h := &Handler{api: opts.API, log: opts.Log, mux: http.NewServeMux(), csrfKey: make([]byte, 32)}
	if _, err := rand.Read(h.csrfKey); err != nil {
		return nil, fmt.Errorf("ui: CSRF key: %w", err)
	}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	files := http.StripPrefix(Prefix+"/", http.FileServerFS(static))
	h.mux.Handle("GET "+Prefix+"/", files)
	h.mux.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
	})
	h.mux.HandleFunc("POST "+Prefix+"/login", h.login)
	h.mux.HandleFunc("POST "+Prefix+"/logout", h.logout)
	h.mux.HandleFunc("GET "+Prefix+"/session", h.session)
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		h.mux.HandleFunc(m+" "+Prefix+"/api/", h.proxy)
	}
	h.mux.HandleFunc("GET "+Prefix+"/watch", h.watch)
	return h, nil
}

// contentSecurityPolicy lets the page load and call only its own server:
// no inline script or style, no plugin, no framing, no form posted
// elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	// The page is small and the server's version is its cache key
	// enough: a reload after an upgrade must not mix old and new files.
	hd.Set("Cache-Control", "no-cache")
	h.mux.ServeHTTP(w, r)
}

// writeStatus answers with a kind: Status, as the API does, so that the
// page reads one shape of error.
func writeStatus(w http.ResponseWriter, err *apierrors.StatusError) {
	st := err.Status()
	st.Kind, st.APIVersion = "Status", "v1"
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(int(st.Code))
	_ = json.NewEncoder(w).Encode(st)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
