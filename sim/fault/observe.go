package fault

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// Observe wraps a simulator's handler (its faults included) and, after
// each request that match selects, calls seen with the request, its body,
// and whether any reply left the simulator: false when a lost-reply
// failure swallowed it. Tests use it to count what was applied and what
// its client never heard.
func Observe(h http.Handler, match func(*http.Request) bool, seen func(r *http.Request, body []byte, replied bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !match(r) {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rw := &replyWatcher{ResponseWriter: w}
		defer func() { seen(r, body, rw.wrote) }()
		h.ServeHTTP(rw, r)
	})
}

// replyWatcher notes whether a reply was written, passing flushes and
// hijacks (a reset) through.
type replyWatcher struct {
	http.ResponseWriter
	wrote bool
}

func (w *replyWatcher) WriteHeader(code int) { w.wrote = true; w.ResponseWriter.WriteHeader(code) }

func (w *replyWatcher) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *replyWatcher) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *replyWatcher) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
