package apiserver

import (
	"fmt"
	"net"
	"net/http"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Defaults of `minka server`'s --max-watches and --max-watches-per-client.
// A watch costs the server about 20 KiB (its connection, goroutines and
// queue; the objects are shared by the watch cache: 500 watches blocked
// on clients that read nothing added 9 MiB, TestWatchMemoryIsBounded), so
// the total bounds watches at about 80 MiB.
const (
	DefaultMaxWatches          = 4000
	DefaultMaxWatchesPerClient = 500
)

// watchLimits count open watches in all and per client: the user when
// tokens are configured, else the remote address. Past either limit a
// watch is answered 429 with Retry-After, as a request past the in-flight
// limit is; a client holding many watches it does not read harms itself
// before it harms anyone else.
type watchLimits struct {
	total, perClient int // 0: no limit
	metrics          *inflightMetrics

	mu     sync.Mutex
	open   int
	client map[string]int
}

func newWatchLimits(total, perClient int, m *inflightMetrics) *watchLimits {
	return &watchLimits{total: total, perClient: perClient, metrics: m, client: map[string]int{}}
}

// watchClient names the client a watch counts against.
func watchClient(r *http.Request) string {
	if u, ok := UserFrom(r.Context()); ok && u.Name != Anonymous {
		return "user " + u.Name
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "address " + host
}

// admit takes a watch slot for r's client, or fails with a 429; release
// gives it back.
func (l *watchLimits) admit(r *http.Request) (release func(), err error) {
	c := watchClient(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.total > 0 && l.open >= l.total:
		err = fmt.Errorf("too many watches: %d are open, the server's limit (--max-watches)", l.open)
	case l.perClient > 0 && l.client[c] >= l.perClient:
		err = fmt.Errorf("too many watches: %s has %d open, the limit per client (--max-watches-per-client)", c, l.client[c])
	}
	if err != nil {
		l.metrics.drop(watchKind)
		return nil, apierrors.NewTooManyRequests(err.Error(), inflightRetryAfter)
	}
	l.open++
	l.client[c]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.open--
			if l.client[c]--; l.client[c] == 0 {
				delete(l.client, c)
			}
		})
	}, nil
}
