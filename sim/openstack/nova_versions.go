package openstack

import (
	"net/http"
	"strings"
)

// Nova's version documents (nova/api/openstack/compute/versions.py,
// versionsV21.py, views/versions.py).

// novaVersionInfo is an entry of versions.VERSIONS.
func novaVersionInfo(id string) map[string]any {
	v := map[string]any{"id": "v2.1", "status": "CURRENT", "version": novaMaxVersion.String(),
		"min_version": novaMinVersion.String(), "updated": "2013-07-23T11:33:21Z",
		"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}}}
	if id == "v2.0" {
		v["id"], v["status"], v["version"], v["min_version"], v["updated"] = "v2.0", "DEPRECATED", "", "", "2025-07-04T12:00:00Z"
		v["media-types"] = []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}}
	}
	return v
}

// novaVersionPath is generate_href's version segment: v2.1, else v2.
func novaVersionPath(id string) string {
	if strings.HasPrefix(id, "v2.1") {
		return "v2.1"
	}
	return "v2"
}

// computeVersions is GET / on the compute endpoint: 200, both versions.
func (c *Cloud) computeVersions(w http.ResponseWriter) {
	var out []any
	for _, id := range []string{"v2.0", "v2.1"} {
		v := novaVersionInfo(id)
		delete(v, "media-types")
		v["links"] = []any{map[string]any{"rel": "self", "href": c.BaseURL() + ComputePath + "/" + novaVersionPath(id) + "/"}}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": out})
}

// computeChoices is any other path outside /v2 and /v2.1: 300 with each
// version's link to the same path (Versions.multi).
func (c *Cloud) computeChoices(w http.ResponseWriter, path string) {
	var out []any
	for _, id := range []string{"v2.0", "v2.1"} {
		v := novaVersionInfo(id)
		out = append(out, map[string]any{"id": v["id"], "status": v["status"], "media-types": v["media-types"],
			"links": []any{map[string]any{"rel": "self", "href": urlJoin(c.BaseURL()+ComputePath, novaVersionPath(id), path)}}})
	}
	writeJSON(w, http.StatusMultipleChoices, map[string]any{"choices": out})
}

// computeVersion is the one-version document: {"version": ...} with its
// self link first, then describedby (ViewBuilder.build_version).
func (c *Cloud) computeVersion(w http.ResponseWriter, base, id string) {
	v := novaVersionInfo(id)
	v["links"] = []any{
		map[string]any{"rel": "self", "href": strings.TrimSuffix(base, "/") + "/"},
		map[string]any{"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": v})
}

// versionsV2 is VersionsV2.index: /v2.1 and /v2.1/, a versioned Resource
// outside the token's pipeline.
func (c *Cloud) versionsV2(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.computeVersion(w, q.base, "v2.1")
}

// versionShow is GET /v2.1/{project}/ and /versions/{id} (versionsV21).
func (c *Cloud) versionShow(w http.ResponseWriter, r *http.Request, q *novaReq) {
	id := "v2.1"
	if len(q.params) > 0 {
		id = q.params[0]
	}
	if q.legacy {
		id = "v2.0"
	}
	if id != "v2.0" && id != "v2.1" {
		novaError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
		return
	}
	c.computeVersion(w, q.base, id)
}

// urlJoin is nova.api.openstack.common.url_join.
func urlJoin(parts ...string) string {
	var clean []string
	for _, p := range parts {
		if p != "" {
			clean = append(clean, strings.Trim(p, "/"))
		}
	}
	if len(parts) == 0 || parts[len(parts)-1] == "" {
		clean = append(clean, "")
	}
	return strings.Join(clean, "/")
}
