// Package reqcount counts the requests a simulator answers, by method and
// path, so that tests and benchmarks can say what a controller costs a
// backend (requests per second per path) from the backend's side, faults
// and all: a request is counted when it arrives, whatever its answer.
package reqcount

import (
	"maps"
	"net/http"
	"sync"
)

// Counter counts requests by "METHOD /path" (the query left out). The
// zero value is ready to use.
type Counter struct {
	mu sync.Mutex
	n  map[string]int64
}

// Wrap counts every request before h serves it.
func (c *Counter) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		if c.n == nil {
			c.n = map[string]int64{}
		}
		c.n[r.Method+" "+r.URL.Path]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Counts are the requests counted since the start or the last Reset.
func (c *Counter) Counts() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// Reset starts counting again from zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = nil
}
