package chacra

import (
	"io"
	"net/http"
	"path"
	"strconv"
)

// binariesRoute serves /binaries/...; segs follow "binaries".
func (n *Node) binariesRoute(w http.ResponseWriter, r *http.Request, segs []string, slash bool) {
	if !canonical(w, r, slash) {
		return
	}
	switch {
	case len(segs) <= 5:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			notFound(w)
			return
		}
		n.binaryListing(w, segs)
	case len(segs) == 6 || (len(segs) == 8 && segs[6] == "flavors"):
		k := binRepo(segs)
		switch r.Method {
		case http.MethodPost:
			n.upload(w, r, k, segs[5])
		case http.MethodGet, http.MethodHead:
			n.archListing(w, k, segs[5], len(segs) == 8)
		default:
			notAllowed(w, r)
		}
	case len(segs) == 7 && segs[6] == "flavors":
		n.flavorListing(w, binRepo(segs), segs[5])
	case len(segs) == 7 || (len(segs) == 9 && segs[6] == "flavors"):
		n.binaryOp(w, r, binRepo(segs), segs[5], segs[len(segs)-1])
	default:
		notFound(w)
	}
}

// binRepo is the repo a binary path names (flavor default unless
// .../flavors/{flavor}/...).
func binRepo(segs []string) repoKey {
	k := repoKey{segs[0], segs[1], segs[2], segs[3], segs[4], "default"}
	if len(segs) >= 8 && segs[6] == "flavors" {
		k.Flavor = segs[7]
	}
	return k
}

// binaryListing answers the indexes above an arch: each level maps the
// next path element to the list of the one after it, in upload order.
func (n *Node) binaryListing(w http.ResponseWriter, segs []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]any{}
	var keys []string
	for _, b := range n.binaries {
		parts := []string{b.Repo.Project, b.Repo.Ref, b.Repo.SHA1, b.Repo.Distro, b.Repo.Version, b.Arch, b.Name}
		if !prefix(parts, segs) {
			continue
		}
		key, next := parts[len(segs)], parts[len(segs)+1]
		list, _ := out[key].([]string)
		if list == nil {
			keys = append(keys, key)
		}
		if !contains(list, next) {
			out[key] = append(list, next)
		}
	}
	if len(segs) > 0 && len(keys) == 0 {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func prefix(parts, segs []string) bool {
	for i, s := range segs {
		if parts[i] != s {
			return false
		}
	}
	return true
}

// archListing maps each binary's name to its JSON: every flavor's, or
// one flavor's.
func (n *Node) archListing(w http.ResponseWriter, k repoKey, arch string, oneFlavor bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]any{}
	now := n.opts.Now()
	for _, b := range n.binaries {
		if b.Arch == arch && sameBuild(b.Repo, k) && (!oneFlavor || b.Repo.Flavor == k.Flavor) {
			if _, seen := out[b.Name]; !seen {
				out[b.Name] = b.json(now)
			}
		}
	}
	if len(out) == 0 {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// sameBuild compares two repo keys, flavor aside.
func sameBuild(a, b repoKey) bool {
	a.Flavor, b.Flavor = "", ""
	return a == b
}

func (n *Node) flavorListing(w http.ResponseWriter, k repoKey, arch string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]any{}
	for _, b := range n.binaries {
		if b.Arch == arch && sameBuild(b.Repo, k) {
			list, _ := out[b.Repo.Flavor].([]string)
			out[b.Repo.Flavor] = append(list, b.Name)
		}
	}
	if len(out) == 0 {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// find returns the index of a binary, or -1. Called with n.mu held.
func (n *Node) find(k repoKey, arch, name string) int {
	for i, b := range n.binaries {
		if b.Repo == k && b.Arch == arch && b.Name == name {
			return i
		}
	}
	return -1
}

// formFile reads the multipart "file" field: its name and bytes.
func formFile(r *http.Request) (string, []byte, bool) {
	f, h, err := r.FormFile("file")
	if err != nil {
		return "", nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	return path.Base(h.Filename), data, err == nil
}

// upload is POST to an arch: 201 for a new binary, 200 when force
// replaces one, 400 when it exists without force. The repo needs an
// update afterwards.
func (n *Node) upload(w http.ResponseWriter, r *http.Request, k repoKey, arch string) {
	name, data, ok := formFile(r)
	if !ok {
		message(w, http.StatusBadRequest, `no file object found in "file" param in POST request`)
		return
	}
	_, force := r.MultipartForm.Value["force"]
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.opts.Now()
	code := http.StatusCreated
	if i := n.find(k, arch, name); i >= 0 {
		if !force {
			message(w, http.StatusBadRequest, `resource already exists and "force" key was not used`)
			return
		}
		b := n.binaries[i]
		b.Data, b.Modified = data, now
		code = http.StatusOK
		if b.repo.Type == "" {
			b.repo.Type = inferType(name)
		}
		b.repo.NeedsUpdate, b.repo.Modified = !generic(k.Version), now
	} else {
		rp := n.repoFor(k, inferType(name))
		rp.NeedsUpdate, rp.Modified = !generic(k.Version), now
		n.binaries = append(n.binaries, &binary{Repo: k, repo: rp, Arch: arch, Name: name, Data: data, Created: now, Modified: now})
	}
	writeJSON(w, code, map[string]any{})
}

// binaryOp serves one binary: HEAD and GET download it, PUT replaces its
// bytes (a 500 when it does not exist, as upstream), DELETE removes it
// and, with its last binary, its repo.
func (n *Node) binaryOp(w http.ResponseWriter, r *http.Request, k repoKey, arch, name string) {
	var data []byte
	if r.Method == http.MethodPut {
		var ok bool
		if _, data, ok = formFile(r); !ok {
			message(w, http.StatusBadRequest, "no file was uploaded")
			return
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	i := n.find(k, arch, name)
	if i < 0 {
		if r.Method == http.MethodPut {
			serverCrash(w)
			return
		}
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusNotFound)
			return
		}
		notFound(w)
		return
	}
	b := n.binaries[i]
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		w.Header().Set("Content-Disposition", "attachment; filename="+b.Name)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(b.Data)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			w.Write(b.Data)
		}
	case http.MethodPut:
		b.Data, b.Modified = data, n.opts.Now()
		writeJSON(w, http.StatusOK, map[string]any{})
	case http.MethodDelete:
		n.binaries = append(n.binaries[:i:i], n.binaries[i+1:]...)
		if len(n.archs(b.repo)) == 0 && n.repos[b.repo.Key] == b.repo {
			delete(n.repos, b.repo.Key)
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		notFound(w)
	}
}
