package chacra

import (
	"crypto/sha512"
	"encoding/hex"
	"path"
	"strconv"
	"strings"
	"time"
)

// timeFormat is how chacra's JSON writes datetimes.
const timeFormat = "2006-01-02 15:04:05.000000"

// repoKey names one repository: a flavor of a distro version of a build.
type repoKey struct {
	Project, Ref, SHA1, Distro, Version, Flavor string
}

// URI is the repo's path below /repos/ and /r/, as chacra's Repo.uri.
func (k repoKey) URI() string {
	return path.Join(k.Project, k.Ref, k.SHA1, k.Distro, k.Version, "flavors", k.Flavor)
}

// binary is one uploaded file.
type binary struct {
	Repo              repoKey // the binary's own fields
	repo              *repo   // the repo it belongs to (chacra's repo_id)
	Arch, Name        string
	Data              []byte
	Created, Modified time.Time
}

func (b *binary) json(now time.Time) map[string]any {
	sum := sha512.Sum512(b.Data)
	k := b.Repo
	return map[string]any{
		"name": b.Name, "project": k.Project, "ref": k.Ref, "sha1": k.SHA1,
		"distro": k.Distro, "distro_version": k.Version, "arch": b.Arch, "flavor": k.Flavor,
		"created": b.Created.UTC().Format(timeFormat), "modified": b.Modified.UTC().Format(timeFormat),
		"signed": false, "size": len(b.Data), "built_by": nil,
		"path":         path.Join("/srv/chacra/public", k.Project, k.Ref, k.SHA1, k.Distro, k.Version, b.Arch, b.Name),
		"last_changed": humanize(now.Sub(b.Modified)),
		"checksum":     hex.EncodeToString(sum[:]),
	}
}

// humanize writes an age as chacra's last_changed does.
func humanize(d time.Duration) string {
	switch s := int(d.Seconds()); {
	case s < 60:
		return plural(s, "second")
	case s < 3600:
		return plural(s/60, "minute")
	case s < 86400:
		return plural(s/3600, "hour")
	default:
		return plural(s/86400, "day")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit + " ago"
	}
	return strconv.Itoa(n) + " " + unit + "s ago"
}

// repo is one repository row.
type repo struct {
	Key                               repoKey
	Type                              string // deb, rpm, raw; "" is null
	Built                             bool   // path set by a build
	NeedsUpdate, IsUpdating, IsQueued bool
	Extra                             map[string]any
	Modified                          time.Time
	seq                               int // creation order
}

// inferType is the repo type an uploaded file implies, as chacra's
// Binary._get_repo_type: rpm for .rpm, deb for everything else.
func inferType(name string) string {
	if strings.HasSuffix(name, ".rpm") {
		return "rpm"
	}
	return "deb"
}

// generic reports a distro version chacra treats as generic (its
// binaries do not mark the repo for an update).
func generic(version string) bool {
	return version == "generic" || version == "universal" || version == "any"
}

// json is the repo as chacra's Repo.__json__ writes it; archs come from
// its binaries.
func (r *repo) json(archs []string) map[string]any {
	k := r.Key
	var p, typ any
	if r.Built {
		p = path.Join("/srv/chacra/repos", k.URI())
	}
	if r.Type != "" {
		typ = r.Type
	}
	extra := map[string]any{}
	for key, v := range r.Extra {
		extra[key] = v
	}
	if archs == nil {
		archs = []string{}
	}
	return map[string]any{
		"path": p, "project_name": k.Project, "ref": k.Ref, "sha1": k.SHA1,
		"distro": k.Distro, "distro_version": k.Version, "flavor": k.Flavor,
		"modified": r.Modified.UTC().Format(timeFormat), "signed": false,
		"needs_update": r.NeedsUpdate, "is_updating": r.IsUpdating, "is_queued": r.IsQueued,
		"type": typ, "size": 0, "archs": archs, "extra": extra,
	}
}
