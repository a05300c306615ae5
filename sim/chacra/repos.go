package chacra

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// reposRoute serves /repos/...; segs follow "repos".
func (n *Node) reposRoute(w http.ResponseWriter, r *http.Request, segs []string, slash bool) {
	action := (len(segs) == 6 && segs[5] != "flavors") || len(segs) == 8
	if !action && !canonical(w, r, slash) {
		return
	}
	switch {
	case len(segs) <= 4:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			notFound(w)
			return
		}
		n.repoListing(w, segs)
	case len(segs) == 6 && segs[5] == "flavors":
		n.flavors(w, segs)
	case len(segs) == 5 || (len(segs) == 7 && segs[5] == "flavors"):
		n.repoOp(w, r, repoPath(segs))
	case len(segs) == 6 || (len(segs) == 8 && segs[5] == "flavors"):
		n.repoAction(w, r, repoPath(segs), segs[len(segs)-1])
	default:
		notFound(w)
	}
}

func repoPath(segs []string) repoKey {
	k := repoKey{segs[0], segs[1], segs[2], segs[3], segs[4], "default"}
	if len(segs) >= 7 && segs[5] == "flavors" {
		k.Flavor = segs[6]
	}
	return k
}

// sortedRepos lists repos in creation order. Called with n.mu held.
func (n *Node) sortedRepos() []*repo {
	out := make([]*repo, 0, len(n.repos))
	for _, r := range n.repos {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// repoListing answers /repos/ down to a sha1's distros as maps, and a
// distro as the list of its versions (as chacra does).
func (n *Node) repoListing(w http.ResponseWriter, segs []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]any{}
	versions := []string{}
	for _, r := range n.sortedRepos() {
		k := r.Key
		parts := []string{k.Project, k.Ref, k.SHA1, k.Distro, k.Version}
		if !prefix(parts, segs) {
			continue
		}
		if len(segs) == 4 {
			if !contains(versions, k.Version) {
				versions = append(versions, k.Version)
			}
			continue
		}
		key, next := parts[len(segs)], parts[len(segs)+1]
		list, _ := out[key].([]string)
		if !contains(list, next) {
			out[key] = append(list, next)
		}
	}
	switch {
	case len(segs) == 4 && len(versions) == 0, len(segs) > 0 && len(segs) < 4 && len(out) == 0:
		notFound(w)
	case len(segs) == 4:
		writeJSON(w, http.StatusOK, versions)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func (n *Node) flavors(w http.ResponseWriter, segs []string) {
	k := repoPath(segs)
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []string{}
	for _, r := range n.sortedRepos() {
		if sameBuild(r.Key, k) {
			out = append(out, r.Key.Flavor)
		}
	}
	if len(out) == 0 {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// repoFields are the keys POST to a repo may set, with their JSON kind.
var repoFields = map[string]string{"distro": "string", "distro_version": "string", "needs_update": "boolean",
	"ref": "string", "type": "string"}

// repoOp serves a repo: GET its JSON, POST some of its fields (validated
// as chacra's notario schema does, then set on the repo: a new ref,
// distro or distro_version moves the repo, its binaries keep their own
// fields, as chacra's setattr on the row does),
// DELETE (the upstream 500).
func (n *Node) repoOp(w http.ResponseWriter, r *http.Request, k repoKey) {
	var body map[string]any
	if r.Method == http.MethodPost {
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			message(w, http.StatusBadRequest, "could not decode JSON body")
			return
		}
		if msg := validate(body); msg != "" {
			message(w, http.StatusBadRequest, msg)
			return
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	rp := n.repos[k]
	if rp == nil {
		notFound(w)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		if v, ok := body["needs_update"].(bool); ok {
			rp.NeedsUpdate = v
		}
		if v, ok := body["type"].(string); ok {
			rp.Type = v
		}
		if !n.rekey(rp, body) {
			message(w, http.StatusBadRequest, "a repo already exists at the new ref, distro and distro_version")
			return
		}
		rp.Modified = n.opts.Now()
	case http.MethodDelete:
		serverCrash(w) // upstream: AttributeError 'Binary' object has no attribute 'binary'
		return
	default:
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, rp.json(n.archs(rp)))
}

func validate(body map[string]any) string {
	keys := make([]string, 0, len(body))
	for key := range body {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		kind, ok := repoFields[key]
		if !ok {
			return fmt.Sprintf("-> %s key did not match any allowed keys", key)
		}
		v := body[key]
		_, isBool := v.(bool)
		_, isString := v.(string)
		if (kind == "boolean" && !isBool) || (kind == "string" && !isString) {
			return fmt.Sprintf("-> %s -> %v did not pass validation against callable: %s (not of type %s)", key, v, kind, kind)
		}
	}
	return ""
}

// repoAction serves update, recreate, extra and repo.
func (n *Node) repoAction(w http.ResponseWriter, r *http.Request, k repoKey, action string) {
	switch action {
	case "update", "recreate", "extra":
		if r.Method != http.MethodPost {
			message(w, http.StatusMethodNotAllowed, "only POST request are accepted for this url")
			return
		}
	case "repo":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			notFound(w)
			return
		}
	default:
		notFound(w)
		return
	}
	var extra map[string]any
	if action == "extra" {
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &extra); err != nil || extra == nil {
			message(w, http.StatusBadRequest, "could not decode JSON body")
			return
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	rp := n.repos[k]
	if rp == nil {
		notFound(w)
		return
	}
	switch action {
	case "repo":
		n.repoFile(w, rp)
		return
	case "extra":
		rp.Extra = extra
	default:
		n.requestUpdate(rp)
	}
	writeJSON(w, http.StatusOK, rp.json(n.archs(rp)))
}

// repoFile is the apt source line or yum .repo file of a repo.
func (n *Node) repoFile(w http.ResponseWriter, rp *repo) {
	k := rp.Key
	base := n.opts.URL + "/r/" + k.URI() + "/"
	var text string
	switch rp.Type {
	case "deb":
		text = fmt.Sprintf("deb [trusted=yes] %s %s main\n", base, k.Version)
	case "rpm":
		var b strings.Builder
		for _, s := range [][3]string{{"", " packages for $basearch", "$basearch"}, {"-noarch", " noarch packages", "noarch"},
			{"-source", " source packages", "SRPMS"}} {
			fmt.Fprintf(&b, "[%s%s]\nname=%s%s\nbaseurl=%s%s\nenabled=1\ngpgcheck=0\ntype=rpm-md\n\n", k.Project, s[0], k.Project, s[1], base, s[2])
		}
		text = strings.TrimSuffix(b.String(), "\n")
	default:
		notFound(w)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, text)
}

// rekey moves a repo to the ref, distro and distro_version of a POST; it
// refuses (false) when another repo is there (chacra would then hold two
// rows for one path; the simulator keeps one). Called with n.mu held.
func (n *Node) rekey(rp *repo, body map[string]any) bool {
	k := rp.Key
	for field, dst := range map[string]*string{"ref": &k.Ref, "distro": &k.Distro, "distro_version": &k.Version} {
		if v, ok := body[field].(string); ok {
			*dst = v
		}
	}
	if k == rp.Key {
		return true
	}
	if n.repos[k] != nil {
		return false
	}
	delete(n.repos, rp.Key)
	rp.Key = k
	n.repos[k] = rp
	return true
}
