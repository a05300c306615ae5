package chacra

import (
	"net/http"
	"strconv"
	"strings"
)

// route dispatches a request over chacra's URL tree.
func (n *Node) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	slash := strings.HasSuffix(p, "/")
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		n.root(w, r)
		return
	}
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	if write && (segs[0] == "binaries" || segs[0] == "repos") && !n.authorized(r) {
		unauthorized(w) // chacra's secured controllers
		return
	}
	switch segs[0] {
	case "binaries":
		n.binariesRoute(w, r, segs[1:], slash)
	case "repos":
		n.reposRoute(w, r, segs[1:], slash)
	case "search":
		if !canonical(w, r, slash) {
			return
		}
		n.search(w, r)
	case "health":
		if !canonical(w, r, slash) {
			return
		}
		n.health(w)
	default:
		notFound(w)
	}
}

// canonical handles a request for an index without its trailing slash
// as Pecan's force_canonical does: a POST is a RuntimeError (a 500),
// anything else a 302 to the slashed URL. It reports whether the request
// may go on.
func canonical(w http.ResponseWriter, r *http.Request, slash bool) bool {
	if slash {
		return true
	}
	if r.Method == http.MethodPost {
		serverCrash(w)
		return false
	}
	u := *r.URL
	u.Scheme, u.Host, u.Path = "http", r.Host, u.Path+"/"
	http.Redirect(w, r, u.String(), http.StatusFound)
	return false
}

func (n *Node) authorized(r *http.Request) bool {
	u, k, ok := r.BasicAuth()
	return ok && u == n.opts.User && k == n.opts.Key
}

func (n *Node) root(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	var repos, bins []string
	for _, b := range n.binaries {
		if !contains(bins, b.Repo.Project) {
			bins = append(bins, b.Repo.Project)
		}
	}
	for _, rp := range n.sortedRepos() {
		if !contains(repos, rp.Key.Project) {
			repos = append(repos, rp.Key.Project)
		}
	}
	n.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"description":   "chacra is a binary API that allows querying, posting,\nupdating, and retrieving binaries for different projects.",
		"documentation": "https://github.com/ceph/chacra#chacra",
		"repos":         nonNil(repos), "binaries": nonNil(bins),
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (n *Node) health(w http.ResponseWriter) {
	n.mu.Lock()
	fail := n.failHealth
	n.mu.Unlock()
	if fail {
		html(w, http.StatusInternalServerError, page500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// searchFilters are chacra's SearchController filters.
var searchFilters = map[string]bool{"distro": true, "distro_version": true, "arch": true, "ref": true,
	"built_by": true, "size": true, "name": true, "name-has": true}

func (n *Node) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if len(q) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	for k := range q {
		if !searchFilters[k] {
			message(w, http.StatusMethodNotAllowed, "invalid query params: "+k)
			return
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []any{}
	now := n.opts.Now()
	for _, b := range n.binaries {
		field := map[string]string{"distro": b.Repo.Distro, "distro_version": b.Repo.Version, "arch": b.Arch,
			"ref": b.Repo.Ref, "name": b.Name, "built_by": "", "size": strconv.Itoa(len(b.Data))}
		ok := true
		for k, vs := range q {
			v := vs[0]
			if k == "name-has" {
				ok = ok && strings.Contains(b.Name, v)
			} else {
				ok = ok && field[k] == v
			}
		}
		if ok {
			out = append(out, b.json(now))
		}
	}
	writeJSON(w, http.StatusOK, out)
}
