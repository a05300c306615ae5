package push

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Style is the sender's style.
type Style string

// The styles Verify recognises.
const (
	GitHub Style = "github"
	Gitea  Style = "gitea" // Gitea and Forgejo
	GitLab Style = "gitlab"
	Token  Style = "token" // the Ochopod hook: GitHub's legacy HMAC-SHA1 signature
)

// MaxBodyBytes bounds a delivery's body. GitHub caps payloads at 25 MB and
// drops larger events ("About webhook events and payloads", Payload cap,
// https://docs.github.com/webhooks/webhook-events-and-payloads); GitLab
// refuses to send a hook whose JSON exceeds 25 MB
// (https://gitlab.com/gitlab-org/gitlab/-/merge_requests/38687). Nothing
// legitimate is larger, so anything larger is refused before it is hashed.
const MaxBodyBytes = 25 << 20

// The headers, as the senders spell them (http.Header canonicalises lookups).
const (
	hdrHubSig256     = "X-Hub-Signature-256"
	hdrHubSig1       = "X-Hub-Signature"
	hdrGitHubEvent   = "X-GitHub-Event"
	hdrGitHubDeliver = "X-GitHub-Delivery"
	hdrGiteaSig      = "X-Gitea-Signature"
	hdrGiteaEvent    = "X-Gitea-Event"
	hdrGiteaDeliver  = "X-Gitea-Delivery"
	hdrForgejoSig    = "X-Forgejo-Signature"
	hdrForgejoEvent  = "X-Forgejo-Event"
	hdrForgejoDeliv  = "X-Forgejo-Delivery"
	hdrGitLabToken   = "X-Gitlab-Token"
	hdrGitLabEvent   = "X-Gitlab-Event"
	hdrGitLabUUID    = "X-Gitlab-Event-UUID"
	hdrIdempotency   = "Idempotency-Key"
	hdrRequestID     = "X-Request-Id"
)

var (
	// ErrUnauthorized is a missing or wrong signature or token: answer 401
	// and create nothing. The wrapped message names the header, never the
	// expected value.
	ErrUnauthorized = errors.New("webhook unauthorized")
	// ErrBodyTooLarge is a body over MaxBodyBytes: answer 413.
	ErrBodyTooLarge = fmt.Errorf("webhook body larger than %d bytes", MaxBodyBytes)
)

// ReadBody reads at most MaxBodyBytes from r, and fails with ErrBodyTooLarge
// rather than truncating, since a truncated body can never verify anyway.
func ReadBody(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading webhook body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

// Detect names the sender's style from its headers alone, or "" when no
// known header is present. Gitea is tried first because it also sends the
// X-GitHub-* and X-Hub-Signature* headers; GitLab before GitHub so a GitLab
// delivery behind a proxy adding GitHub headers is still held to its token.
func Detect(h http.Header) Style {
	switch {
	case has(h, hdrGiteaEvent, hdrForgejoEvent, hdrGiteaSig, hdrForgejoSig):
		return Gitea
	case has(h, hdrGitLabEvent, hdrGitLabToken):
		return GitLab
	case has(h, hdrHubSig256):
		return GitHub
	case has(h, hdrHubSig1):
		return Token
	case has(h, hdrGitHubEvent):
		// A GitHub delivery without a secret configured: GitHub style, so
		// the error names the header that should have been there.
		return GitHub
	}
	return ""
}

// Verify checks the delivery's authentication against secret and detects its
// style from the headers (see Detect and the package comment). Every
// comparison is constant time. query is accepted so the handler need not
// change if a sender ever authenticates through it, but none does: Ochopod's
// hook took only the signature header, and tokens in URLs end up in access
// logs.
func Verify(h http.Header, query url.Values, body []byte, secret []byte) (Style, error) {
	_ = query
	if len(body) > MaxBodyBytes {
		return "", ErrBodyTooLarge
	}
	style := Detect(h)
	if style == "" {
		return "", fmt.Errorf("%w: no %s, %s, %s or %s header", ErrUnauthorized,
			hdrHubSig256, hdrGiteaSig, hdrGitLabToken, hdrHubSig1)
	}
	// An empty key would let anyone compute the HMAC: refuse, whatever the
	// headers say.
	if len(secret) == 0 {
		return style, fmt.Errorf("%w: no secret is configured for this hook", ErrUnauthorized)
	}
	var err error
	switch style {
	case GitHub:
		err = checkHMAC(h, hdrHubSig256, "sha256=", sha256.New, body, secret)
	case Gitea:
		err = verifyGitea(h, body, secret)
	case GitLab:
		err = verifyGitLab(h, secret)
	case Token:
		err = checkHMAC(h, hdrHubSig1, "sha1=", sha1.New, body, secret)
	}
	return style, err
}

// verifyGitea prefers Forgejo's own header, then Gitea's (both bare hex),
// then the GitHub-compatible one Gitea also sends. Only the first present is
// checked: a right value in a later header does not excuse a wrong one.
func verifyGitea(h http.Header, body, secret []byte) error {
	for _, name := range []string{hdrForgejoSig, hdrGiteaSig} {
		if h.Get(name) != "" {
			return checkHMAC(h, name, "", sha256.New, body, secret)
		}
	}
	if h.Get(hdrHubSig256) != "" {
		return checkHMAC(h, hdrHubSig256, "sha256=", sha256.New, body, secret)
	}
	// Gitea sends X-Gitea-Signature empty when the hook has no secret.
	return fmt.Errorf("%w: header %s is missing or empty", ErrUnauthorized, hdrGiteaSig)
}

// checkHMAC compares the header's hex MAC, after prefix, with the MAC of
// body. The hex is decoded first so the bytes, not their spelling, are
// compared: upper-case hex is the same MAC.
func checkHMAC(h http.Header, name, prefix string, newHash func() hash.Hash, body, secret []byte) error {
	got := h.Get(name)
	if got == "" {
		return fmt.Errorf("%w: header %s is missing", ErrUnauthorized, name)
	}
	hexMAC, ok := strings.CutPrefix(got, prefix)
	if !ok {
		return fmt.Errorf("%w: header %s does not start with %q", ErrUnauthorized, name, prefix)
	}
	sent, err := hex.DecodeString(hexMAC)
	if err != nil {
		return fmt.Errorf("%w: header %s is not hex", ErrUnauthorized, name)
	}
	mac := hmac.New(newHash, secret)
	mac.Write(body)
	if !hmac.Equal(sent, mac.Sum(nil)) {
		return fmt.Errorf("%w: header %s does not match the body", ErrUnauthorized, name)
	}
	return nil
}

// verifyGitLab compares the token GitLab sends verbatim with the secret.
// Both are hashed first so the comparison takes the same time whatever their
// lengths (subtle.ConstantTimeCompare returns early on a length mismatch).
func verifyGitLab(h http.Header, secret []byte) error {
	got := h.Get(hdrGitLabToken)
	if got == "" {
		return fmt.Errorf("%w: header %s is missing", ErrUnauthorized, hdrGitLabToken)
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return fmt.Errorf("%w: header %s is wrong", ErrUnauthorized, hdrGitLabToken)
	}
	return nil
}

// has reports whether any of the headers is present, even empty.
func has(h http.Header, names ...string) bool {
	for _, n := range names {
		if _, ok := h[http.CanonicalHeaderKey(n)]; ok {
			return true
		}
	}
	return false
}
