package gitmirror

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// remote is a mirrored URL: a network remote go-git's transports fetch, or
// a local repository (file:// or an absolute path) read in process.
type remote struct {
	url   string // as the caller gave it: the mirror's key
	local string // the repository's path, for local remotes
}

// parseRemote accepts https://, http://, ssh://, git://, scp-like
// user@host:path and file:// URLs, and absolute local paths.
func parseRemote(raw string) (remote, error) {
	if raw == "" {
		return remote{}, fmt.Errorf("empty git URL")
	}
	if strings.HasPrefix(raw, "file://") {
		u, err := url.Parse(raw)
		if err != nil {
			return remote{}, fmt.Errorf("parse git URL %s: %w", redact(raw), err)
		}
		if (u.Host != "" && u.Host != "localhost") || !filepath.IsAbs(u.Path) {
			return remote{}, fmt.Errorf("git URL %s: a file URL names an absolute local path", redact(raw))
		}
		return remote{url: raw, local: filepath.Clean(u.Path)}, nil
	}
	if filepath.IsAbs(raw) {
		return remote{url: raw, local: filepath.Clean(raw)}, nil
	}
	ep, err := transport.NewEndpoint(raw)
	if err != nil {
		return remote{}, fmt.Errorf("parse git URL %s: %w", redact(raw), err)
	}
	switch ep.Protocol {
	case "https", "http", "ssh", "git":
		return remote{url: raw}, nil
	}
	// go-git reads anything else as a relative path, which would depend on
	// the control plane's working directory.
	return remote{}, fmt.Errorf("git URL %s: unsupported (want https, http, ssh, git, user@host:path or file)", redact(raw))
}

// redact hides a password in a URL, for error messages and logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

var unsafeRun = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// dirName is the mirror's directory for a URL: a readable part (host and
// path, no scheme or credentials) and a hash of the whole URL, so two URLs
// never share a mirror and no URL text ever becomes a path by itself.
func dirName(raw string) string {
	s := raw
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	if at := strings.LastIndex(s, "@"); at >= 0 {
		if slash := strings.Index(s, "/"); slash < 0 || at < slash {
			s = s[at+1:]
		}
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
	s = strings.Trim(unsafeRun.ReplaceAllString(s, "-"), "-.")
	if len(s) > 48 {
		// The end names the repository; cut at a word boundary.
		tail := s[len(s)-48:]
		if s[len(s)-49] != '-' {
			if _, rest, ok := strings.Cut(tail, "-"); ok {
				tail = rest
			}
		}
		s = strings.Trim(tail, "-.")
	}
	if s == "" {
		s = "repo"
	}
	sum := sha256.Sum256([]byte(raw))
	return s + "-" + hex.EncodeToString(sum[:6]) + ".git"
}
