package shaman

import (
	"errors"
	"fmt"
	"net/http"

	"minka/backend/chacra"
)

// nodeJSON is shaman's Node.__json__.
type nodeJSON struct {
	Host      string `json:"host"`
	LastUsed  string `json:"last_used"`
	LastCheck string `json:"last_check"`
	Healthy   bool   `json:"healthy"`
	DownCount int    `json:"down_count"`
}

func toNodeJSON(n chacra.Node) nodeJSON {
	return nodeJSON{Host: n.Name, LastUsed: pyTime(n.LastUsed), LastCheck: pyTime(n.LastCheck), Healthy: n.Healthy, DownCount: n.DownCount}
}

// next is GET /api/nodes/next/: the least recently used healthy node
// after a live check, as text/plain "URL/".
func (h *Handler) next(w http.ResponseWriter, r *http.Request) {
	n, err := h.pool.Next(r.Context())
	if errors.Is(err, chacra.ErrNoHealthyNode) {
		fail(w, r, http.StatusNotFound, "There are no healthy chacra nodes available.")
		return
	}
	if err != nil {
		fail(w, r, http.StatusServiceUnavailable, fmt.Sprintf("choosing a chacra node: %v", err))
		return
	}
	w.Header().Set("Content-Type", contentText)
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, n.URL+"/")
}

// nodesGet is GET /api/nodes/ and /api/nodes/{host}/.
func (h *Handler) nodesGet(w http.ResponseWriter, r *http.Request, rest []string) {
	switch len(rest) {
	case 0:
		out := map[string]nodeJSON{}
		for _, n := range h.pool.Nodes() {
			out[n.Name] = toNodeJSON(n)
		}
		writeJSON(w, out)
	case 1:
		n, ok := h.pool.Node(rest[0])
		if !ok {
			fail(w, r, http.StatusNotFound, "")
			return
		}
		writeJSON(w, toNodeJSON(n))
	default:
		fail(w, r, http.StatusNotFound, "")
	}
}

// register is POST /api/nodes/{host}/: chacra's post_if_healthy at its
// start, or an operator. The node is checked now; shaman answers {}
// whether or not the check passed, and so does this (the node list
// tells).
func (h *Handler) register(w http.ResponseWriter, r *http.Request, host string) {
	if _, err := h.pool.Register(r.Context(), host); err != nil {
		if _, ok := h.pool.Node(host); !ok {
			fail(w, r, http.StatusBadRequest, fmt.Sprintf("host: %v", err))
			return
		}
		h.log.Info("shaman: registered chacra node failed its health check", "host", host, "error", err.Error())
	}
	writeJSON(w, struct{}{})
}
