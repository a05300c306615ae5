package repoquery

import (
	"slices"
	"time"

	"minka/api/v1alpha1"
)

// Row is one repository as shaman lists it: one distro release of one
// Repo. A Repo tracks each arch of a release as its own distro state,
// while chacra (and so shaman) has one repository for all of them; a
// Row gathers them again.
type Row struct {
	Repo *v1alpha1.Repo
	// Distro and Version are as the Repo's status spells them.
	Distro, Version string
	// State is Ready only when every arch entry gathered is Ready, else
	// the least advanced state among them.
	State          string
	Modified       time.Time
	URL, ChacraURL string
	Archs          []string
}

// Project, Ref, SHA1 and Flavor are the Repo's.
func (r Row) Project() string { return r.Repo.Spec.Project }
func (r Row) Ref() string     { return r.Repo.Spec.Ref }
func (r Row) SHA1() string    { return r.Repo.Spec.SHA1 }
func (r Row) Flavor() string  { return FlavorOf(r.Repo) }

// FlavorOf is a Repo's flavor, "default" when unset.
func FlavorOf(r *v1alpha1.Repo) string {
	if r.Spec.Flavor == "" {
		return "default"
	}
	return r.Spec.Flavor
}

var order = map[string]int{
	v1alpha1.RepoFailed: 0, v1alpha1.RepoWaitingForBinaries: 1, v1alpha1.RepoRequested: 2,
	v1alpha1.RepoQueued: 3, v1alpha1.RepoBuilding: 4, v1alpha1.RepoReady: 5,
}

// Rows lists r's repositories, one per distro release, in status order,
// gathering the arch entries that have arch (all of them for ""). A
// release chacra has never reported on (no chacraURL, waiting for
// binaries) is not a shaman repository and is left out.
func Rows(r *v1alpha1.Repo, arch string) []Row {
	var out []Row
	for i := range r.Status.Distros {
		d := &r.Status.Distros[i]
		if arch != "" && d.Arch != arch && !slices.Contains(d.Archs, arch) {
			continue
		}
		if d.ChacraURL == "" && (d.State == v1alpha1.RepoWaitingForBinaries || d.State == "") {
			continue
		}
		j := slices.IndexFunc(out, func(o Row) bool { return SameRelease(o.Distro, o.Version, d.Distro, d.Version) })
		if j < 0 {
			out = append(out, Row{Repo: r, Distro: d.Distro, Version: d.Version, State: v1alpha1.RepoReady})
			j = len(out) - 1
		}
		row := &out[j]
		if order[d.State] < order[row.State] {
			row.State = d.State
		}
		var m time.Time
		if d.Modified != nil {
			m = d.Modified.Time
		}
		if m.After(row.Modified) || row.ChacraURL == "" {
			if m.After(row.Modified) {
				row.Modified = m
			}
			if d.URL != "" {
				row.URL = d.URL
			}
			if d.ChacraURL != "" {
				row.ChacraURL = d.ChacraURL
			}
		}
		for _, a := range append([]string{d.Arch}, d.Archs...) {
			if a != "" && !slices.Contains(row.Archs, a) {
				row.Archs = append(row.Archs, a)
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Archs)
	}
	return out
}

// Matches reports whether the row is of the distro release q names (and
// has q's arch, when q names one).
func (r Row) Matches(q DistroQuery) bool {
	return SameRelease(r.Distro, r.Version, q.Distro, q.Version) && (q.Arch == "" || slices.Contains(r.Archs, q.Arch))
}

// newer orders rows newest first, as shaman's ORDER BY modified DESC,
// with a stable tie-break (sha1, then Repo, then release) so that equal
// times give one answer.
func newer(a, b Row) int {
	if c := b.Modified.Compare(a.Modified); c != 0 {
		return c
	}
	for _, c := range []struct{ x, y string }{{a.SHA1(), b.SHA1()}, {a.Repo.Namespace, b.Repo.Namespace},
		{a.Repo.Name, b.Repo.Name}, {a.Distro, b.Distro}, {a.Version, b.Version}} {
		if c.x != c.y {
			if c.x < c.y {
				return -1
			}
			return 1
		}
	}
	return 0
}
