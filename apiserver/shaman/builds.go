package shaman

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
)

var buildStatuses = map[string]bool{"queued": true, "started": true, "completed": true, "failed": true}

// buildJSON is shaman's Build.__json__.
type buildJSON struct {
	URL            string          `json:"url"`
	LogURL         *string         `json:"log_url"`
	Ref            string          `json:"ref"`
	SHA1           string          `json:"sha1"`
	Flavor         string          `json:"flavor"`
	Status         string          `json:"status"`
	Extra          json.RawMessage `json:"extra"`
	Modified       *string         `json:"modified"`
	Started        *string         `json:"started"`
	Completed      *string         `json:"completed"`
	Project        string          `json:"project"`
	DistroVersion  *string         `json:"distro_version"`
	DistroCodename *string         `json:"distro_codename"`
	Distro         *string         `json:"distro"`
	DistroArch     *string         `json:"distro_arch"`
}

func microPy(t *metav1.MicroTime) *string {
	if t == nil {
		return nil
	}
	s := pyTime(t.Time)
	return &s
}

func toBuildJSON(r *v1alpha1.Repo, b v1alpha1.CIBuild) buildJSON {
	code, num := repoquery.Release(b.Distro, b.DistroVersion)
	extra := json.RawMessage(b.Extra)
	if len(extra) == 0 || !json.Valid(extra) {
		extra = json.RawMessage("{}")
	}
	return buildJSON{URL: b.URL, LogURL: nullable(b.LogURL), Ref: r.Spec.Ref, SHA1: r.Spec.SHA1, Flavor: repoquery.FlavorOf(r),
		Status: b.Status, Extra: extra, Modified: microPy(b.Modified), Started: microPy(b.Started), Completed: microPy(b.Completed),
		Project: r.Spec.Project, DistroVersion: nullable(num), DistroCodename: nullable(code), Distro: nullable(b.Distro), DistroArch: nullable(b.DistroArch)}
}

// buildsGet is GET /api/builds/ and below: projects → refs → sha1s →
// builds, from the Repos' status.ciBuilds.
func (h *Handler) buildsGet(w http.ResponseWriter, r *http.Request, rest []string) {
	var withBuilds []*v1alpha1.Repo
	all := h.idx.All()
	for _, rp := range all {
		if len(rp.Status.CIBuilds) > 0 {
			withBuilds = append(withBuilds, rp)
		}
	}
	pick := func(repos []*v1alpha1.Repo, keep func(*v1alpha1.Repo) bool, val func(*v1alpha1.Repo) string) []string {
		out := []string{}
		for _, rp := range repos {
			if keep(rp) && !slices.Contains(out, val(rp)) {
				out = append(out, val(rp))
			}
		}
		slices.Sort(out)
		return out
	}
	ref := func(rp *v1alpha1.Repo) string { return rp.Spec.Ref }
	switch len(rest) {
	case 0:
		out := map[string][]string{}
		for _, p := range h.projects(false) {
			out[p] = pick(withBuilds, func(rp *v1alpha1.Repo) bool { return rp.Spec.Project == p }, ref)
		}
		writeJSON(w, out)
		return
	}
	project := rest[0]
	if !slices.ContainsFunc(all, func(rp *v1alpha1.Repo) bool { return rp.Spec.Project == project }) {
		fail(w, r, http.StatusNotFound, "")
		return
	}
	inProject := func(rp *v1alpha1.Repo) bool { return rp.Spec.Project == project }
	switch len(rest) {
	case 1:
		writeJSON(w, pick(withBuilds, inProject, ref))
	case 2:
		writeJSON(w, pick(withBuilds, func(rp *v1alpha1.Repo) bool { return inProject(rp) && rp.Spec.Ref == rest[1] },
			func(rp *v1alpha1.Repo) string { return rp.Spec.SHA1 }))
	case 3:
		type one struct {
			b   buildJSON
			mod string
		}
		var bs []one
		for _, rp := range withBuilds {
			if inProject(rp) && rp.Spec.Ref == rest[1] && rp.Spec.SHA1 == rest[2] {
				for _, b := range rp.Status.CIBuilds {
					j := toBuildJSON(rp, b)
					m := ""
					if j.Modified != nil {
						m = *j.Modified
					}
					bs = append(bs, one{j, m})
				}
			}
		}
		slices.SortStableFunc(bs, func(a, b one) int { return strings.Compare(b.mod, a.mod) })
		out := make([]buildJSON, 0, len(bs))
		for _, b := range bs {
			out = append(out, b.b)
		}
		writeJSON(w, out)
	default:
		fail(w, r, http.StatusNotFound, "")
	}
}

// ciReport is one validated POST /api/builds/{project}/.
type ciReport struct {
	project, ref, sha1, flavor string
	build                      v1alpha1.CIBuild
}

func decodeBuild(project string, f *fields) ciReport {
	c := ciReport{project: project}
	f.segment("project", project)
	c.build.URL = f.str("url", true, maxURL)
	c.ref = f.str("ref", true, maxField)
	c.sha1 = f.str("sha1", true, maxField)
	c.build.Status = f.str("status", true, maxField)
	c.flavor = f.str("flavor", false, maxField)
	if c.flavor == "" {
		c.flavor = "default"
	}
	c.build.LogURL = f.str("log_url", false, maxURL)
	if raw, ok := f.m["build_id"]; ok && !isNull(raw) && kindOf(raw) == "a number" {
		c.build.BuildID = string(raw) // Jenkins' BUILD_ID may come as a number
	} else {
		c.build.BuildID = f.str("build_id", false, maxField)
	}
	c.build.Distro = f.str("distro", false, maxField)
	c.build.DistroVersion = f.str("distro_version", false, maxField)
	c.build.DistroArch = f.str("distro_arch", false, maxField)
	f.typed("extra", "an object")
	if raw, ok := f.m["extra"]; ok && !isNull(raw) && f.err == nil {
		if len(raw) > 64<<10 {
			f.fail(invalid("extra", "larger than 64 KiB"))
		}
		c.build.Extra = string(raw)
	}
	if f.err != nil {
		return c
	}
	f.httpURL("url", c.build.URL)
	f.httpURL("log_url", c.build.LogURL)
	f.segment("flavor", c.flavor)
	f.segment("distro", c.build.Distro)
	f.segment("distro_version", c.build.DistroVersion)
	f.segment("distro_arch", c.build.DistroArch)
	if (c.build.Distro == "") != (c.build.DistroVersion == "") {
		f.fail(invalid("distro_version", "distro and distro_version come together"))
	}
	if !buildStatuses[c.build.Status] {
		f.fail(invalid("status", "%q is not one of queued, started, completed, failed", c.build.Status))
	}
	return c
}

// buildReport is POST /api/builds/{project}/: a Jenkins job reporting a
// build of a sha1. It is kept in the Repo's status.ciBuilds, keyed by
// url as shaman keys it; with no Repo a discovered one is created.
func (h *Handler) buildReport(w http.ResponseWriter, r *http.Request, project string) {
	m, err := readObject(r)
	if err != nil {
		badReq(w, r, err)
		return
	}
	f := &fields{m: m}
	c := decodeBuild(project, f)
	if f.err != nil {
		badReq(w, r, f.err)
		return
	}
	if !fullSHA1.MatchString(c.sha1) {
		writeJSON(w, struct{}{}) // as for callbacks: no Repo can hold it
		return
	}
	if err := h.applyBuild(r.Context(), c); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, struct{}{})
}

func (h *Handler) applyBuild(ctx context.Context, c ciReport) error {
	cands := h.idx.Find(c.project, c.ref, c.sha1, c.flavor)
	var ns, name string
	for _, rp := range cands {
		if c.build.Distro == "" || declares(rp, c.build.Distro, c.build.DistroVersion) {
			ns, name = rp.Namespace, rp.Name
			break
		}
	}
	if name == "" && len(cands) > 0 {
		ns, name = cands[0].Namespace, cands[0].Name
	}
	if name == "" {
		var ds []v1alpha1.Distro
		if c.build.Distro != "" {
			arch := c.build.DistroArch
			if arch == "" {
				arch = "x86_64"
			}
			ds = []v1alpha1.Distro{{Distro: c.build.Distro, Version: c.build.DistroVersion, Arch: arch}}
		}
		n, err := h.discover(ctx, c.project, c.ref, c.sha1, c.flavor, "", ds)
		if err != nil {
			return err
		}
		ns, name = h.cfg.Namespace, n
	}
	_, err := h.updateStatus(ctx, ns, name, func(rp *v1alpha1.Repo) []transition {
		now := metav1.NewMicroTime(h.now().UTC())
		b := c.build
		i := slices.IndexFunc(rp.Status.CIBuilds, func(x v1alpha1.CIBuild) bool { return x.URL == b.URL })
		if i >= 0 {
			old := rp.Status.CIBuilds[i]
			b.Started = old.Started
			b.Completed = old.Completed
			rp.Status.CIBuilds = append(rp.Status.CIBuilds[:i], rp.Status.CIBuilds[i+1:]...)
		}
		if b.Started == nil {
			b.Started = &now
		}
		if b.Status == "completed" && b.Completed == nil {
			b.Completed = &now
		}
		b.Modified = &now
		rp.Status.CIBuilds = append(rp.Status.CIBuilds, b)
		if n := len(rp.Status.CIBuilds); n > v1alpha1.MaxCIBuilds {
			rp.Status.CIBuilds = rp.Status.CIBuilds[n-v1alpha1.MaxCIBuilds:]
		}
		return nil
	})
	return err
}
