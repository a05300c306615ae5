package backend

import (
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Git is how the Pipelines' git sources are reached (the server config's
// git section).
type Git struct {
	// InsteadOf rewrites source URLs as git's url.<base>.insteadOf does:
	// a source starting with an entry's insteadOf is fetched from its url
	// followed by the rest; the longest matching prefix wins. A mirror
	// inside the network, or the sandbox's git server standing in for
	// git.example.com, is reached this way without editing Pipelines.
	InsteadOf []GitRewrite `json:"insteadOf,omitempty"`
}

// GitRewrite is one url.<url>.insteadOf <insteadOf> rule.
type GitRewrite struct {
	URL       string `json:"url"`
	InsteadOf string `json:"insteadOf"`
}

// Rewrite applies the rules to a source URL.
func (g Git) Rewrite(u string) string {
	best := -1
	for i, r := range g.InsteadOf {
		if strings.HasPrefix(u, r.InsteadOf) && (best < 0 || len(r.InsteadOf) > len(g.InsteadOf[best].InsteadOf)) {
			best = i
		}
	}
	if best < 0 {
		return u
	}
	return g.InsteadOf[best].URL + strings.TrimPrefix(u, g.InsteadOf[best].InsteadOf)
}

// Validate names each bad rule's field.
func (g Git) Validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, r := range g.InsteadOf {
		rp := p.Child("insteadOf").Index(i)
		if r.InsteadOf == "" {
			errs = append(errs, field.Required(rp.Child("insteadOf"), "the URL prefix to rewrite"))
		} else if seen[r.InsteadOf] {
			errs = append(errs, field.Duplicate(rp.Child("insteadOf"), r.InsteadOf))
		}
		seen[r.InsteadOf] = true
		if r.URL == "" {
			errs = append(errs, field.Required(rp.Child("url"), "the URL prefix to fetch from instead"))
		} else if pu, err := url.Parse(r.URL); err != nil || (pu.Scheme == "" && !strings.Contains(r.URL, "@")) {
			errs = append(errs, field.Invalid(rp.Child("url"), r.URL, "must be a git URL prefix (https://host/, ssh://host/, file:///dir/, user@host:)"))
		}
	}
	return errs
}
