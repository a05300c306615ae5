package slack

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// refusal is why a hook request is not posted; each service words it
// its own way (refuse).
type refusal int

const (
	invalidPayload refusal = iota // not a JSON object
	noText                        // nothing to post
	unknownHook                   // no such hook
	badToken                      // Slack: the team and bot exist, the token is not theirs
	noChannel                     // the payload's channel does not exist
	rateLimited
	internal
)

// slackBodies are hooks.slack.com's plain-text answers.
var slackBodies = map[refusal]struct {
	code int
	body string
}{
	invalidPayload: {http.StatusBadRequest, "invalid_payload"},
	unknownHook:    {http.StatusNotFound, "no_service"},
	badToken:       {http.StatusForbidden, "invalid_token"},
	noChannel:      {http.StatusNotFound, "channel_not_found"},
	rateLimited:    {http.StatusTooManyRequests, "rate_limited"},
	internal:       {http.StatusInternalServerError, "rollup_error"},
}

// refuse answers r as rt's service refuses it; wait is the Retry-After of
// a rate limit. parseErr, when set, is Rocket.Chat's error text.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, rt route, why refusal, wait time.Duration, parseErr error) {
	switch rt.kind {
	case Mattermost:
		s.refuseMattermost(w, r, rt, why, wait)
	case RocketChat:
		refuseRocketChat(w, why, wait, parseErr)
	default:
		a := slackBodies[why]
		if why == noText {
			a.code, a.body = http.StatusBadRequest, s.opts.NoTextError
		}
		if why == rateLimited {
			w.Header().Set("Retry-After", strconv.Itoa(seconds(wait)))
		}
		text(w, "text/html", a.code, a.body)
	}
}

// refuseMattermost is the AppError every incoming-webhook failure is
// wrapped in (web.incoming_webhook.general.app_error), or the rate
// limiter's http.Error, which runs before any handler.
func (s *Server) refuseMattermost(w http.ResponseWriter, r *http.Request, rt route, why refusal, wait time.Duration) {
	code := http.StatusBadRequest // parse, text and an unknown hook alike
	switch why {
	case rateLimited:
		w.Header().Set("Retry-After", strconv.Itoa(seconds(wait)))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		text(w, "text/plain; charset=utf-8", http.StatusTooManyRequests, "limit exceeded\n")
		return
	case noChannel:
		code = http.StatusNotFound
	case internal:
		code = http.StatusInternalServerError
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	s.mu.Lock()
	requestID := s.random(mattermostB32, 26)
	s.mu.Unlock()
	w.Header().Set("X-Request-Id", requestID)
	writeJSON(w, code, struct {
		ID            string `json:"id"`
		Message       string `json:"message"`
		DetailedError string `json:"detailed_error"` // emptied for non-admins
		RequestID     string `json:"request_id"`
		StatusCode    int    `json:"status_code"`
	}{"web.incoming_webhook.general.app_error",
		fmt.Sprintf("Failed to handle the payload of media type %s for incoming webhook %s.", mediaType, rt.id),
		"", requestID, code})
}

// refuseRocketChat is API.v1's failure envelope.
func refuseRocketChat(w http.ResponseWriter, why refusal, wait time.Duration, parseErr error) {
	code, msg := http.StatusBadRequest, "unknown-error"
	switch why {
	case invalidPayload:
		if parseErr != nil {
			msg = parseErr.Error()
		}
	case unknownHook, badToken:
		code, msg = http.StatusNotFound, "Invalid integration id or token provided."
	case noChannel:
		msg = "invalid-channel" // Meteor.Error('invalid-channel'), its error code
	case rateLimited:
		code = http.StatusTooManyRequests
		msg = fmt.Sprintf("Error, too many requests. Please slow down. You must wait %d seconds before trying this endpoint again. [error-too-many-requests]", seconds(wait))
	case internal:
		code, msg = http.StatusInternalServerError, "Internal server error"
	}
	writeJSON(w, code, map[string]any{"success": false, "error": msg})
}

// accept answers a posted message.
func accept(w http.ResponseWriter, kind Kind) {
	switch kind {
	case Mattermost:
		text(w, "text/plain", http.StatusOK, "ok")
	case RocketChat:
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	default:
		text(w, "text/html", http.StatusOK, "ok")
	}
}

// rateHeaders are the X-RateLimit-* headers Mattermost (throttled's) and
// Rocket.Chat add to every answer of a limited route; Slack sends none.
func (s *Server) rateHeaders(w http.ResponseWriter, kind Kind, burst int, v verdict) {
	h := w.Header()
	switch kind {
	case Mattermost:
		h.Set("X-RateLimit-Limit", strconv.Itoa(burst))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(v.remaining))
		h.Set("X-RateLimit-Reset", strconv.Itoa(seconds(v.reset)))
	case RocketChat:
		h.Set("X-RateLimit-Limit", strconv.Itoa(burst))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(v.remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(s.opts.Now().Add(v.reset).UnixMilli(), 10))
	}
}

func text(w http.ResponseWriter, contentType string, code int, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
