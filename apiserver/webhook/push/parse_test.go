package push

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Delivery IDs as the senders' documentation shows them.
const (
	ghDelivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
	gtDelivery = "f6266f16-1bf3-46a5-9ea4-602e06ead473"
	glUUID     = "13792a34-cac6-4fda-95a8-c58e00a3954e"
)

// headersFor is what each sender puts beside the body.
func headersFor(style Style, event string) http.Header {
	switch style {
	case GitHub:
		return hdr("X-GitHub-Event", event, "X-GitHub-Delivery", ghDelivery)
	case Gitea:
		return giteaHeaders(testSecret, nil, event)
	case GitLab:
		return hdr("X-Gitlab-Event", event, "X-Gitlab-Event-UUID", glUUID)
	}
	if event != "" {
		return hdr("X-GitHub-Event", event)
	}
	return http.Header{} // Token: Ochopod-era hooks may send nothing else
}

const (
	zeros    = "0000000000000000000000000000000000000000"
	ghHead   = "fd489864e7642b48eaad6e3f155c10e46810ec72"
	ghBefore = "737d38c599c1b2991664dfc6155d6bf516fcce36"
	ghClone  = "https://github.com/binkkatal/sample_app.git"
	gtHead   = "67b56589a45103f891bdee7c0546e5d40bc02001"
	gtClone  = "http://localhost:3000/example/example.git"
	glHead   = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
	glClone  = "http://example.com/mike/diaspora.git"
)

func TestParseFixtures(t *testing.T) {
	ghPush := Push{Style: GitHub, Event: "push", DeliveryID: ghDelivery, Ref: "refs/heads/master", Branch: "master",
		SHA1: ghHead, Before: ghBefore, HeadMessage: "test a push event",
		Repository: ghClone, FullName: "binkkatal/sample_app", Sender: "binkkatal"}
	gtPush := Push{Style: Gitea, Event: "push", DeliveryID: gtDelivery, Ref: "refs/heads/master", Branch: "master",
		Created: true, SHA1: gtHead, Before: zeros, HeadMessage: "example\n",
		Repository: gtClone, FullName: "example/example", Sender: "example"}
	glPush := Push{Style: GitLab, Event: "Push Hook", DeliveryID: glUUID, Ref: "refs/heads/master", Branch: "master",
		SHA1: glHead, Before: "95790bf891e76fee5e1747ab589903a6a1f80f22", HeadMessage: "fixed readme",
		Repository: glClone, FullName: "mike/diaspora", Sender: "jsmith"}

	with := func(p Push, f func(*Push)) Push { f(&p); return p }
	tests := []struct {
		file  string
		style Style
		event string
		want  Push
	}{
		{"github/push.json", GitHub, "push", ghPush},
		{"github/tag.json", GitHub, "push", with(ghPush, func(p *Push) {
			p.Ref, p.Branch, p.Tag, p.Created, p.Before = "refs/tags/v1.2", "", "v1.2", true, zeros
		})},
		{"github/delete.json", GitHub, "push", with(ghPush, func(p *Push) {
			p.Ref, p.Branch, p.Deleted, p.SHA1, p.Before, p.HeadMessage = "refs/heads/feature", "feature", true, "", ghHead, ""
		})},
		{"github/ping.json", GitHub, "ping", Push{Style: GitHub, Event: "ping", DeliveryID: ghDelivery, Ping: true}},
		{"github/skipci.json", GitHub, "push", with(ghPush, func(p *Push) {
			p.HeadMessage, p.SkipCI, p.SkipDirective = "docs: fix a typo [skip ci]", true, "[skip ci]"
		})},
		{"github/skipchecks.json", GitHub, "push", with(ghPush, func(p *Push) {
			p.HeadMessage, p.SkipCI, p.SkipDirective = "docs: fix a typo\n\n\nskip-checks: true", true, "skip-checks: true"
		})},
		// The Ochopod hook: GitHub's body, no event or delivery header.
		{"github/push.json", Token, "", with(ghPush, func(p *Push) {
			p.Style = Token
			sum := sha256.Sum256(fixture(t, "github/push.json"))
			p.DeliveryID = "sha256:" + hex.EncodeToString(sum[:])
		})},

		{"gitea/push.json", Gitea, "push", gtPush},
		{"gitea/tag.json", Gitea, "push", with(gtPush, func(p *Push) {
			p.Ref, p.Branch, p.Tag = "refs/tags/v1.2", "", "v1.2"
		})},
		{"gitea/delete.json", Gitea, "delete", Push{Style: Gitea, Event: "delete", DeliveryID: gtDelivery,
			Ref: "refs/heads/feature", Branch: "feature", Deleted: true,
			Repository: gtClone, FullName: "example/example", Sender: "example"}},
		{"gitea/test-delivery.json", Gitea, "push", with(gtPush, func(p *Push) {
			p.Before, p.Created = gtHead, false
		})},
		{"gitea/skipci.json", Gitea, "push", with(gtPush, func(p *Push) {
			p.Ref, p.Branch, p.Created, p.Before = "refs/heads/main", "main", false, gtHead
			p.SHA1 = "5a2c9d8e0f1b3a4c6d7e8f9a0b1c2d3e4f5a6b7c"
			p.HeadMessage, p.SkipCI, p.SkipDirective = "chore: bump version [CI SKIP]\n", true, "[ci skip]"
		})},

		{"gitlab/push.json", GitLab, "Push Hook", glPush},
		{"gitlab/tag.json", GitLab, "Tag Push Hook", Push{Style: GitLab, Event: "Tag Push Hook", DeliveryID: glUUID,
			Ref: "refs/tags/v1.0.0", Tag: "v1.0.0", Created: true, SHA1: "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", Before: zeros,
			Repository: "http://example.com/jsmith/example.git", FullName: "jsmith/example", Sender: "jsmith"}},
		{"gitlab/delete.json", GitLab, "Push Hook", with(glPush, func(p *Push) {
			p.Ref, p.Branch, p.Deleted, p.SHA1, p.Before, p.HeadMessage = "refs/heads/feature", "feature", true, "", glHead, ""
		})},
		{"gitlab/skipci.json", GitLab, "Push Hook", with(glPush, func(p *Push) {
			p.HeadMessage, p.SkipCI, p.SkipDirective = "fixed readme [skip ci]", true, "[skip ci]"
		})},
	}
	for _, tt := range tests {
		t.Run(string(tt.style)+"/"+tt.file, func(t *testing.T) {
			got, err := Parse(tt.style, headersFor(tt.style, tt.event), fixture(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Push (-want +got):\n%s", d)
			}
		})
	}
}

// A GitHub or Gitea hook set to application/x-www-form-urlencoded sends the
// JSON as the "payload" field.
func TestParseForm(t *testing.T) {
	body := []byte("payload=" + url.QueryEscape(string(fixture(t, "gitea/push.json"))))
	h := headersFor(Gitea, "push")
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	got, err := Parse(Gitea, h, body)
	if err != nil || got.SHA1 != gtHead {
		t.Fatalf("Parse(form) = %+v, %v", got, err)
	}
	_, err = Parse(Gitea, h, []byte("other=1"))
	assertBadRequest(t, err, "payload")
}

func TestParseNotAPush(t *testing.T) {
	tests := []struct {
		file  string
		style Style
		event string
	}{
		{"github/issues.json", GitHub, "issues"},
		{"github/push.json", GitHub, "create"},
		{"gitea/issues.json", Gitea, "issues"},
		{"gitlab/merge-request.json", GitLab, "Merge Request Hook"},
		{"gitlab/push.json", GitLab, "System Hook"},
		{"github/issues.json", Token, "issues"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			_, err := Parse(tt.style, headersFor(tt.style, tt.event), fixture(t, tt.file))
			if !errors.Is(err, ErrNotAPush) {
				t.Fatalf("err = %v, want ErrNotAPush", err)
			}
			if !strings.Contains(err.Error(), tt.event) {
				t.Errorf("err %q does not name event %q", err, tt.event)
			}
		})
	}
}

func assertBadRequest(t *testing.T, err error, field string) {
	t.Helper()
	var br *BadRequestError
	if !errors.As(err, &br) {
		t.Fatalf("err = %v, want *BadRequestError", err)
	}
	if br.Field != field {
		t.Errorf("Field = %q, want %q (%v)", br.Field, field, err)
	}
}

// edit returns the fixture with f applied to its decoded JSON.
func edit(t *testing.T, file string, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, file), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseBadRequest(t *testing.T) {
	del := func(k string) func(map[string]any) { return func(m map[string]any) { delete(m, k) } }
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }
	tests := []struct {
		name  string
		style Style
		event string
		body  []byte
		field string
	}{
		{"empty", GitHub, "push", fixture(t, "garbage/empty.txt"), "body"},
		{"text", GitHub, "push", fixture(t, "garbage/text.txt"), "body"},
		{"array", Gitea, "push", fixture(t, "garbage/array.json"), "body"},
		{"truncated", GitHub, "push", fixture(t, "garbage/truncated.json"), "body"},
		{"null", GitLab, "Push Hook", fixture(t, "garbage/null.json"), "body"},
		{"wrong types", GitHub, "push", fixture(t, "garbage/wrong-types.json"), "ref"},
		{"wrong types gitlab", GitLab, "Push Hook", fixture(t, "garbage/wrong-types.json"), "ref"},
		{"ping not an object", GitHub, "ping", fixture(t, "garbage/array.json"), "body"},

		{"github no event header", GitHub, "", fixture(t, "github/push.json"), "X-GitHub-Event"},
		{"github no ref", GitHub, "push", edit(t, "github/push.json", del("ref")), "ref"},
		{"github null ref", GitHub, "push", edit(t, "github/push.json", set("ref", nil)), "ref"},
		{"github notes ref", GitHub, "push", edit(t, "github/push.json", set("ref", "refs/notes/commits")), "ref"},
		{"github bare refs/heads/", GitHub, "push", edit(t, "github/push.json", set("ref", "refs/heads/")), "ref"},
		{"github no before", GitHub, "push", edit(t, "github/push.json", del("before")), "before"},
		{"github no after", GitHub, "push", edit(t, "github/push.json", del("after")), "after"},
		{"github short after", GitHub, "push", edit(t, "github/push.json", set("after", "fd48986")), "after"},
		{"github sha256 after", GitHub, "push", edit(t, "github/push.json", set("after", strings.Repeat("a", 64))), "after"},
		{"github upper-case after", GitHub, "push", edit(t, "github/push.json", set("after", strings.ToUpper(ghHead))), "after"},
		{"github no repository", GitHub, "push", edit(t, "github/push.json", del("repository")), "repository"},
		{"github bad head_commit.id", GitHub, "push", edit(t, "github/push.json", func(m map[string]any) {
			m["head_commit"].(map[string]any)["id"] = "nope"
		}), "head_commit.id"},
		{"github head_commit.message a number", GitHub, "push", edit(t, "github/push.json", func(m map[string]any) {
			m["head_commit"].(map[string]any)["message"] = 7
		}), "head_commit.message"},

		{"gitea no event header", Gitea, "", fixture(t, "gitea/push.json"), "X-Gitea-Event"},
		{"gitea no repository", Gitea, "push", edit(t, "gitea/push.json", del("repository")), "repository"},
		{"gitea delete bad ref_type", Gitea, "delete", edit(t, "gitea/delete.json", set("ref_type", "wat")), "ref_type"},
		{"gitea delete no ref", Gitea, "delete", edit(t, "gitea/delete.json", set("ref", "")), "ref"},
		{"gitea delete no repository", Gitea, "delete", edit(t, "gitea/delete.json", del("repository")), "repository"},

		{"gitlab no event header", GitLab, "", fixture(t, "gitlab/push.json"), "X-Gitlab-Event"},
		{"gitlab no object_kind", GitLab, "Push Hook", edit(t, "gitlab/push.json", del("object_kind")), "object_kind"},
		{"gitlab tag body as Push Hook", GitLab, "Push Hook", fixture(t, "gitlab/tag.json"), "object_kind"},
		{"gitlab tag kind on a branch", GitLab, "Tag Push Hook", edit(t, "gitlab/push.json", set("object_kind", "tag_push")), "ref"},
		{"gitlab no ref", GitLab, "Push Hook", edit(t, "gitlab/push.json", del("ref")), "ref"},
		{"gitlab no after", GitLab, "Push Hook", edit(t, "gitlab/push.json", del("after")), "after"},
		{"gitlab no project", GitLab, "Push Hook", edit(t, "gitlab/push.json", del("project")), "project"},
		{"gitlab bad checkout_sha", GitLab, "Push Hook", edit(t, "gitlab/push.json", set("checkout_sha", "HEAD")), "checkout_sha"},
		{"gitlab commits not a list", GitLab, "Push Hook", edit(t, "gitlab/push.json", set("commits", "many")), "commits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.style, headersFor(tt.style, tt.event), tt.body)
			assertBadRequest(t, err, tt.field)
		})
	}
}

func TestParseBodyTooLarge(t *testing.T) {
	_, err := Parse(GitHub, headersFor(GitHub, "push"), make([]byte, MaxBodyBytes+1))
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
}

func TestDeliveryID(t *testing.T) {
	body := []byte("{}")
	sum := sha256.Sum256(body)
	hashed := "sha256:" + hex.EncodeToString(sum[:])
	tests := []struct {
		style Style
		h     http.Header
		want  string
	}{
		{GitHub, hdr("X-GitHub-Delivery", "gh"), "gh"},
		{GitHub, hdr("X-Request-Id", "rid"), "rid"},
		{GitHub, http.Header{}, hashed},
		{Gitea, hdr("X-Forgejo-Delivery", "fj", "X-Gitea-Delivery", "gt"), "fj"},
		{Gitea, hdr("X-Gitea-Delivery", "gt", "X-GitHub-Delivery", "gh"), "gt"},
		{GitLab, hdr("X-Gitlab-Event-UUID", "uuid", "Idempotency-Key", "idem"), "uuid"},
		{GitLab, hdr("Idempotency-Key", "idem"), "idem"},
		{Token, hdr("X-GitHub-Delivery", "gh"), "gh"},
		{Token, hdr("X-Request-Id", "rid"), "rid"},
		{Token, http.Header{}, hashed},
	}
	for _, tt := range tests {
		if got := deliveryID(tt.style, tt.h, body); got != tt.want {
			t.Errorf("deliveryID(%s, %v) = %q, want %q", tt.style, tt.h, got, tt.want)
		}
	}
}

func TestSkipDirective(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"fix the build", ""},
		{"docs [skip ci]", "[skip ci]"},
		{"[CI SKIP] docs", "[ci skip]"},
		{"[Skip CI]", "[skip ci]"},
		{"readme [no ci]", "[no ci]"},
		{"x [skip actions]", "[skip actions]"},
		{"x [actions skip]", "[actions skip]"},
		{"skip ci please", ""},
		{"[skip-ci]", ""},
		{"docs\n\n\nskip-checks: true", "skip-checks: true"},
		{"docs\n\nSigned-off-by: A <a@b>\nskip-checks:true\n", "skip-checks: true"},
		{"docs\n\nSKIP-CHECKS: TRUE", "skip-checks: true"},
		{"skip-checks: true", ""},                              // no trailer block
		{"docs\n\nskip-checks: true\n\nmore prose", ""},        // not the last paragraph
		{"docs\n\nskip-checks: false", ""},                     // not true
		{"docs\n\nwe could add skip-checks: true one day", ""}, // prose, not a trailer
		{"first [skip ci] is enough even with\n\nskip-checks: false", "[skip ci]"},
	}
	for _, tt := range tests {
		if got := skipDirective(tt.msg); got != tt.want {
			t.Errorf("skipDirective(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}
