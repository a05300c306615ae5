package push

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Push is one verified delivery.
type Push struct {
	Style Style
	// Event is the sender's event name as sent: "push", "ping", "delete",
	// "Push Hook", "Tag Push Hook"; "push" for a Token delivery without
	// X-GitHub-Event, since Ochopod's hook took every POST for a push.
	Event string
	// DeliveryID is X-GitHub-Delivery (GitHub, and Token when GitHub sent
	// it), X-Forgejo-Delivery / X-Gitea-Delivery (Gitea), X-Gitlab-Event-UUID
	// or else Idempotency-Key (GitLab), then X-Request-Id; when the sender
	// gave none, "sha256:" and the hex SHA-256 of the body, so a redelivery of
	// the same body gets the same ID. Never empty.
	DeliveryID string
	// Ping is a GitHub-style "ping": answer 200, create nothing. Gitea and
	// GitLab send no ping; their "Test" buttons send an ordinary push.
	Ping bool
	Ref  string // "refs/heads/main", "refs/tags/v1.2"; "" for a ping
	// Branch is "main" when Ref is a branch, else "".
	Branch string
	// Tag is "v1.2" when Ref is a tag, else "".
	Tag string
	// Deleted is a branch or tag deletion: GitHub's "deleted": true, an
	// after of 40 zeros (GitHub, Gitea, GitLab, whose checkout_sha is then
	// null), or a GitHub/Gitea "delete" event. SHA1 is then "".
	Deleted bool
	// Created is a new branch or tag: GitHub's "created": true or a before
	// of 40 zeros.
	Created bool
	// SHA1 is the new head commit, 40 lower-case hex: GitHub/Gitea
	// head_commit.id (the commit, where after is an annotated tag's object)
	// or else after; GitLab checkout_sha or else after. "" when Deleted or
	// Ping; 40 hex otherwise.
	SHA1 string
	// Before is the ref's previous commit; 40 zeros for a creation, "" when
	// the sender does not say (a "delete" event).
	Before string
	// HeadMessage is the head commit's message; for a GitLab tag push
	// without commits, the annotated tag's message.
	HeadMessage string
	// SkipCI is true when HeadMessage carries a skip directive (see
	// skipDirective); SkipDirective says which, for the 200 answer.
	SkipCI        bool
	SkipDirective string
	// Repository is the clone URL over HTTP(S), or the full name when the
	// payload carries no URL.
	Repository string
	// FullName is "owner/name" (GitLab: path_with_namespace).
	FullName string
	// Sender is the pusher's login (GitLab: user_username).
	Sender string
}

// ErrNotAPush is a verified delivery of an event that is no push ("issues",
// "Merge Request Hook", ...): the handler answers 200 "ignored: event X".
// The wrapped message names the event.
var ErrNotAPush = errors.New("not a push event")

// BadRequestError is a malformed body or a missing or invalid field: answer
// 400 naming Field.
type BadRequestError struct{ Field, Msg string }

func (e *BadRequestError) Error() string {
	return fmt.Sprintf("webhook payload: %s: %s", e.Field, e.Msg)
}

func badRequest(field, format string, args ...any) *BadRequestError {
	return &BadRequestError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Parse decodes a verified body of that style into a Push. A malformed body
// or a missing field is a *BadRequestError naming the field; events that are
// not pushes return ErrNotAPush, with the Push's Style, Event and
// DeliveryID set.
func Parse(style Style, h http.Header, body []byte) (Push, error) {
	if len(body) > MaxBodyBytes {
		return Push{}, ErrBodyTooLarge
	}
	payload, err := jsonPayload(h, body)
	if err != nil {
		return Push{}, err
	}
	var p Push
	switch style {
	case GitHub, Gitea, Token:
		p, err = parseGitHubLike(style, eventName(style, h), payload)
	case GitLab:
		p, err = parseGitLab(eventName(style, h), payload)
	default:
		return Push{}, fmt.Errorf("webhook style %q is unknown", style)
	}
	if errors.Is(err, ErrNotAPush) {
		// Still a delivery: its style, event and id are recorded.
		return Push{Style: style, Event: eventName(style, h), DeliveryID: deliveryID(style, h, body)}, err
	}
	if err != nil {
		return Push{}, err
	}
	p.Style = style
	p.DeliveryID = deliveryID(style, h, body)
	p.SkipDirective = skipDirective(p.HeadMessage)
	p.SkipCI = p.SkipDirective != ""
	return p, nil
}

// jsonPayload returns the JSON document: the body, or its "payload" form
// field when GitHub or Gitea were set to application/x-www-form-urlencoded.
// The signature covers the raw body either way, so this runs after Verify.
func jsonPayload(h http.Header, body []byte) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, badRequest("body", "not a URL-encoded form: %v", err)
		}
		if !form.Has("payload") {
			return nil, badRequest("payload", "form field is missing")
		}
		return []byte(form.Get("payload")), nil
	}
	return body, nil
}

// decode unmarshals a JSON object into v, naming the offending field when a
// value has the wrong type.
func decode(payload []byte, v any) error {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 {
		return badRequest("body", "is empty")
	}
	if trimmed[0] != '{' {
		return badRequest("body", "is not a JSON object")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return badRequest(te.Field, "is a JSON %s, want %s", te.Value, te.Type)
		}
		return badRequest("body", "is not valid JSON: %v", err)
	}
	return nil
}

// eventName is the sender's event header; Forgejo's and Gitea's own headers
// win over the X-GitHub-Event they also send.
func eventName(style Style, h http.Header) string {
	switch style {
	case GitHub:
		return h.Get(hdrGitHubEvent)
	case Gitea:
		return first(h, hdrForgejoEvent, hdrGiteaEvent, hdrGitHubEvent)
	case GitLab:
		return h.Get(hdrGitLabEvent)
	case Token:
		if e := h.Get(hdrGitHubEvent); e != "" {
			return e
		}
		return "push"
	}
	return ""
}

func deliveryID(style Style, h http.Header, body []byte) string {
	var id string
	switch style {
	case GitHub, Token:
		id = first(h, hdrGitHubDeliver, hdrRequestID)
	case Gitea:
		id = first(h, hdrForgejoDeliv, hdrGiteaDeliver, hdrGitHubDeliver, hdrRequestID)
	case GitLab:
		id = first(h, hdrGitLabUUID, hdrIdempotency, hdrRequestID)
	}
	if id != "" {
		return id
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func first(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

const zeroSHA = "0000000000000000000000000000000000000000"

// isSHA1 reports whether s is 40 lower-case hex digits, as all three senders
// write object names. SHA-256 repositories (64 hex) are refused for now:
// nothing downstream handles them.
func isSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkSHA validates a required before/after field.
func checkSHA(field, s string) error {
	if s == "" {
		return badRequest(field, "is missing")
	}
	if !isSHA1(s) {
		return badRequest(field, "is not a 40-hex SHA-1: %.64q", s)
	}
	return nil
}

// setRef fills Ref, Branch and Tag, refusing refs that are neither a branch
// nor a tag (refs/notes, refs/merge-requests, ...): nothing builds them.
func (p *Push) setRef(field, ref string) error {
	switch {
	case ref == "":
		return badRequest(field, "is missing")
	case strings.HasPrefix(ref, "refs/heads/") && len(ref) > len("refs/heads/"):
		p.Branch = strings.TrimPrefix(ref, "refs/heads/")
	case strings.HasPrefix(ref, "refs/tags/") && len(ref) > len("refs/tags/"):
		p.Tag = strings.TrimPrefix(ref, "refs/tags/")
	default:
		return badRequest(field, "%.200q is neither refs/heads/… nor refs/tags/…", ref)
	}
	p.Ref = ref
	return nil
}
