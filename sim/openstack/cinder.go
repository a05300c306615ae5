package openstack

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// cinderInUseMessage is Cinder's refusal to delete an attached volume.
const cinderInUseMessage = "Invalid volume: Volume status must be available or error or " +
	"error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, " +
	"have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer."

// serveVolume is Cinder under /volume, routed as its api-paste.ini does:
// "/" the 300 version list (no token), "/v3" the API behind
// keystonemiddleware, anything else the version router's bare 404.
func (c *Cloud) serveVolume(w http.ResponseWriter, r *http.Request, p string) {
	p = mergeSlashes(p)
	switch {
	case p == "" || p == "/":
		writeJSON(w, http.StatusMultipleChoices, c.cinderVersions())
	case p != "/v3" && !strings.HasPrefix(p, "/v3/"):
		webobError(w, r, http.StatusNotFound, "")
	case !c.authorized(r):
		c.unauthorized(w)
	case p == "/v3":
		// the router's redirect from "" to "/"
		w.Header().Set("Location", c.BaseURL()+VolumePath+"/v3/")
		w.WriteHeader(http.StatusFound)
	default:
		c.serveCinderAPI(w, r, strings.TrimPrefix(p, "/v3"))
	}
}

// cinderVersions is cinder/api/versions.py's list: describedby, then self.
func (c *Cloud) cinderVersions() map[string]any {
	return map[string]any{"versions": []any{map[string]any{"id": "v3.0", "status": "CURRENT",
		"version": cinderMaxVersion.String(), "min_version": cinderMinVersion.String(), "updated": "2023-08-31T00:00:00Z",
		"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}},
		"links": []any{
			map[string]any{"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
			map[string]any{"rel": "self", "href": c.BaseURL() + VolumePath + "/v3/"},
		}}}}
}

// serveCinderAPI is the v3 router (cinder/api/v3/router.py): "/" the
// version document, volumes with or without the project in the path;
// then the Resource's microversion, Content-Type and project checks.
func (c *Cloud) serveCinderAPI(w http.ResponseWriter, r *http.Request, p string) {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	urlProject := ""
	if len(segs) > 1 && projectIDRe.MatchString(segs[0]) && segs[1] == "volumes" {
		urlProject, segs = segs[0], segs[1:]
	}
	route := cinderRoute(segs, r.Method)
	if route == "" {
		webobError(w, r, http.StatusNotFound, "")
		return
	}
	ver, code, msg := cinderVersion(r)
	switch code {
	case 0:
	case -1:
		novaError(w, http.StatusBadRequest, "badRequest",
			"The server could not comply with the request since it is either malformed or otherwise incorrect.")
		return
	default:
		novaError(w, code, faultName(code), msg)
		return
	}
	w.Header().Set(novaVersionHeader, "volume "+ver.String())
	w.Header().Set("Vary", novaVersionHeader)
	if ct, ok := r.Header["Content-Type"]; ok {
		if mt, _, _ := mime.ParseMediaType(ct[0]); mt != "application/json" && mt != "application/vnd.openstack.volume+json" {
			novaError(w, http.StatusUnsupportedMediaType, "badMediaType", "Unsupported Content-Type")
			return
		}
	}
	if urlProject != "" && urlProject != c.projectID {
		novaError(w, http.StatusBadRequest, "badRequest", "Malformed request url")
		return
	}
	if route == "versions" {
		writeJSON(w, http.StatusOK, c.cinderVersions())
		return
	}
	c.serveVolumes(w, r, route, segs, urlProject != "")
}

// cinderRoute names the route segs and method match: Routes' resource()
// routes, exact (no trailing slash), method conditions included.
func cinderRoute(segs []string, method string) string {
	get := method == http.MethodGet
	switch {
	case len(segs) == 1 && segs[0] == "" && get:
		return "versions"
	case len(segs) == 1 && segs[0] == "volumes" && (get || method == http.MethodPost):
		return "volumes"
	case len(segs) == 2 && segs[0] == "volumes" && segs[1] == "detail" && get:
		return "detail"
	case len(segs) == 2 && segs[0] == "volumes" && segs[1] != "" && (get || method == http.MethodDelete):
		return "volume"
	}
	return ""
}

func (c *Cloud) serveVolumes(w http.ResponseWriter, r *http.Request, route string, segs []string, project bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case route == "volumes" && r.Method == http.MethodPost:
		c.createVolume(w, r, project)
	case route == "volumes" || route == "detail":
		out := []any{}
		for _, vid := range c.volOrder {
			if route == "detail" {
				out = append(out, c.volumeJSON(c.volumes[vid], project))
			} else { // the summary view
				v := c.volumes[vid]
				out = append(out, map[string]any{"id": v.id, "name": nilIfEmpty(v.name), "links": c.volumeLinks(v, project)})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"volumes": out})
	case c.volumes[segs[1]] == nil:
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", segs[1]))
	case r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"volume": c.volumeJSON(c.volumes[segs[1]], project)})
	case c.volumes[segs[1]].attachedTo != "":
		novaError(w, http.StatusBadRequest, "badRequest", cinderInUseMessage)
	default:
		c.deleteVolume(segs[1])
		w.WriteHeader(http.StatusAccepted)
	}
}

// createVolume is POST .../volumes: 202 "creating", or 413 overLimit. c.mu is held.
func (c *Cloud) createVolume(w http.ResponseWriter, r *http.Request, project bool) {
	var req struct {
		Volume struct {
			Name        *string           `json:"name"`
			Description *string           `json:"description"`
			Metadata    map[string]string `json:"metadata"`
			Size        any               `json:"size"`
		} `json:"volume"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		novaError(w, http.StatusBadRequest, "badRequest", "Malformed request body")
		return
	}
	var size int
	switch x := req.Volume.Size.(type) {
	case float64:
		size = int(x)
		if x != float64(size) {
			novaError(w, http.StatusBadRequest, "badRequest", fieldError("size", x, pyRepr(x)+" is not of type 'integer', 'string', 'null'"))
			return
		}
	case string:
		if _, err := fmt.Sscan(x, &size); err != nil || !digits.MatchString(x) || x == "" {
			novaError(w, http.StatusBadRequest, "badRequest", fieldError("size", x, pyRepr(x)+" does not match '^[0-9]+$'"))
			return
		}
	}
	if req.Volume.Size != nil && size < 1 {
		novaError(w, http.StatusBadRequest, "badRequest", fieldError("size", size, fmt.Sprintf("%d is less than the minimum of 1", size)))
		return
	}
	if size < 1 {
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid input received: size must be a positive integer")
		return
	}
	if msg := c.volumeQuota(size); msg != "" {
		w.Header().Set("Retry-After", "0")
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"overLimit": map[string]any{"code": 413, "message": msg, "retryAfter": "0"}})
		return
	}
	name := ""
	if req.Volume.Name != nil {
		name = *req.Volume.Name
	}
	v := c.newVolume(name, size)
	if req.Volume.Description != nil {
		v.description = *req.Volume.Description
	}
	for k, val := range req.Volume.Metadata {
		v.metadata[k] = val
	}
	body := c.volumeJSON(v, project)
	body["status"] = "creating" // as Cinder answers a create; it is available on the next read
	writeJSON(w, http.StatusAccepted, map[string]any{"volume": body})
}

// volumeQuota returns Cinder's over-quota message, or "". c.mu is held.
func (c *Cloud) volumeQuota(size int) string {
	n, gb := c.volumeUsage()
	q := c.opts.Quota
	switch {
	case n+1 > q.Volumes:
		return fmt.Sprintf("VolumeLimitExceeded: Maximum number of volumes allowed (%d) exceeded for quota 'volumes'.", q.Volumes)
	case gb+size > q.Gigabytes:
		return fmt.Sprintf("VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. "+
			"Requested %dG, quota is %dG and %dG has been consumed.", size, q.Gigabytes, gb)
	}
	return ""
}

// volumeLinks are self (versioned) and bookmark (unversioned), with the
// project when the URL had it (cinder/api/common.py). c.mu is held.
func (c *Cloud) volumeLinks(v *volume, project bool) []any {
	proj := ""
	if project {
		proj = c.projectID
	}
	return []any{
		map[string]any{"rel": "self", "href": urlJoin(c.root+VolumePath+"/v3", proj, "volumes", v.id)},
		map[string]any{"rel": "bookmark", "href": urlJoin(c.root+VolumePath, proj, "volumes", v.id)},
	}
}

// volumeJSON is a volume as Cinder shows it (views/volumes.py detail). c.mu is held.
func (c *Cloud) volumeJSON(v *volume, project bool) map[string]any {
	attachments := []any{}
	if v.attachedTo != "" {
		attachments = append(attachments, map[string]any{"server_id": v.attachedTo, "volume_id": v.id, "id": v.id,
			"attachment_id": v.attachmentID, "host_name": nil, "device": v.device, "attached_at": noZone(v.attachedAt)})
	}
	md := map[string]any{}
	for k, val := range v.metadata {
		md[k] = val
	}
	return map[string]any{"id": v.id, "name": nilIfEmpty(v.name), "size": v.size, "status": v.status, "attachments": attachments,
		"availability_zone": "nova", "bootable": "false", "encrypted": false, "multiattach": false,
		"created_at": noZone(v.created), "updated_at": noZone(v.created), "description": v.description, "volume_type": "lvmdriver-1",
		"snapshot_id": nil, "source_volid": nil, "metadata": md, "user_id": "u-" + c.opts.User,
		"os-vol-tenant-attr:tenant_id": c.projectID, "consistencygroup_id": nil, "replication_status": nil,
		"migration_status": nil, "os-vol-host-attr:host": "cinder-1@lvmdriver-1#lvmdriver-1",
		"os-vol-mig-status-attr:migstat": nil, "os-vol-mig-status-attr:name_id": nil,
		"links": c.volumeLinks(v, project)}
}
