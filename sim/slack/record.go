package slack

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// Message is one posted message.
type Message struct {
	Hook    string  `json:"hook"` // the hook's path
	Kind    Kind    `json:"kind"`
	Payload Payload `json:"payload"`
	// Body is the request body as received (for a form, still encoded).
	Body        string      `json:"body"`
	ContentType string      `json:"contentType"`
	Header      http.Header `json:"header"`
	Received    time.Time   `json:"received"`
}

// Attempt is one request to a hook path, posted or refused.
type Attempt struct {
	Hook   string `json:"hook"` // the request's path
	Method string `json:"method"`
	// Status and Answer are the answer's status and body (its first
	// 4 KiB); 0 and "" while none is written, or when none ever was (a
	// reset or a hang).
	Status   int       `json:"status"`
	Answer   string    `json:"answer"`
	Received time.Time `json:"received"`
}

// maxAnswer bounds the answer kept in an Attempt.
const maxAnswer = 4 << 10

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
}

// Messages lists the posted messages of every hook in arrival order.
func (s *Server) Messages() []Message { return s.MessagesFor("") }

// MessagesFor lists the messages posted to the hook at path ("" = all).
func (s *Server) MessagesFor(path string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Message{}
	for _, m := range s.messages {
		if path == "" || m.Hook == path {
			m.Header = m.Header.Clone()
			out = append(out, m)
		}
	}
	return out
}

// ClearMessages forgets the posted messages (not the attempts).
func (s *Server) ClearMessages() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

// Attempts lists every hook request in arrival order, refused or not.
func (s *Server) Attempts() []Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Attempt, len(s.attempts))
	for i, a := range s.attempts {
		out[i] = *a
	}
	return out
}

// attempt records r's arrival and returns w wrapped so that the answer's
// status and body are recorded as they are written: a client that has
// read the answer finds it in Attempts.
func (s *Server) attempt(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	a := &Attempt{Hook: r.URL.Path, Method: r.Method, Received: s.opts.Now()}
	s.mu.Lock()
	s.attempts = append(s.attempts, a)
	s.mu.Unlock()
	return &recorder{ResponseWriter: w, s: s, a: a}
}

// recorder is the http.ResponseWriter of a counted request. It passes
// Flush and Hijack through: the fault injector resets connections by
// hijacking them.
type recorder struct {
	http.ResponseWriter
	s *Server
	a *Attempt
}

func (rw *recorder) WriteHeader(code int) {
	if code >= 200 { // 1xx are interim
		rw.s.mu.Lock()
		if rw.a.Status == 0 {
			rw.a.Status = code
		}
		rw.s.mu.Unlock()
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(p []byte) (int, error) {
	rw.s.mu.Lock()
	if rw.a.Status == 0 {
		rw.a.Status = http.StatusOK
	}
	if room := maxAnswer - len(rw.a.Answer); room > 0 {
		rw.a.Answer += string(p[:min(room, len(p))])
	}
	rw.s.mu.Unlock()
	return rw.ResponseWriter.Write(p)
}

func (rw *recorder) Flush() {
	if f, ok := rw.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (rw *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := rw.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, http.ErrNotSupported
}

// serveMessages is GET (the messages as JSON; ?hook=PATH for one hook)
// and DELETE (forget them) of /__sim/messages, for a person at minka dev.
func (s *Server) serveMessages(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.MessagesFor(r.URL.Query().Get("hook")))
	case http.MethodDelete:
		s.ClearMessages()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, DELETE")
		http.Error(w, "GET or DELETE", http.StatusMethodNotAllowed)
	}
}

// serveAttempts is GET /__sim/attempts.
func (s *Server) serveAttempts(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "GET", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, s.Attempts())
}
