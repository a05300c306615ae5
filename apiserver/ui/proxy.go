package ui

import (
	"context"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// proxy hands /ui/api/PATH to the API server's PATH, in process, with the
// session's token as the bearer token: the page gets the API's answers,
// its validation and its refusals, and never the token.
func (h *Handler) proxy(w http.ResponseWriter, r *http.Request) {
	token, _, ok := h.token(r)
	if !ok {
		writeStatus(w, apierrors.NewUnauthorized("not logged in (or the token is no longer valid): log in again"))
		return
	}
	path := strings.TrimPrefix(r.URL.Path, Prefix+"/api")
	if !strings.HasPrefix(path, "/apis/") && !strings.HasPrefix(path, "/api/") {
		writeStatus(w, apierrors.NewNotFound(schemaResource(""), path))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := h.checkWrite(r, token); err != nil {
			writeStatus(w, err)
			return
		}
	}
	h.api.ServeHTTP(w, h.apiRequest(r.Context(), r, path, r.URL.RawQuery, token))
}

// apiRequest is r as the API server's own request to path: the session's
// token in Authorization, and no cookie or CSRF header to pass on.
func (h *Handler) apiRequest(ctx context.Context, r *http.Request, path, query, token string) *http.Request {
	r2 := r.Clone(ctx)
	r2.URL.Path, r2.URL.RawPath, r2.URL.RawQuery = path, "", query
	r2.RequestURI = r2.URL.RequestURI()
	r2.Header.Del("Cookie")
	r2.Header.Del("Authorization")
	r2.Header.Del(CSRFHeader)
	if token != "" {
		r2.Header.Set("Authorization", "Bearer "+token)
	}
	return r2
}
