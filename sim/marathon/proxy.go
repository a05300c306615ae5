package marathon

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// serveTaskProxy answers, as an HTTP forward proxy does, requests for the
// simulated tasks' own endpoints (GET http://10.0.1.11:31000/ping): the
// tasks are not processes, so the cluster answers for them. A running
// task of a good image says 200 "pong"; one of an image marked bad 503;
// an address with no running task is the proxy's 502.
func (c *Cluster) serveTaskProxy(w http.ResponseWriter, r *http.Request) {
	host, portStr, err := net.SplitHostPort(r.URL.Host)
	port, perr := strconv.Atoi(portStr)
	if err != nil || perr != nil {
		http.Error(w, "proxy: bad target "+r.URL.Host, http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	for _, a := range c.apps {
		for _, t := range a.tasks {
			if t.host != host || t.started.IsZero() || !containsPort(t.ports, port) {
				continue
			}
			if c.badImages[t.image] {
				http.Error(w, "503 Service Unavailable", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "pong\n")
			return
		}
	}
	http.Error(w, fmt.Sprintf("proxy: dial tcp %s: connect: connection refused", r.URL.Host), http.StatusBadGateway)
}

func containsPort(ports []int, p int) bool {
	for _, x := range ports {
		if x == p {
			return true
		}
	}
	return false
}
