// Package repoquery answers shaman's questions about Repos — which repos
// a search names, and "what is the newest sha1 of this ref that is ready
// on every one of these distros?" — as pure functions over Repo objects
// and an in-memory index of them. The shaman endpoints serve from it; the
// CLI and the tests compare it with BruteForceLatest.
//
// A Repo's state comes only from its status.distros (state, modified,
// url, chacraURL, archs); its spec gives project, ref, sha1 and flavor.
package repoquery

import (
	"fmt"
	"strings"
)

// The ubuntu and debian releases, codename → number: shaman's, and the
// releases it does not know yet (ubuntu 16.10 onwards but yakkety,
// debian 12 and 13), so that "ubuntu/24.04" finds noble. shaman keeps
// two tables (codename→number, number→codename) and the second lacks
// debian 10 and 11, so "debian/11" and "debian/bullseye" are two distros
// there; here both directions come from this one table, so they are the
// same distro.
var releases = map[string]map[string]string{
	"ubuntu": {"trusty": "14.04", "xenial": "16.04", "yakkety": "16.10", "zesty": "17.04", "artful": "17.10", "bionic": "18.04",
		"cosmic": "18.10", "disco": "19.04", "eoan": "19.10", "focal": "20.04", "groovy": "20.10", "hirsute": "21.04",
		"impish": "21.10", "jammy": "22.04", "kinetic": "22.10", "lunar": "23.04", "mantic": "23.10", "noble": "24.04",
		"oracular": "24.10", "plucky": "25.04", "questing": "25.10"},
	"debian": {"wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13"},
}

var numbers = func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for d, m := range releases {
		out[d] = map[string]string{}
		for code, num := range m {
			out[d][num] = code
		}
	}
	return out
}()

// Release splits a distro version as shaman's parse_distro_release does:
// the codename and the number, either "" when unknown. An all-letters
// identifier is a codename; anything else is a number.
func Release(distro, version string) (codename, number string) {
	if version == "" {
		return "", ""
	}
	if n, ok := releases[distro][version]; ok {
		return version, n
	}
	if c, ok := numbers[distro][version]; ok {
		return c, version
	}
	if isAlpha(version) {
		return version, ""
	}
	return "", version
}

// VersionKey is the name under which two spellings of one release
// compare equal: the codename when there is one ("ubuntu", "16.04" and
// "ubuntu", "xenial" both give "xenial"), else the version.
func VersionKey(distro, version string) string {
	if c, _ := Release(distro, version); c != "" {
		return c
	}
	return version
}

// SameRelease reports whether two distro/version pairs name one release.
func SameRelease(d1, v1, d2, v2 string) bool {
	return d1 == d2 && VersionKey(d1, v1) == VersionKey(d2, v2)
}

func isAlpha(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return s != ""
}

// DistroQuery is one element of a distros parameter.
type DistroQuery struct {
	Distro  string
	Version string
	// Arch is "" for any architecture.
	Arch string
}

func (d DistroQuery) String() string {
	s := d.Distro + "/" + d.Version
	if d.Arch != "" {
		s += "/" + d.Arch
	}
	return s
}

// ParseDistros parses shaman's distros parameter: distro/version[/arch],
// comma-separated, a version being a number or a codename. The error is
// worded as shaman's 400 ("Invalid version or codename for distro: X").
func ParseDistros(s string) ([]DistroQuery, error) {
	if s == "" {
		return nil, nil
	}
	var out []DistroQuery
	for _, part := range strings.Split(s, ",") {
		distro, rest, _ := strings.Cut(part, "/")
		version, arch, _ := strings.Cut(rest, "/")
		version = strings.TrimSpace(version)
		if distro == "" || version == "" || strings.Contains(arch, "/") {
			return nil, fmt.Errorf("Invalid version or codename for distro: %s", distro)
		}
		out = append(out, DistroQuery{Distro: distro, Version: version, Arch: arch})
	}
	return out, nil
}
