package shaman

import (
	"net/http"
	"path"
	"slices"
	"strings"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
)

// repoJSON is shaman's Repo.__json__.
type repoJSON struct {
	URL            string         `json:"url"`
	ChacraURL      string         `json:"chacra_url"`
	Ref            string         `json:"ref"`
	SHA1           string         `json:"sha1"`
	Distro         string         `json:"distro"`
	DistroVersion  *string        `json:"distro_version"`
	DistroCodename *string        `json:"distro_codename"`
	Modified       string         `json:"modified"`
	Status         string         `json:"status"`
	Flavor         string         `json:"flavor"`
	Project        string         `json:"project"`
	Archs          []string       `json:"archs"`
	Extra          map[string]any `json:"extra"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toRepoJSON(r repoquery.Row) repoJSON {
	code, num := repoquery.Release(r.Distro, r.Version)
	archs := r.Archs
	if archs == nil {
		archs = []string{}
	}
	return repoJSON{URL: r.URL, ChacraURL: r.ChacraURL, Ref: r.Ref(), SHA1: r.SHA1(), Distro: r.Distro,
		DistroVersion: nullable(num), DistroCodename: nullable(code), Modified: pyTime(r.Modified),
		Status: repoquery.ShamanStatus(r.State), Flavor: r.Flavor(), Project: r.Project(), Archs: archs, Extra: map[string]any{}}
}

func toReposJSON(rows []repoquery.Row) []repoJSON {
	out := make([]repoJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, toRepoJSON(r))
	}
	return out
}

// rowsOf is every shaman repository of repos.
func rowsOf(repos []*v1alpha1.Repo) []repoquery.Row {
	var out []repoquery.Row
	for _, r := range repos {
		out = append(out, repoquery.Rows(r, "")...)
	}
	return out
}

func distinct(rows []repoquery.Row, f func(repoquery.Row) string) []string {
	out := []string{}
	for _, r := range rows {
		if v := f(r); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func newestFirst(rows []repoquery.Row) []repoquery.Row {
	slices.SortStableFunc(rows, func(a, b repoquery.Row) int { return b.Modified.Compare(a.Modified) })
	return rows
}

// reposGet serves GET /api/repos/ and every level below it, as shaman's
// repos controllers do.
func (h *Handler) reposGet(w http.ResponseWriter, r *http.Request, rest []string) {
	// The repo file and the arch paths are files, not indexes: no slash.
	file := len(rest) >= 6 && rest[5] != "flavors" || len(rest) >= 8
	if !file && canonical(w, r) {
		return
	}
	if len(rest) == 0 {
		type projectJSON struct {
			Refs  []string `json:"refs"`
			SHA1s []string `json:"sha1s"`
		}
		out := map[string]projectJSON{}
		rows := rowsOf(h.idx.All())
		for _, p := range distinct(rows, repoquery.Row.Project) {
			pr := slices.DeleteFunc(slices.Clone(rows), func(x repoquery.Row) bool { return x.Project() != p })
			out[p] = projectJSON{Refs: distinct(pr, repoquery.Row.Ref), SHA1s: distinct(pr, repoquery.Row.SHA1)}
		}
		writeJSON(w, out)
		return
	}
	project := rest[0]
	rows := rowsOf(h.idx.Project(project))
	if len(rows) == 0 {
		fail(w, r, http.StatusNotFound, "")
		return
	}
	if len(rest) == 1 {
		writeJSON(w, distinct(rows, repoquery.Row.Ref))
		return
	}
	ref := rest[1]
	rows = slices.DeleteFunc(rows, func(x repoquery.Row) bool { return x.Ref() != ref })
	if len(rest) == 2 {
		writeJSON(w, distinct(rows, repoquery.Row.SHA1))
		return
	}
	sha1 := rest[2]
	if sha1 == "latest" {
		t := h.now()
		latest, ok := latestRow(rows, rest[3:])
		h.metrics.latest.Observe(h.now().Sub(t).Seconds())
		if !ok {
			fail(w, r, http.StatusGatewayTimeout, "no repository is ready for: "+project+"/"+ref)
			return
		}
		if len(rest) == 3 {
			// shaman answers the distros of the single newest ready repo.
			writeJSON(w, []string{latest.Distro})
			return
		}
		sha1 = latest.SHA1()
	}
	rows = slices.DeleteFunc(rows, func(x repoquery.Row) bool { return x.SHA1() != sha1 })
	if len(rest) == 3 {
		writeJSON(w, distinct(rows, func(x repoquery.Row) string { return x.Distro }))
		return
	}
	distro := rest[3]
	rows = slices.DeleteFunc(rows, func(x repoquery.Row) bool { return x.Distro != distro })
	if len(rest) == 4 {
		writeJSON(w, distinct(rows, func(x repoquery.Row) string { return x.Version }))
		return
	}
	version := rest[4]
	rows = newestFirst(slices.DeleteFunc(rows, func(x repoquery.Row) bool {
		return !repoquery.SameRelease(x.Distro, x.Version, distro, version)
	}))
	flavor := "default"
	tail := rest[5:]
	if len(tail) > 0 && tail[0] == "flavors" {
		if len(tail) == 1 {
			writeJSON(w, distinct(rows, repoquery.Row.Flavor))
			return
		}
		flavor, tail = tail[1], tail[2:]
	}
	rows = slices.DeleteFunc(rows, func(x repoquery.Row) bool { return x.Flavor() != flavor })
	switch {
	case len(tail) == 0:
		writeJSON(w, toReposJSON(rows))
	case tail[0] == "repo" && len(tail) == 1:
		h.redirectTo(w, r, rows, r.URL.Query().Get("arch"), project, ref, func(x repoquery.Row) string {
			return strings.TrimSuffix(x.ChacraURL, "/") + "/repo"
		})
	default:
		arch, p := tail[0], tail[1:]
		h.redirectTo(w, r, rows, arch, project, ref, func(x repoquery.Row) string {
			u := strings.TrimSuffix(x.URL, "/")
			if len(p) > 0 {
				u += "/" + strings.TrimPrefix(path.Join(p...), "/")
			}
			return u
		})
	}
}

// redirectTo is shaman's get_repo_url: the first ready repository (of
// arch, when given), or 504.
func (h *Handler) redirectTo(w http.ResponseWriter, r *http.Request, rows []repoquery.Row, arch, project, ref string, to func(repoquery.Row) string) {
	for _, x := range rows {
		if x.State == v1alpha1.RepoReady && (arch == "" || slices.Contains(x.Archs, arch)) {
			redirect(w, to(x))
			return
		}
	}
	fail(w, r, http.StatusGatewayTimeout, "no repository is ready for: "+project+"/"+ref)
}

// latestRow is shaman's SHA1Controller for "latest": the newest ready
// repository of the ref, of the distro, version and flavor (default
// unless flavors/F) the rest of the path names, when it names them.
func latestRow(rows []repoquery.Row, args []string) (repoquery.Row, bool) {
	var cands []repoquery.Row
	for _, x := range rows {
		if x.State != v1alpha1.RepoReady {
			continue
		}
		if len(args) >= 2 {
			flavor := "default"
			if len(args) >= 4 && args[2] == "flavors" {
				flavor = args[3]
			}
			if x.Distro != args[0] || !repoquery.SameRelease(x.Distro, x.Version, args[0], args[1]) || x.Flavor() != flavor {
				continue
			}
		}
		cands = append(cands, x)
	}
	if len(cands) == 0 {
		return repoquery.Row{}, false
	}
	return newestFirst(cands)[0], true
}
