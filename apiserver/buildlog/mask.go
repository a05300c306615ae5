package buildlog

import (
	"sort"
	"strings"

	"minka/api/sealed"
	"minka/api/v1alpha1"
)

// masked is what a secret reads as in a console, as Jenkins' Credentials
// Binding plugin prints it.
const masked = "****"

// masker hides the clear values of a Build's sealed parameters from its
// console: Jenkins was handed them in clear, and a job that prints one
// (a shell's -x trace does) must not make minka show it. A console comes
// in chunks, and a value may straddle two: the tail of a chunk that could
// begin a value is held back until the next one.
type masker struct {
	secrets []string // longest first, so that a value inside another is not unmasked by it
	held    string
}

// newMasker opens every sealed value of the Build and its Pipeline; one
// that does not open was never handed to Jenkins.
func newMasker(keys *sealed.Keys, objs ...v1alpha1.Object) *masker {
	m := &masker{}
	for _, o := range objs {
		for _, f := range v1alpha1.SealedFields(o) {
			if !f.Sealed() {
				continue
			}
			if v, err := v1alpha1.OpenValue(keys, f); err == nil && v != "" {
				m.secrets = append(m.secrets, v)
			}
		}
	}
	sort.Slice(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
	return m
}

// mask returns the text of the next chunk that can be shown; last says
// no chunk follows.
func (m *masker) mask(s string, last bool) string {
	if len(m.secrets) == 0 {
		return s
	}
	s, m.held = m.held+s, ""
	for _, v := range m.secrets {
		s = strings.ReplaceAll(s, v, masked)
	}
	if last {
		return s
	}
	keep := 0
	for _, v := range m.secrets {
		for n := min(len(v)-1, len(s)); n > keep; n-- {
			if strings.HasSuffix(s, v[:n]) {
				keep = n
				break
			}
		}
	}
	s, m.held = s[:len(s)-keep], s[len(s)-keep:]
	return s
}
