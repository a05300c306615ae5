package openstack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// serveVolume is Cinder v3 under /volume: the version document and volumes.
func (c *Cloud) serveVolume(w http.ResponseWriter, r *http.Request, p string) {
	if p == "" || p == "/" {
		writeJSON(w, http.StatusMultipleChoices, map[string]any{"versions": []any{map[string]any{"id": "v3.0", "status": "CURRENT",
			"version": "3.70", "min_version": "3.0", "updated": "2023-08-31T00:00:00Z",
			"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}},
			"links":       []any{map[string]any{"rel": "self", "href": c.BaseURL() + VolumePath + "/v3/", "type": "text/html"}}}}})
		return
	}
	rest, ok := strings.CutPrefix(p, "/v3/"+c.projectID+"/volumes")
	if !ok {
		http.NotFound(w, r)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id := strings.Trim(rest, "/")
	switch {
	case r.Method == http.MethodPost && id == "":
		c.createVolume(w, r)
	case r.Method == http.MethodGet && (id == "" || id == "detail"):
		out := []any{}
		for _, vid := range c.volOrder {
			out = append(out, c.volumeJSON(c.volumes[vid]))
		}
		writeJSON(w, http.StatusOK, map[string]any{"volumes": out})
	case c.volumes[id] == nil:
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", id))
	case r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"volume": c.volumeJSON(c.volumes[id])})
	case r.Method == http.MethodDelete && c.volumes[id].attachedTo != "":
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid volume: Volume status must be available or error or "+
			"error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, "+
			"have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.")
	case r.Method == http.MethodDelete:
		c.deleteVolume(id)
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// createVolume is POST .../volumes: 202 "creating", or 413 overLimit. c.mu is held.
func (c *Cloud) createVolume(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Volume struct {
			Name string `json:"name"`
			Size int    `json:"size"`
		} `json:"volume"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Volume.Size <= 0 {
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid input received: size must be a positive integer")
		return
	}
	if msg := c.volumeQuota(req.Volume.Size); msg != "" {
		w.Header().Set("Retry-After", "0")
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"overLimit": map[string]any{"code": 413, "message": msg, "retryAfter": "0"}})
		return
	}
	v := c.newVolume(req.Volume.Name, req.Volume.Size)
	body := c.volumeJSON(v)
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

// volumeJSON is a volume as Cinder shows it. c.mu is held.
func (c *Cloud) volumeJSON(v *volume) map[string]any {
	attachments := []any{}
	if v.attachedTo != "" {
		attachments = append(attachments, map[string]any{"server_id": v.attachedTo, "volume_id": v.id, "id": v.id, "attachment_id": v.id})
	}
	return map[string]any{"id": v.id, "name": v.name, "size": v.size, "status": v.status, "attachments": attachments,
		"availability_zone": "nova", "bootable": "false", "encrypted": false, "multiattach": false,
		"created_at": noZone(v.created), "updated_at": noZone(v.created), "description": nil, "volume_type": "lvmdriver-1",
		"snapshot_id": nil, "source_volid": nil, "metadata": map[string]any{}, "user_id": "u-" + c.opts.User,
		"os-vol-tenant-attr:tenant_id": c.projectID, "consistencygroup_id": nil, "replication_status": nil,
		"migration_status": nil, "os-vol-host-attr:host": "cinder-1@lvmdriver-1#lvmdriver-1",
		"os-vol-mig-status-attr:migstat": nil, "os-vol-mig-status-attr:name_id": nil,
		"links": []any{map[string]any{"rel": "self", "href": c.root + VolumePath + "/v3/" + c.projectID + "/volumes/" + v.id}}}
}
