package repoquery

import (
	"fmt"
	"slices"
	"strings"

	"minka/api/v1alpha1"
)

// Query asks for the newest sha1 of a project's ref ready on every named
// distro.
type Query struct {
	Project, Ref string
	// Flavor "" is any flavor (shaman's search does not filter it unless
	// asked).
	Flavor  string
	Distros []DistroQuery
	// Arch applies to the distros that name none ("" = any).
	Arch string
}

// Result is Latest's answer.
type Result struct {
	// SHA1 is "" when no sha1 is ready on every distro; Reason says why.
	SHA1   string
	Reason string
	// Rows are the matching repositories of SHA1, one per distro of the
	// query in its order (every ready one of SHA1 when it names none).
	Rows []Row
}

func (q Query) distros() []DistroQuery {
	out := slices.Clone(q.Distros)
	for i := range out {
		if out[i].Arch == "" {
			out[i].Arch = q.Arch
		}
	}
	return out
}

func (q Query) wants(r *v1alpha1.Repo) bool {
	return r.Spec.Project == q.Project && (q.Ref == "" || r.Spec.Ref == q.Ref) && (q.Flavor == "" || FlavorOf(r) == q.Flavor)
}

// Latest is the newest sha1 among repos that is Ready on every distro of
// q, with its repositories. The order is shaman's search with
// sha1=latest and status=ready: the sha1s are taken by the modified time
// of their newest matching ready repository, newest first (ties: lowest
// sha1), and the first one that has a ready repository on each distro
// wins; per distro the newest such repository is answered. Unlike shaman
// the times are chacra's modified times (status.distros[].modified),
// not when shaman last wrote its row.
func Latest(repos []*v1alpha1.Repo, q Query) Result {
	var rows []Row
	ds := q.distros()
	for _, r := range repos {
		if !q.wants(r) {
			continue
		}
		for _, row := range Rows(r, "") {
			if row.State == v1alpha1.RepoReady {
				rows = append(rows, row)
			}
		}
	}
	sha1, picked := latestOf(rows, ds)
	if sha1 == "" {
		return Result{Reason: noneReason(q)}
	}
	return Result{SHA1: sha1, Rows: picked}
}

// latestOf is shaman's latest loop over rows already filtered.
func latestOf(rows []Row, ds []DistroQuery) (string, []Row) {
	if len(ds) > 0 {
		rows = slices.DeleteFunc(rows, func(r Row) bool { return !matchesAny(r, ds) })
	}
	slices.SortFunc(rows, newer)
	seen := map[string]bool{}
	for _, r := range rows {
		sha1 := r.SHA1()
		if seen[sha1] {
			continue
		}
		seen[sha1] = true
		if len(ds) == 0 {
			var all []Row
			for _, o := range rows {
				if o.SHA1() == sha1 {
					all = append(all, o)
				}
			}
			return sha1, all
		}
		picked := make([]Row, 0, len(ds))
		for _, d := range ds {
			i := slices.IndexFunc(rows, func(o Row) bool { return o.SHA1() == sha1 && o.Matches(d) })
			if i < 0 {
				break
			}
			picked = append(picked, rows[i])
		}
		if len(picked) == len(ds) {
			return sha1, picked
		}
	}
	return "", nil
}

func noneReason(q Query) string {
	ds := make([]string, len(q.Distros))
	for i, d := range q.distros() {
		ds[i] = d.String()
	}
	s := fmt.Sprintf("no sha1 of %s/%s is ready on every one of %s", q.Project, q.Ref, strings.Join(ds, ", "))
	if len(ds) == 0 {
		s = fmt.Sprintf("no repository is ready for: %s/%s", q.Project, q.Ref)
	}
	if q.Flavor != "" {
		s += " (flavor " + q.Flavor + ")"
	}
	return s
}

// BruteForceLatest answers Latest by the definition, with no ordering
// trick: for every sha1 of the ref, the newest ready repository of each
// distro; the sha1 whose newest such repository is newest wins (ties:
// lowest sha1). It is the yardstick of Latest and the Index.
func BruteForceLatest(repos []*v1alpha1.Repo, q Query) Result {
	ds := q.distros()
	sha1s := map[string]bool{}
	for _, r := range repos {
		if q.wants(r) {
			sha1s[r.Spec.SHA1] = true
		}
	}
	var best Result
	var bestRow Row
	for sha1 := range sha1s {
		var picked []Row
		complete := true
		var top Row
		pick := func(match func(Row) bool) (Row, bool) {
			var b Row
			found := false
			for _, r := range repos {
				if !q.wants(r) || r.Spec.SHA1 != sha1 {
					continue
				}
				for _, row := range Rows(r, "") {
					if row.State == v1alpha1.RepoReady && match(row) && (!found || newer(row, b) < 0) {
						b, found = row, true
					}
				}
			}
			return b, found
		}
		if len(ds) == 0 {
			b, ok := pick(func(Row) bool { return true })
			if !ok {
				continue
			}
			top = b
			for _, r := range repos {
				if q.wants(r) && r.Spec.SHA1 == sha1 {
					for _, row := range Rows(r, "") {
						if row.State == v1alpha1.RepoReady {
							picked = append(picked, row)
						}
					}
				}
			}
			slices.SortFunc(picked, newer)
		} else {
			for i, d := range ds {
				b, ok := pick(func(row Row) bool { return row.Matches(d) })
				if !ok {
					complete = false
					break
				}
				if i == 0 || newer(b, top) < 0 {
					top = b
				}
				picked = append(picked, b)
			}
		}
		if !complete {
			continue
		}
		if best.SHA1 == "" || newer(top, bestRow) < 0 {
			best, bestRow = Result{SHA1: sha1, Rows: picked}, top
		}
	}
	if best.SHA1 == "" {
		best.Reason = noneReason(q)
	}
	return best
}

func matchesAny(r Row, ds []DistroQuery) bool {
	for _, d := range ds {
		if r.Matches(d) {
			return true
		}
	}
	return false
}
