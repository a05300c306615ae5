package repoquery

import (
	"slices"
	"strings"

	"minka/api/v1alpha1"
)

// Search is shaman's /api/search/ query: every field "" is no filter.
type Search struct {
	Project, Ref, Flavor string
	// SHA1 is a sha1 or "latest".
	SHA1 string
	// Status is shaman's status (requested, queued, building, ready,
	// failed).
	Status  string
	Distros []DistroQuery
}

// ShamanStatus is the status shaman would report for a state: minka's
// states lower-cased, a distro still waiting for binaries (after chacra
// deleted its repository) being "requested" again.
func ShamanStatus(state string) string {
	if state == v1alpha1.RepoWaitingForBinaries || state == "" {
		return "requested"
	}
	return strings.ToLower(state)
}

// Filter is the rows of repos that s selects, newest first. As shaman,
// status and flavor filter only when given; with SHA1 "latest" the
// answer is shaman's latest loop over those rows: the rows of the newest
// sha1 that has one on every distro of s.
func Filter(repos []*v1alpha1.Repo, s Search) []Row {
	var rows []Row
	for _, r := range repos {
		if (s.Project != "" && r.Spec.Project != s.Project) || (s.Ref != "" && r.Spec.Ref != s.Ref) ||
			(s.Flavor != "" && FlavorOf(r) != s.Flavor) || (s.SHA1 != "" && s.SHA1 != "latest" && r.Spec.SHA1 != s.SHA1) {
			continue
		}
		for _, row := range Rows(r, "") {
			if s.Status != "" && ShamanStatus(row.State) != s.Status {
				continue
			}
			if len(s.Distros) > 0 && !matchesAny(row, s.Distros) {
				continue
			}
			rows = append(rows, row)
		}
	}
	if s.SHA1 == "latest" {
		_, picked := latestOf(rows, s.Distros)
		if picked == nil {
			return []Row{}
		}
		return picked
	}
	slices.SortFunc(rows, newer)
	if rows == nil {
		rows = []Row{}
	}
	return rows
}
