package main

import (
	"runtime/debug"
	"strings"

	utilversion "k8s.io/apimachinery/pkg/util/version"
)

// releaseVersion is the version this tree will be released as; builds
// that are not that release carry it as their base.
const releaseVersion = "v0.1.0"

// gitVersion is the server's version as kubectl parses it (semver with a
// leading v): -X main.version when it is semver (a release build, or
// `git describe --tags` of a tagged tree: v0.1.0-3-g339c1d3), else
// releaseVersion with the build's name and its vcs revision
// (v0.1.0-dev+339c1d3, .dirty when modified), which still sorts as
// semver.
func gitVersion(v string, info *debug.BuildInfo, ok bool) string {
	if sv, err := utilversion.ParseSemantic(strings.TrimPrefix(v, "v")); err == nil {
		return "v" + sv.String()
	}
	pre := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, v)
	if pre == "" {
		pre = "dev"
	}
	out := releaseVersion + "-" + strings.Trim(pre, ".-")
	if ok {
		var rev string
		dirty := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 7 {
			rev = rev[:7]
		}
		if rev != "" {
			out += "+" + rev
			if dirty {
				out += ".dirty"
			}
		}
	}
	return out
}

// serverVersion is this binary's gitVersion.
func serverVersion() string {
	info, ok := debug.ReadBuildInfo()
	return gitVersion(version, info, ok)
}
