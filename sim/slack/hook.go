package slack

import (
	"io"
	"net/http"
	"strings"
	"time"
)

// maxBody bounds what a hook reads: far above any real message, enough to
// keep a runaway client from filling memory.
const maxBody = 1 << 20

// serveHook posts one message, or refuses it as the hook's service does,
// in the service's order: the hook, its rate limit, the payload, its
// content, its channel. (Mattermost reads the payload before looking the
// hook up, but answers both failures with the same 400.)
func (s *Server) serveHook(w http.ResponseWriter, r *http.Request) {
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	h, why, wait := s.admit(w, rt)
	if h == nil {
		s.refuse(w, r, rt, why, wait, nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		s.refuse(w, r, rt, invalidPayload, 0, err)
		return
	}
	d, err := decode(rt.kind, r.Header.Get("Content-Type"), body)
	switch {
	case err != nil:
		s.refuse(w, r, rt, invalidPayload, 0, err)
		return
	case rt.kind == RocketChat && len(d.keys) == 0:
		accept(w, rt.kind) // Rocket.Chat answers {} with success and posts nothing
		return
	case !d.hasContent(rt.kind):
		s.refuse(w, r, rt, noText, 0, nil)
		return
	case !h.allows(d.Channel):
		s.refuse(w, r, rt, noChannel, 0, nil)
		return
	}
	s.record(Message{
		Hook: rt.path, Kind: rt.kind, Payload: d.Payload, Body: string(body),
		ContentType: r.Header.Get("Content-Type"), Header: r.Header.Clone(), Received: s.opts.Now(),
	})
	accept(w, rt.kind)
}

// admit finds rt's hook and takes a token from its bucket; without a
// hook, or a token, it says why and how long to wait.
func (s *Server) admit(w http.ResponseWriter, rt route) (*hook, refusal, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hooks[rt.path]
	if h == nil {
		return nil, s.missing(rt), 0
	}
	if h.limit == nil {
		return h, 0, 0
	}
	v := h.limit.take(s.opts.Now())
	s.rateHeaders(w, rt.kind, h.limit.rl.Burst, v)
	if !v.ok {
		return nil, rateLimited, v.retry
	}
	return h, 0, 0
}

// missing tells an unknown Slack service from a known one asked with
// another token (revoked, regenerated, mistyped); the caller holds s.mu.
func (s *Server) missing(rt route) refusal {
	if rt.kind == Slack {
		for _, h := range s.hooks {
			if h.route.key == rt.key {
				return badToken
			}
		}
	}
	return unknownHook
}

// allows reports whether the hook posts to channel ("" is its own).
func (h *hook) allows(channel string) bool {
	return h.channels == nil || channel == "" || h.channels[strings.TrimPrefix(channel, "#")]
}
