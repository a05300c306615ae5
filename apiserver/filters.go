package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The links of the handler chain, in kube-apiserver's order: resolved
// (resource routes: metrics, authentication, then resolution),
// Authenticated, Authorized, Limited.

// Protected wraps h in the chain every authenticated route goes through:
// Authenticated, then Authorized, then Limited.
func (s *Server) Protected(h http.Handler) http.Handler {
	return s.Authenticated(s.Authorized(s.Limited(h)))
}

// Handle mounts h at pattern (http.ServeMux syntax) behind Protected. It is
// for the routes beside the resource API (a web UI, shaman's endpoints);
// call it before serving. Like ServeMux it panics on a pattern that
// conflicts with one already mounted.
func (s *Server) Handle(pattern string, h http.Handler) { s.Mount(pattern, s.Protected(h)) }

// Mount mounts h at pattern as it is, outside the chain: for a route that
// authenticates its own way (a git webhook checks an HMAC signature), or
// that sets WithAttributes before calling Protected itself.
func (s *Server) Mount(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Authenticated answers 401 with a kind: Status unless the request's bearer
// token matches a configured hash; else it serves h with the token's User
// in the context (UserFrom). With no token configured every request is
// the admin named Anonymous.
//
// A request that resolved already authenticated (the resource routes) is
// served as it is: its token is not checked twice.
func (s *Server) Authenticated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if authenticated(r.Context()) {
			h.ServeHTTP(w, r)
			return
		}
		u, ok := s.auth.authenticateRequest(r)
		if !ok {
			s.writeError(w, r, nil, errUnauthenticated())
			return
		}
		h.ServeHTTP(w, r.WithContext(withAuthenticated(r.Context(), u)))
	})
}

func errUnauthenticated() error { return apierrors.NewUnauthorized("a valid bearer token is required") }

// authenticatedKey marks a context whose User this server's own
// authentication put there; WithUser alone (a route beside the API may
// call it) does not spare a request the token check.
type authenticatedKey struct{}

func withAuthenticated(ctx context.Context, u User) context.Context {
	return context.WithValue(WithUser(ctx, u), authenticatedKey{}, true)
}

func authenticated(ctx context.Context) bool {
	ok, _ := ctx.Value(authenticatedKey{}).(bool)
	return ok
}

// Authorized answers 403 with a kind: Status unless the role of the
// context's User allows the request: its Attributes from the context
// (resource routes and WithAttributes set them), else RequestAttributes.
// Without a User (Authenticated did not run) it answers 401.
func (s *Server) Authorized(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := UserFrom(r.Context())
		if !ok {
			s.writeError(w, r, nil, errUnauthenticated())
			return
		}
		a, ok := AttributesFrom(r.Context())
		if !ok {
			a = RequestAttributes(r)
		}
		if !u.Allowed(a) {
			s.writeError(w, r, requestInfoFrom(r.Context()), forbidden(u, a))
			return
		}
		h.ServeHTTP(w, r)
	})
}

func forbidden(u User, a Attributes) error {
	if a.Resource == "" {
		return apierrors.NewForbidden(schema.GroupResource{}, "",
			fmt.Errorf("user %q (role %s) cannot %s path %q", u.Name, u.Role, a.Verb, a.Path))
	}
	return apierrors.NewForbidden(schema.GroupResource{Group: a.APIGroup, Resource: a.Resource}, a.Name,
		fmt.Errorf("user %q (role %s) cannot %s %s", u.Name, u.Role, a.Verb, a.resourcePath()))
}

// resourcePath names what was asked in a 403: "deployments/status in
// namespace ci".
func (a Attributes) resourcePath() string {
	p := a.Resource
	if a.Subresource != "" {
		p += "/" + a.Subresource
	}
	if a.Namespace != "" {
		p += " in namespace " + a.Namespace
	}
	return p
}

// Limited bounds the request body to the server's MaxBodyBytes: a read
// past it fails with *http.MaxBytesError (readBody answers 413).
func (s *Server) Limited(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		h.ServeHTTP(w, r)
	})
}

// resolved is the front of the resource routes. It authenticates the
// request first (kube-apiserver's WithAuthentication), so that a caller
// without a valid token gets 401 on every path under the group version
// and learns nothing of which ones exist; only then does a path that
// names no resource get its 404 or 405. A request that passes is resolved
// into its requestInfo and Attributes (WithRequestInfo) and goes on with
// them and its User in the context; the Authenticated link after it (in
// Protected) sees it authenticated and lets it by. Every outcome, 401 and
// 403 included, is counted in the request metrics, labelled by what the
// path resolves to (so the path is parsed before the token is checked,
// as kube-apiserver's RequestInfo is).
func (s *Server) resolved(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		info, _, err := resolve(r)
		defer func() { s.metrics.observe(info, rec.code, time.Since(start)) }()
		u, ok := s.auth.authenticateRequest(r)
		switch {
		case !ok:
			s.writeError(rec, r, info, errUnauthenticated())
			return
		case err != nil:
			s.writeError(rec, r, info, err)
			return
		}
		ctx := WithAttributes(withRequestInfo(withAuthenticated(r.Context(), u), info), info.attributes())
		h.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// adminOnly guards debug endpoints: admin tokens only when auth is on.
// Unlike Protected it answers 403 in plain text, as pprof's clients expect
// no Status.
func (s *Server) adminOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := s.auth.authenticateRequest(r); !ok || u.Role != RoleAdmin {
			http.Error(w, "admin token required", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
