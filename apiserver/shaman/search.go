package shaman

import (
	"net/http"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
)

// searchParams are the query parameters shaman's search knows; any other
// is a 400, as there.
var searchParams = map[string]bool{"project": true, "distros": true, "ref": true, "sha1": true, "flavor": true, "status": true}

// search is GET /api/search/. As shaman: status and flavor filter only
// when given (so sha1=latest without status=ready may answer a sha1
// still building), distros are OR-ed, ubuntu numbers and codenames name
// the same release, and with sha1=latest the newest repository of each
// distro of the newest sha1 found on all of them is answered.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if !searchParams[k] {
			// shaman aborts with no detail; the detail here names it.
			fail(w, r, http.StatusBadRequest, "invalid query parameter: "+k)
			return
		}
	}
	ds, err := repoquery.ParseDistros(q.Get("distros"))
	if err != nil {
		fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s := repoquery.Search{Project: q.Get("project"), Ref: q.Get("ref"), SHA1: q.Get("sha1"), Flavor: q.Get("flavor"),
		Status: q.Get("status"), Distros: ds}
	var repos []*v1alpha1.Repo
	switch {
	case s.Project != "" && s.Ref != "":
		repos = h.idx.ByRef(s.Project, s.Ref)
	case s.Project != "":
		repos = h.idx.Project(s.Project)
	default:
		repos = h.idx.All()
	}
	t := h.now()
	rows := repoquery.Filter(repos, s)
	if s.SHA1 == "latest" {
		h.metrics.latest.Observe(h.now().Sub(t).Seconds())
	}
	writeJSON(w, toReposJSON(rows))
}
