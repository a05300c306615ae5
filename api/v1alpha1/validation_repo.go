package v1alpha1

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	fullSHA1  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	shortSHA1 = regexp.MustCompile(`^[0-9a-f]{7,40}$`)
	// chacra path segments: distro, version, arch, project, flavor.
	pathSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
)

// validateRepo checks a Repo's spec; a discovered one (created from a
// shaman build report before any binaries) may have no distros yet.
func validateRepo(s *RepoSpec, discovered bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateBackend(s.Chacra, p.Child("chacra"))...)
	errs = append(errs, segment(s.Project, p.Child("project"))...)
	errs = append(errs, validateGitRef(s.Ref, p.Child("ref"))...)
	if !fullSHA1.MatchString(s.SHA1) {
		errs = append(errs, field.Invalid(p.Child("sha1"), s.SHA1, "must be 40 lowercase hex digits"))
	}
	errs = append(errs, segment(s.Flavor, p.Child("flavor"))...)
	if s.Node != "" && len(s.Node) > maxPathBytes {
		errs = append(errs, field.TooLong(p.Child("node"), "", maxPathBytes))
	}
	if s.BuildTimeout != nil && s.BuildTimeout.Duration < time.Second {
		errs = append(errs, field.Invalid(p.Child("buildTimeout"), s.BuildTimeout.Duration.String(), "must be at least 1s (chacra queues a build after its quiet time, 30s by default)"))
	}
	if s.MaxRetries != nil && (*s.MaxRetries < 0 || *s.MaxRetries > 100) {
		errs = append(errs, field.Invalid(p.Child("maxRetries"), *s.MaxRetries, "must be between 0 and 100"))
	}
	if s.DeletePolicy != "" && !slices.Contains(repoDeletePolicies, s.DeletePolicy) {
		errs = append(errs, field.NotSupported(p.Child("deletePolicy"), s.DeletePolicy, repoDeletePolicies))
	}
	if discovered && len(s.Distros) == 0 {
		return errs
	}
	return append(errs, validateDistros(s.Distros, p.Child("distros"))...)
}

func validateDistros(ds []Distro, p *field.Path) field.ErrorList {
	if len(ds) == 0 {
		return field.ErrorList{field.Required(p, "at least one distro")}
	}
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, d := range ds {
		dp := p.Index(i)
		errs = append(errs, segment(d.Distro, dp.Child("distro"))...)
		errs = append(errs, segment(d.Version, dp.Child("version"))...)
		errs = append(errs, segment(d.Arch, dp.Child("arch"))...)
		key := d.Distro + "/" + d.Version + "/" + d.Arch
		if seen.Has(key) {
			errs = append(errs, field.Duplicate(dp, key))
		}
		seen.Insert(key)
	}
	return errs
}

func segment(v string, p *field.Path) field.ErrorList {
	if v == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	if len(v) > maxSegmentBytes {
		return field.ErrorList{field.TooLong(p, "", maxSegmentBytes)}
	}
	if !pathSegment.MatchString(v) {
		return field.ErrorList{field.Invalid(p, v, "must be letters, digits, '.', '_', '+' or '-', starting with a letter or digit")}
	}
	return nil
}

// validateGitRef applies git check-ref-format's rules to a branch or tag.
func validateGitRef(ref string, p *field.Path) field.ErrorList {
	if ref == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	if len(ref) > maxPathBytes {
		// A ref is a file under .git/refs.
		return field.ErrorList{field.TooLong(p, "", maxPathBytes)}
	}
	bad := ""
	switch {
	case strings.ContainsAny(ref, " ~^:?*[\\\t\n"):
		bad = `must not contain whitespace or any of ~ ^ : ? * [ \`
	case strings.Contains(ref, ".."), strings.Contains(ref, "@{"), strings.Contains(ref, "//"):
		bad = `must not contain "..", "@{" or "//"`
	case strings.HasPrefix(ref, "/"), strings.HasPrefix(ref, "-"), strings.HasSuffix(ref, "/"),
		strings.HasSuffix(ref, "."), strings.HasSuffix(ref, ".lock"), ref == "@":
		bad = `must not start with "/" or "-", nor end with "/", "." or ".lock"`
	}
	for _, r := range ref {
		if r < 0x20 || r == 0x7f {
			bad = "must not contain control characters"
		}
	}
	if bad != "" {
		return field.ErrorList{field.Invalid(p, ref, fmt.Sprintf("not a valid git ref: %s", bad))}
	}
	return nil
}
