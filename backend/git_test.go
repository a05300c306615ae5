package backend

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestGitRewrite(t *testing.T) {
	g := Git{InsteadOf: []GitRewrite{
		{URL: "http://127.0.0.1:9418/", InsteadOf: "https://git.example.com/"},
		{URL: "file:///srv/mirror/", InsteadOf: "https://git.example.com/big/"},
	}}
	for in, want := range map[string]string{
		"https://git.example.com/webapp.git":   "http://127.0.0.1:9418/webapp.git",
		"https://git.example.com/big/repo.git": "file:///srv/mirror/repo.git",
		"https://github.com/acme/webapp.git":   "https://github.com/acme/webapp.git",
	} {
		if got := g.Rewrite(in); got != want {
			t.Errorf("Rewrite(%q) = %q, want %q", in, got, want)
		}
	}
	bad := Git{InsteadOf: []GitRewrite{{URL: "", InsteadOf: "https://a/"}, {URL: "nowhere", InsteadOf: "https://a/"}}}
	errs := bad.Validate(field.NewPath("git"))
	msg := errs.ToAggregate().Error()
	for _, want := range []string{"git.insteadOf[0].url: Required", "git.insteadOf[1].insteadOf: Duplicate", "git.insteadOf[1].url: Invalid"} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors %q lack %q", msg, want)
		}
	}
}
