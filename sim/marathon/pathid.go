package marathon

import "strings"

// Marathon's PathId (state/PathId.scala at v1.4.13): an id is split at
// '/' with empty segments dropped, so "//bar/foreign/", "bar/foreign"
// and "/bar//foreign" are one id; the canonical path, the one ids are
// stored and looked up under, also resolves "." and ".." segments
// against the root ("/a/../b" is "/b", a ".." above the root is
// dropped). Every id a route or a body carries goes through rootPath
// before it is used.

// pathSegments are the non-empty segments of id.
func pathSegments(id string) []string {
	var out []string
	for _, s := range strings.Split(id, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// canonicalSegments resolves "." and ".." as PathId.canonicalPath does.
func canonicalSegments(segs []string) []string {
	out := []string{}
	for _, s := range segs {
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	return out
}

// rootPath is PathId's toRootPath: the canonical absolute form of id,
// "/" for the root. Relative ids resolve against the root.
func rootPath(id string) string {
	return "/" + strings.Join(canonicalSegments(pathSegments(id)), "/")
}

// childPath is id resolved against base (withCanonizedIds for a
// dependency, group paths): absolute ids ignore base.
func childPath(base, id string) string {
	if strings.HasPrefix(id, "/") {
		return rootPath(id)
	}
	return rootPath(base + "/" + id)
}

// safePath is PathId.safePath: the segments joined by '_' (task ids and
// the text task list use it).
func safePath(id string) string {
	return strings.Join(pathSegments(id), "_")
}

// isUnder says whether app id lies in group (itself included), for
// group listings: "/a/b" is under "/a" and "/", not under "/ab".
func isUnder(id, group string) bool {
	if group == "/" {
		return true
	}
	return id == group || strings.HasPrefix(id, group+"/")
}
