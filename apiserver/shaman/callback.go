package shaman

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"minka/api/repoquery"
	"minka/api/repostatus"
	"minka/api/v1alpha1"
	"minka/store"
)

const (
	maxField = 256
	maxURL   = 2048
)

var fullSHA1 = regexp.MustCompile(`^[0-9a-f]{40}$`)

// report is one validated chacra callback.
type report struct {
	project, ref, sha1, flavor, distro, version string
	status, chacraURL, url                      string
	modified                                    time.Time
	archs                                       []string
}

var callbackStatuses = map[string]bool{"requested": true, "queued": true, "building": true, "ready": true, "deleted": true}

// decodeCallback validates chacra's callback body: the repo JSON plus
// status, chacra_url and url. shaman reads it with no schema (a missing
// key is a 500 there); here every field chacra sends is checked for its
// JSON type, and the ones minka keeps for their content.
func decodeCallback(project string, f *fields) report {
	rp := report{project: project}
	f.segment("project", project)
	if len(project) > maxField {
		f.fail(invalid("project", "longer than %d bytes", maxField))
	}
	rp.ref = f.str("ref", true, maxField)
	rp.sha1 = f.str("sha1", true, maxField)
	rp.distro = f.str("distro", true, maxField)
	rp.version = f.str("distro_version", true, maxField)
	rp.status = f.str("status", true, maxField)
	rp.chacraURL = f.str("chacra_url", true, maxURL)
	rp.url = f.str("url", false, maxURL)
	rp.flavor = f.str("flavor", false, maxField)
	if rp.flavor == "" {
		rp.flavor = "default"
	}
	if pn := f.str("project_name", false, maxField); pn != "" && pn != project {
		f.fail(invalid("project_name", "%q differs from the path's project %q", pn, project))
	}
	mod := f.str("modified", false, maxField)
	rp.archs = f.strs("archs", 64, maxField)
	for _, b := range []string{"signed", "needs_update", "is_updating", "is_queued"} {
		f.typed(b, "a boolean")
	}
	f.typed("size", "a number")
	f.typed("extra", "an object")
	f.typed("type", "a string")
	f.typed("path", "a string")
	if f.err != nil {
		return rp
	}
	f.segment("distro", rp.distro)
	f.segment("distro_version", rp.version)
	f.segment("flavor", rp.flavor)
	if !callbackStatuses[rp.status] {
		f.fail(invalid("status", "%q is not one of requested, queued, building, ready, deleted", rp.status))
	}
	f.httpURL("chacra_url", rp.chacraURL)
	f.httpURL("url", rp.url)
	if mod != "" {
		t, err := parsePyTime(mod)
		if err != nil {
			f.fail(invalid("modified", "%v", err))
		}
		rp.modified = t
	}
	return rp
}

// callback is POST /api/repos/{project}/: chacra reporting a repo's
// progress. Every Repo of that project, ref, sha1 and flavor that
// declares the distro release moves by repostatus's rule; with none a
// discovered Repo is created. Answered {} as shaman.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request, project string) {
	m, err := readObject(r)
	if err != nil {
		h.metrics.callbacks.WithLabelValues("", "invalid").Inc()
		badReq(w, r, err)
		return
	}
	f := &fields{m: m}
	rp := decodeCallback(project, f)
	if f.err != nil {
		h.metrics.callbacks.WithLabelValues(statusLabel(rp.status), "invalid").Inc()
		badReq(w, r, f.err)
		return
	}
	if !fullSHA1.MatchString(rp.sha1) {
		// shaman keeps a repo of any sha1 ("abc" in its own tests); a
		// Repo's sha1 is 40 hex digits, so such a callback is answered
		// as shaman answers it and creates nothing.
		h.metrics.callbacks.WithLabelValues(rp.status, "ignored").Inc()
		writeJSON(w, struct{}{})
		return
	}
	result, err := h.applyReport(r.Context(), rp)
	if err != nil {
		h.metrics.callbacks.WithLabelValues(rp.status, "error").Inc()
		h.writeError(w, r, err)
		return
	}
	h.metrics.callbacks.WithLabelValues(rp.status, result).Inc()
	writeJSON(w, struct{}{})
}

func statusLabel(s string) string {
	if callbackStatuses[s] {
		return s
	}
	return "other"
}

func badReq(w http.ResponseWriter, r *http.Request, err error) {
	var br *badRequest
	if errors.As(err, &br) {
		fail(w, r, br.code, br.msg)
		return
	}
	fail(w, r, http.StatusBadRequest, err.Error())
}

// writeError answers a failed store write: invalid data is the
// caller's 400, anything else a 503 to retry (chacra retries).
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var br *badRequest
	switch {
	case errors.As(err, &br):
		fail(w, r, br.code, br.msg)
	case errors.Is(err, store.ErrInvalid):
		fail(w, r, http.StatusBadRequest, err.Error())
	default:
		h.log.Error(err, "shaman: writing a Repo")
		w.Header().Set("Retry-After", "1")
		fail(w, r, http.StatusServiceUnavailable, err.Error())
	}
}

func discovered(r *v1alpha1.Repo) bool { return r.Labels[v1alpha1.LabelDiscovered] == "true" }

// declares reports whether r's spec has the release.
func declares(r *v1alpha1.Repo, distro, version string) bool {
	for _, d := range r.Spec.Distros {
		if repoquery.SameRelease(d.Distro, d.Version, distro, version) {
			return true
		}
	}
	return false
}

// applyReport moves every matching Repo, or a discovered one.
func (h *Handler) applyReport(ctx context.Context, rp report) (string, error) {
	var names []string
	pin := false
	for _, r := range h.idx.Find(rp.project, rp.ref, rp.sha1, rp.flavor) {
		if declares(r, rp.distro, rp.version) {
			names = append(names, r.Namespace+"/"+r.Name)
			// A Repo discovered from a build report waits for its node.
			pin = pin || (discovered(r) && r.Spec.Node == "" && r.Namespace == h.cfg.Namespace)
		}
	}
	if pin {
		if _, err := h.discover(ctx, rp.project, rp.ref, rp.sha1, rp.flavor, rp.chacraURL, nil); err != nil {
			return "", err
		}
	}
	result := "unchanged"
	if len(names) == 0 {
		name, err := h.discover(ctx, rp.project, rp.ref, rp.sha1, rp.flavor, rp.chacraURL, distrosOf(rp))
		if err != nil {
			return "", err
		}
		names, result = []string{h.cfg.Namespace + "/" + name}, "discovered"
	}
	for _, nn := range names {
		ns, name := splitKey(nn)
		changed, err := h.updateStatus(ctx, ns, name, func(r *v1alpha1.Repo) []transition { return h.applyTo(r, rp) })
		if err != nil {
			return "", err
		}
		if changed && result == "unchanged" {
			result = "applied"
		}
	}
	return result, nil
}

// distrosOf is the spec of a discovered Repo's release: one entry per
// arch chacra names, or x86_64.
func distrosOf(rp report) []v1alpha1.Distro {
	archs := rp.archs
	if len(archs) == 0 {
		archs = []string{"x86_64"}
	}
	var out []v1alpha1.Distro
	for _, a := range archs {
		out = append(out, v1alpha1.Distro{Distro: rp.distro, Version: rp.version, Arch: a})
	}
	return out
}

// transition is one state change a write applied, for its Event.
type transition struct {
	distro, from, to, reason string
}

// applyTo applies rp to each of r's arch entries of the release.
func (h *Handler) applyTo(r *v1alpha1.Repo, rp report) []transition {
	now := h.now()
	var out []transition
	if discovered(r) && r.Status.Node == "" {
		if name, err := h.pool.Learn(rp.chacraURL); err == nil {
			r.Status.Node = name
			if n, ok := h.pool.Node(name); ok {
				r.Status.NodeURL = n.URL
				r.Status.URL = n.URL + "/repos/" + url.PathEscape(rp.project) + "/" + url.PathEscape(rp.ref) + "/" + rp.sha1 + "/"
			}
		}
	}
	for _, sd := range r.Spec.Distros {
		if !repoquery.SameRelease(sd.Distro, sd.Version, rp.distro, rp.version) {
			continue
		}
		arch := sd.Arch
		if arch == "" {
			arch = "x86_64"
		}
		d := repostatus.Find(&r.Status, sd.Distro, sd.Version, arch)
		if d == nil {
			r.Status.Distros = append(r.Status.Distros, v1alpha1.DistroState{Distro: sd.Distro, Version: sd.Version, Arch: arch})
			d = &r.Status.Distros[len(r.Status.Distros)-1]
		}
		from := d.State
		name := sd.Distro + "/" + sd.Version + "/" + arch
		if rp.status == "deleted" {
			if !rp.modified.IsZero() && d.Modified != nil && rp.modified.Before(d.Modified.Time) {
				continue // a late delete of an older build
			}
			if d.State != v1alpha1.RepoWaitingForBinaries || d.Reason != "DeletedOnChacra" {
				repostatus.SetState(d, v1alpha1.RepoWaitingForBinaries, "DeletedOnChacra",
					"chacra deleted this repository; it is rebuilt when binaries are uploaded again", now)
				out = append(out, transition{name, from, d.State, "DeletedOnChacra"})
			}
			continue
		}
		rep := repostatus.Report{State: repostatus.FromCallback(rp.status), Modified: rp.modified, URL: rp.url, ChacraURL: rp.chacraURL, Archs: rp.archs}
		if repostatus.Apply(d, rep, now) {
			out = append(out, transition{name, from, d.State, ""})
		}
	}
	return out
}
