package apiserver

import (
	"context"
	"net/http"
	"time"
)

// DefaultStoreTimeout bounds the store calls of one request: an etcd that
// is gone (stopped, partitioned, out of quorum) must not hold a client
// without an answer; it gets a 504 with Retry-After instead.
const DefaultStoreTimeout = 4 * time.Second

// withStoreDeadline puts the store deadline on the context of every
// resource request but a watch (whose stream lasts as long as the client
// wants): the store's etcd calls take it from there.
func (s *Server) withStoreDeadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfoFrom(r.Context())
		if s.storeTimeout <= 0 || (info != nil && info.Verb == "watch") {
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := s.storeContext(r.Context())
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// storeContext is ctx with the store deadline, if there is one.
func (s *Server) storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.storeTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.storeTimeout)
}
