package apiserver

import (
	"fmt"
	"net/http"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// The in-flight limit is kube-apiserver's WithMaxInFlightLimit
// (--max-requests-inflight, --max-mutating-requests-inflight): two pools
// of slots, one for read-only requests and one for mutating ones; a
// request that finds its pool full is answered 429 at once, not queued,
// so a flood costs the server a resolve and a write. Watches are
// long-running and take no slot, as in kube-apiserver.

// Defaults of `minka server`'s flags, kube-apiserver's.
const (
	DefaultMaxRequestsInFlight         = 400
	DefaultMaxMutatingRequestsInFlight = 200
)

// The request kinds, kube-apiserver's label values.
const (
	readOnlyKind = "readOnly"
	mutatingKind = "mutating"
	// watchKind counts the watches refused by the watch limits
	// (watchlimit.go); watches take no in-flight slot.
	watchKind = "watch"
)

// inflightRetryAfter is the Retry-After of a 429, in seconds.
const inflightRetryAfter = 1

// inflightLimits holds the slots of each kind; a nil pool has no limit.
type inflightLimits struct {
	readOnly, mutating chan struct{}
	metrics            *inflightMetrics
}

func newInflightLimits(readOnly, mutating int, m *inflightMetrics) inflightLimits {
	l := inflightLimits{metrics: m}
	if readOnly > 0 {
		l.readOnly = make(chan struct{}, readOnly)
	}
	if mutating > 0 {
		l.mutating = make(chan struct{}, mutating)
	}
	return l
}

// requestKind says which pool a request draws from; long-running requests
// (watches) draw from none.
func requestKind(info *requestInfo) (kind string, limited bool) {
	switch info.Verb {
	case "watch":
		return "", false
	case "get", "list":
		return readOnlyKind, true
	}
	return mutatingKind, true
}

func (l *inflightLimits) pool(kind string) chan struct{} {
	if kind == readOnlyKind {
		return l.readOnly
	}
	return l.mutating
}

// limitInFlight takes a slot of the request's kind for the time h serves
// it, or answers 429 with Retry-After when there is none. It needs the
// requestInfo, so it comes after resolved.
func (s *Server) limitInFlight(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfoFrom(r.Context())
		if info == nil {
			h.ServeHTTP(w, r)
			return
		}
		kind, limited := requestKind(info)
		if !limited {
			h.ServeHTTP(w, r)
			return
		}
		if pool := s.limits.pool(kind); pool != nil {
			select {
			case pool <- struct{}{}:
				defer func() { <-pool }()
			default:
				s.limits.metrics.drop(kind)
				w.Header().Set("Retry-After", strconv.Itoa(inflightRetryAfter))
				s.writeError(w, r, info, apierrors.NewTooManyRequests(
					fmt.Sprintf("too many %s requests in flight, please try again later", kind), inflightRetryAfter))
				return
			}
		}
		done := s.limits.metrics.serving(kind)
		defer done()
		h.ServeHTTP(w, r)
	})
}
