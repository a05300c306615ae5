package chacraclient

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Repo is chacra's repo JSON, the fields the controller decides on.
type Repo struct {
	// Path is where the repository was built; empty until the first
	// build (chacra's null).
	Path        string
	NeedsUpdate bool
	IsQueued    bool
	IsUpdating  bool
	// Modified is chacra's modified time (UTC).
	Modified time.Time
	Type     string
	Archs    []string
}

// Built reports whether the repo was ever built.
func (r *Repo) Built() bool { return r.Path != "" }

// HasArch reports whether chacra has binaries of arch in the repo.
func (r *Repo) HasArch(arch string) bool {
	for _, a := range r.Archs {
		if a == arch {
			return true
		}
	}
	return false
}

// Binary is one binary of a listing.
type Binary struct {
	Name, Checksum string
	Size           int64
	Modified       time.Time
}

// rawRepo has a pointer for each field that must be present, so that a
// missing one is told from a false or a null.
type rawRepo struct {
	Path          *string   `json:"path"`
	NeedsUpdate   *bool     `json:"needs_update"`
	IsQueued      *bool     `json:"is_queued"`
	IsUpdating    *bool     `json:"is_updating"`
	Modified      *string   `json:"modified"`
	Distro        *string   `json:"distro"`
	DistroVersion *string   `json:"distro_version"`
	SHA1          *string   `json:"sha1"`
	Type          *string   `json:"type"`
	Archs         *[]string `json:"archs"`
}

// DecodeRepo decodes the repo JSON of k: every flag and the modified
// time must be there with their JSON types, and the repo must be k's.
func DecodeRepo(body []byte, k Key) (*Repo, error) {
	var raw rawRepo
	if err := strictObject(body, &raw); err != nil {
		return nil, err
	}
	var missing []string
	for name, present := range map[string]bool{"needs_update": raw.NeedsUpdate != nil, "is_queued": raw.IsQueued != nil,
		"is_updating": raw.IsUpdating != nil, "modified": raw.Modified != nil, "distro": raw.Distro != nil,
		"distro_version": raw.DistroVersion != nil} {
		if !present {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("repo JSON lacks %s", strings.Join(missing, ", "))
	}
	if *raw.Distro != k.Distro || *raw.DistroVersion != k.Version || (raw.SHA1 != nil && *raw.SHA1 != k.SHA1) {
		return nil, fmt.Errorf("repo JSON is of %s/%s, not the requested %s/%s", *raw.Distro, *raw.DistroVersion, k.Distro, k.Version)
	}
	mod, err := ParseTime(*raw.Modified)
	if err != nil {
		return nil, fmt.Errorf("repo JSON: modified: %w", err)
	}
	r := &Repo{NeedsUpdate: *raw.NeedsUpdate, IsQueued: *raw.IsQueued, IsUpdating: *raw.IsUpdating, Modified: mod}
	if raw.Path != nil {
		r.Path = *raw.Path
	}
	if raw.Type != nil {
		r.Type = *raw.Type
	}
	if raw.Archs != nil {
		r.Archs = append([]string(nil), (*raw.Archs)...)
	}
	return r, nil
}

type rawBinary struct {
	Name     *string          `json:"name"`
	Size     *json.Number     `json:"size"`
	Checksum *json.RawMessage `json:"checksum"`
	Modified *string          `json:"modified"`
	Arch     *string          `json:"arch"`
}

// DecodeBinaries decodes a listing of one arch: an object of binaries
// by name, each naming itself, with a size and a modified time.
func DecodeBinaries(body []byte, k Key, arch string) ([]Binary, error) {
	var raw map[string]rawBinary
	if err := strictObject(body, &raw); err != nil {
		return nil, err
	}
	out := make([]Binary, 0, len(raw))
	for name, rb := range raw {
		if rb.Name == nil || *rb.Name != name {
			return nil, fmt.Errorf("binary %q: name missing or different from its key", name)
		}
		if rb.Arch != nil && *rb.Arch != arch {
			return nil, fmt.Errorf("binary %q is of arch %q, not %q", name, *rb.Arch, arch)
		}
		if rb.Size == nil {
			return nil, fmt.Errorf("binary %q: size missing", name)
		}
		size, err := strconv.ParseInt(rb.Size.String(), 10, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("binary %q: size %q is not a byte count", name, rb.Size.String())
		}
		if rb.Modified == nil {
			return nil, fmt.Errorf("binary %q: modified missing", name)
		}
		mod, err := ParseTime(*rb.Modified)
		if err != nil {
			return nil, fmt.Errorf("binary %q: modified: %w", name, err)
		}
		b := Binary{Name: name, Size: size, Modified: mod}
		if rb.Checksum != nil && string(*rb.Checksum) != "null" {
			if err := json.Unmarshal(*rb.Checksum, &b.Checksum); err != nil {
				return nil, fmt.Errorf("binary %q: checksum is not a string", name)
			}
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// strictObject decodes one JSON object, with nothing after it.
func strictObject(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return errors.New("answer is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding the answer: %w", err)
	}
	if dec.More() {
		return errors.New("decoding the answer: data after the JSON object")
	}
	return nil
}

// timeLayouts are how chacra writes datetimes: Python's str() of a naive
// UTC datetime, which drops the fraction when it is zero; the ISO form
// is accepted too.
var timeLayouts = []string{"2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999"}

// ParseTime parses chacra's "2026-11-22 23:49:26.362649" (UTC, no zone).
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not chacra's datetime (YYYY-MM-DD HH:MM:SS.ffffff, UTC)", s)
}

// Digest fingerprints binaries (names, sizes, checksums), so that a
// change after the last build is noticed even when chacra's flags do
// not say so (a PUT replaces a binary without marking its repo).
func Digest(bs []Binary) string {
	if len(bs) == 0 {
		return ""
	}
	h := sha256.New()
	for _, b := range bs {
		fmt.Fprintf(h, "%s\x00%d\x00%s\n", b.Name, b.Size, b.Checksum)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Latest is the newest modified time of bs.
func Latest(bs []Binary) time.Time {
	var t time.Time
	for _, b := range bs {
		if b.Modified.After(t) {
			t = b.Modified
		}
	}
	return t
}
