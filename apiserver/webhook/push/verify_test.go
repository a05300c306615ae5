package push

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"net/http"
	"strings"
	"testing"
)

var (
	testSecret = []byte("It's a Secret to Everybody")
	testBody   = []byte(`{"ref":"refs/heads/main"}`)
)

func macHex(newHash func() hash.Hash, secret, body []byte) string {
	m := hmac.New(newHash, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func sig256(secret, body []byte) string { return macHex(sha256.New, secret, body) }
func sig1(secret, body []byte) string   { return macHex(sha1.New, secret, body) }

// hdr builds a header from name/value pairs, keeping empty values (Gitea
// sends an empty X-Gitea-Signature when the hook has no secret).
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[http.CanonicalHeaderKey(kv[i])] = []string{kv[i+1]}
	}
	return h
}

// giteaHeaders is the full header set Gitea's services/webhook/deliver.go
// sends, so detection is tested against the GitHub headers it also sends.
func giteaHeaders(secret, body []byte, event string) http.Header {
	s256, s1 := sig256(secret, body), sig1(secret, body)
	return hdr(
		"X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473",
		"X-Gitea-Event", event, "X-Gitea-Event-Type", event,
		"X-Gitea-Signature", s256,
		"X-Gogs-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473",
		"X-Gogs-Event", event, "X-Gogs-Signature", s256,
		"X-Hub-Signature", "sha1="+s1, "X-Hub-Signature-256", "sha256="+s256,
		"X-GitHub-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473",
		"X-GitHub-Event", event,
	)
}

func TestVerify(t *testing.T) {
	good := sig256(testSecret, testBody)
	other := []byte("another secret")
	tests := []struct {
		name   string
		h      http.Header
		body   []byte
		secret []byte
		style  Style
		ok     bool
		header string // the header the error must name
	}{
		// GitHub
		{"github right", hdr("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256="+good), testBody, testSecret, GitHub, true, ""},
		{"github upper-case hex is the same MAC", hdr("X-Hub-Signature-256", "sha256="+strings.ToUpper(good)), testBody, testSecret, GitHub, true, ""},
		{"github also sending legacy sha1", hdr("X-Hub-Signature-256", "sha256="+good, "X-Hub-Signature", "sha1="+sig1(testSecret, testBody)), testBody, testSecret, GitHub, true, ""},
		{"github wrong", hdr("X-Hub-Signature-256", "sha256="+strings.Repeat("ab", 32)), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github missing", hdr("X-GitHub-Event", "push"), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github different body", hdr("X-Hub-Signature-256", "sha256="+good), []byte(`{"ref":"refs/heads/evil"}`), testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github another secret", hdr("X-Hub-Signature-256", "sha256="+sig256(other, testBody)), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github sha1= prefix", hdr("X-Hub-Signature-256", "sha1="+sig1(testSecret, testBody)), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github sha1= prefix on a sha256 MAC", hdr("X-Hub-Signature-256", "sha1="+good), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github no prefix", hdr("X-Hub-Signature-256", good), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github not hex", hdr("X-Hub-Signature-256", "sha256=zz"+good[2:]), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github truncated MAC", hdr("X-Hub-Signature-256", "sha256="+good[:32]), testBody, testSecret, GitHub, false, "X-Hub-Signature-256"},
		{"github empty secret", hdr("X-Hub-Signature-256", "sha256="+sig256(nil, testBody)), testBody, nil, GitHub, false, "secret"},

		// Gitea / Forgejo
		{"gitea full header set", giteaHeaders(testSecret, testBody, "push"), testBody, testSecret, Gitea, true, ""},
		{"gitea signature only", hdr("X-Gitea-Signature", good), testBody, testSecret, Gitea, true, ""},
		{"gitea upper-case hex", hdr("X-Gitea-Signature", strings.ToUpper(good)), testBody, testSecret, Gitea, true, ""},
		{"forgejo signature", hdr("X-Forgejo-Event", "push", "X-Forgejo-Signature", good), testBody, testSecret, Gitea, true, ""},
		{"gitea via X-Hub-Signature-256", hdr("X-Gitea-Event", "push", "X-Hub-Signature-256", "sha256="+good), testBody, testSecret, Gitea, true, ""},
		{"gitea wrong", giteaHeaders(other, testBody, "push"), testBody, testSecret, Gitea, false, "X-Gitea-Signature"},
		{"gitea different body", giteaHeaders(testSecret, []byte("{}"), "push"), testBody, testSecret, Gitea, false, "X-Gitea-Signature"},
		{"gitea no secret set (empty header)", hdr("X-Gitea-Event", "push", "X-Gitea-Signature", ""), testBody, testSecret, Gitea, false, "X-Gitea-Signature"},
		{"gitea missing", hdr("X-Gitea-Event", "push"), testBody, testSecret, Gitea, false, "X-Gitea-Signature"},
		{"gitea sha256= prefix on bare header", hdr("X-Gitea-Signature", "sha256="+good), testBody, testSecret, Gitea, false, "X-Gitea-Signature"},
		{"forgejo wrong, gitea right", hdr("X-Forgejo-Signature", sig256(other, testBody), "X-Gitea-Signature", good), testBody, testSecret, Gitea, false, "X-Forgejo-Signature"},
		{"gitea X-Hub-Signature-256 with sha1=", hdr("X-Gitea-Event", "push", "X-Hub-Signature-256", "sha1="+good), testBody, testSecret, Gitea, false, "X-Hub-Signature-256"},

		// GitLab
		{"gitlab right", hdr("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", string(testSecret)), testBody, testSecret, GitLab, true, ""},
		{"gitlab wrong", hdr("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "guess"), testBody, testSecret, GitLab, false, "X-Gitlab-Token"},
		{"gitlab prefix of the secret", hdr("X-Gitlab-Token", string(testSecret[:5])), testBody, testSecret, GitLab, false, "X-Gitlab-Token"},
		{"gitlab secret plus more", hdr("X-Gitlab-Token", string(testSecret)+"x"), testBody, testSecret, GitLab, false, "X-Gitlab-Token"},
		{"gitlab other case", hdr("X-Gitlab-Token", strings.ToUpper(string(testSecret))), testBody, testSecret, GitLab, false, "X-Gitlab-Token"},
		{"gitlab missing", hdr("X-Gitlab-Event", "Push Hook"), testBody, testSecret, GitLab, false, "X-Gitlab-Token"},
		{"gitlab token wins over github headers", hdr("X-Gitlab-Token", "guess", "X-Hub-Signature-256", "sha256="+good), testBody, testSecret, GitLab, false, "X-Gitlab-Token"},

		// Token: the Ochopod hook's X-Hub-Signature
		{"token right", hdr("X-Hub-Signature", "sha1="+sig1(testSecret, testBody)), testBody, testSecret, Token, true, ""},
		{"token upper-case hex", hdr("X-Hub-Signature", "sha1="+strings.ToUpper(sig1(testSecret, testBody))), testBody, testSecret, Token, true, ""},
		{"token wrong", hdr("X-Hub-Signature", "sha1="+sig1(other, testBody)), testBody, testSecret, Token, false, "X-Hub-Signature"},
		{"token different body", hdr("X-Hub-Signature", "sha1="+sig1(testSecret, []byte("{}"))), testBody, testSecret, Token, false, "X-Hub-Signature"},
		{"token sha256= prefix", hdr("X-Hub-Signature", "sha256="+good), testBody, testSecret, Token, false, "X-Hub-Signature"},
		{"token plain secret is not a signature", hdr("X-Hub-Signature", string(testSecret)), testBody, testSecret, Token, false, "X-Hub-Signature"},

		// Nothing recognisable, or a plain token where none is accepted.
		{"no headers", http.Header{}, testBody, testSecret, "", false, "X-Hub-Signature-256"},
		{"X-Minka-Token is not accepted", hdr("X-Minka-Token", string(testSecret)), testBody, testSecret, "", false, "X-Hub-Signature-256"},
		{"Authorization is not accepted", hdr("Authorization", "Bearer "+string(testSecret)), testBody, testSecret, "", false, "X-Hub-Signature-256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			query := map[string][]string{"token": {string(tt.secret)}} // must be ignored
			style, err := Verify(tt.h, query, tt.body, tt.secret)
			if style != tt.style {
				t.Errorf("style = %q, want %q", style, tt.style)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.header) {
				t.Errorf("err %q does not name %s", msg, tt.header)
			}
			// Never the expected value, nor the secret.
			for _, secret := range []string{sig256(tt.secret, tt.body), sig1(tt.secret, tt.body)} {
				if strings.Contains(strings.ToLower(msg), secret) {
					t.Errorf("err %q leaks the expected MAC", msg)
				}
			}
			if len(tt.secret) > 0 && strings.Contains(msg, string(tt.secret)) {
				t.Errorf("err %q leaks the secret", msg)
			}
		})
	}
}

func TestVerifyBodyTooLarge(t *testing.T) {
	body := make([]byte, MaxBodyBytes+1)
	_, err := Verify(hdr("X-Hub-Signature-256", "sha256="+sig256(testSecret, body)), nil, body, testSecret)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
}

func TestReadBody(t *testing.T) {
	for _, n := range []int{0, 1, MaxBodyBytes} {
		got, err := ReadBody(bytes.NewReader(make([]byte, n)))
		if err != nil || len(got) != n {
			t.Errorf("ReadBody(%d bytes) = %d bytes, %v", n, len(got), err)
		}
	}
	if _, err := ReadBody(bytes.NewReader(make([]byte, MaxBodyBytes+1))); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("ReadBody(MaxBodyBytes+1) err = %v, want ErrBodyTooLarge", err)
	}
}
