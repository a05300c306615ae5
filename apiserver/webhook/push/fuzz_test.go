package push

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

var fuzzStyles = []Style{GitHub, Gitea, GitLab, Token}

// FuzzParse feeds arbitrary bodies and event names to Parse. It must never
// panic, fail only with the documented errors, and every Push it returns
// must be buildable: a 40-hex SHA1 unless Deleted or Ping, a branch or tag
// ref unless Ping, and a delivery ID.
func FuzzParse(f *testing.F) {
	seeds := map[string][]string{
		"github": {"push", "ping", "delete", "issues"},
		"gitea":  {"push", "delete", "issues"},
		"gitlab": {"Push Hook", "Tag Push Hook", "Merge Request Hook"},
	}
	for dir, events := range seeds {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, file := range files {
			body, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			for i, s := range fuzzStyles {
				if string(s) == dir || (dir == "github" && s == Token) {
					for _, e := range events {
						f.Add(uint8(i), e, body)
					}
				}
			}
		}
	}
	garbage, _ := filepath.Glob(filepath.Join("testdata", "garbage", "*"))
	for _, file := range garbage {
		body, _ := os.ReadFile(file)
		f.Add(uint8(0), "push", body)
		f.Add(uint8(2), "Push Hook", body)
	}

	f.Fuzz(func(t *testing.T, styleN uint8, event string, body []byte) {
		style := fuzzStyles[int(styleN)%len(fuzzStyles)]
		h := http.Header{}
		switch style {
		case GitHub, Token:
			h.Set("X-GitHub-Event", event)
		case Gitea:
			h.Set("X-Gitea-Event", event)
		case GitLab:
			h.Set("X-Gitlab-Event", event)
		}
		p, err := Parse(style, h, body)
		if err != nil {
			var br *BadRequestError
			if !errors.Is(err, ErrNotAPush) && !errors.As(err, &br) && !errors.Is(err, ErrBodyTooLarge) {
				t.Fatalf("undocumented error %T: %v", err, err)
			}
			if br != nil && br.Field == "" {
				t.Fatalf("BadRequestError without a field: %v", err)
			}
			return
		}
		if p.DeliveryID == "" || p.Style != style {
			t.Fatalf("Push %+v: no delivery ID or wrong style", p)
		}
		switch {
		case p.Ping:
			if p.SHA1 != "" {
				t.Fatalf("ping with a SHA1: %+v", p)
			}
		case p.Deleted:
			if p.SHA1 != "" {
				t.Fatalf("deletion with a SHA1: %+v", p)
			}
		default:
			if !isSHA1(p.SHA1) {
				t.Fatalf("SHA1 %q is not 40 hex: %+v", p.SHA1, p)
			}
		}
		if !p.Ping && (p.Branch == "") == (p.Tag == "") {
			t.Fatalf("ref %q is not exactly one of branch or tag: %+v", p.Ref, p)
		}
		if p.SkipCI != (p.SkipDirective != "") {
			t.Fatalf("SkipCI and SkipDirective disagree: %+v", p)
		}
	})
}

// FuzzVerify: arbitrary headers and bodies never panic and, without the
// secret's MAC, never verify.
func FuzzVerify(f *testing.F) {
	f.Add("X-Hub-Signature-256", "sha256=00", []byte("{}"))
	f.Add("X-Gitea-Signature", "", []byte("{}"))
	f.Add("X-Gitlab-Token", "guess", []byte("{}"))
	f.Add("X-Hub-Signature", "sha1=", []byte(nil))
	f.Fuzz(func(t *testing.T, name, value string, body []byte) {
		h := http.Header{}
		h.Set(name, value)
		if _, err := Verify(h, nil, body, testSecret); err == nil {
			t.Fatalf("verified %s: %q without the secret", name, value)
		}
	})
}
