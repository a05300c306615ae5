package repoquery

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// RepoName is the name of the Repo of a project's ref, sha1 and flavor,
// whoever makes it (a Build's artifacts, a chacra callback discovering
// one): readable parts, and a hash of all four so that long
// or similar refs and flavors never collide. It is a DNS-1123 label.
func RepoName(project, ref, sha1, flavor string) string {
	sum := sha256.Sum256([]byte(project + "\x00" + ref + "\x00" + sha1 + "\x00" + flavor))
	clean := func(s string, n int) string {
		var b strings.Builder
		for _, c := range strings.ToLower(s) {
			if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
				b.WriteRune(c)
			} else {
				b.WriteByte('-')
			}
		}
		out := b.String()
		if len(out) > n {
			out = out[:n]
		}
		return strings.Trim(out, "-")
	}
	parts := []string{clean(project, 20), clean(sha1, 10), clean(flavor, 12), hex.EncodeToString(sum[:4])}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-")
}
