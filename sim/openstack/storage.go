package openstack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type volume struct {
	id, name, status, attachedTo string
	size                         int
	created                      time.Time
}

func (c *Cloud) newVolume(name string, size int) *volume {
	v := &volume{id: newID(), name: name, size: size, status: "available", created: c.opts.Now()}
	c.volumes[v.id] = v
	return v
}

// serveVolume is Cinder v3 under /volume: versions, volumes CRUD.
func (c *Cloud) serveVolume(w http.ResponseWriter, r *http.Request, p string) {
	if p == "" || p == "/" {
		writeJSON(w, http.StatusMultipleChoices, map[string]any{"versions": []any{map[string]any{"id": "v3.0", "status": "CURRENT",
			"version": "3.70", "min_version": "3.0", "updated": "2023-08-31T00:00:00Z",
			"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}},
			"links":       []any{map[string]any{"rel": "self", "href": c.root + "/volume/v3/", "type": "text/html"}}}}})
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
		var req struct {
			Volume struct {
				Name string `json:"name"`
				Size int    `json:"size"`
			} `json:"volume"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Volume.Size <= 0 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"badRequest": map[string]any{"code": 400, "message": "Invalid input received: size must be a positive integer"}})
			return
		}
		if msg := c.volumeQuota(req.Volume.Size); msg != "" {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"overLimit": map[string]any{"code": 413, "message": msg, "retryAfter": "0"}})
			return
		}
		v := c.newVolume(req.Volume.Name, req.Volume.Size)
		body := c.volumeJSON(v)
		body["status"] = "creating" // as Cinder answers a create; it is available on the next read
		writeJSON(w, http.StatusAccepted, map[string]any{"volume": body})
	case r.Method == http.MethodGet && (id == "" || id == "detail"):
		out := []any{}
		for _, v := range c.volumes {
			out = append(out, c.volumeJSON(v))
		}
		writeJSON(w, http.StatusOK, map[string]any{"volumes": out})
	case c.volumes[id] == nil:
		writeJSON(w, http.StatusNotFound, map[string]any{"itemNotFound": map[string]any{"code": 404, "message": fmt.Sprintf("Volume %s could not be found.", id)}})
	case r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"volume": c.volumeJSON(c.volumes[id])})
	case r.Method == http.MethodDelete:
		if c.volumes[id].attachedTo != "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"badRequest": map[string]any{"code": 400,
				"message": "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer."}})
			return
		}
		delete(c.volumes, id)
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func (c *Cloud) volumeQuota(size int) string {
	n, gb := 0, 0
	for _, v := range c.volumes {
		n, gb = n+1, gb+v.size
	}
	q := c.opts.Quota
	switch {
	case n+1 > q.Volumes:
		return fmt.Sprintf("VolumeLimitExceeded: Maximum number of volumes allowed (%d) exceeded for quota 'volumes'.", q.Volumes)
	case gb+size > q.Gigabytes:
		return fmt.Sprintf("VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested %dG, quota is %dG and %dG has been consumed.", size, q.Gigabytes, gb)
	}
	return ""
}

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
		"links": []any{map[string]any{"rel": "self", "href": c.root + "/volume/v3/" + c.projectID + "/volumes/" + v.id}}}
}

// serveImage is Glance under /image: the version document and images.
func (c *Cloud) serveImage(w http.ResponseWriter, r *http.Request, p string) {
	switch {
	case p == "" || p == "/":
		writeJSON(w, http.StatusMultipleChoices, map[string]any{"versions": []any{map[string]any{"id": "v2.9", "status": "CURRENT",
			"links": []any{map[string]any{"rel": "self", "href": c.root + "/image/v2/"}}}}})
	case r.Method == http.MethodGet && strings.TrimSuffix(p, "/") == "/v2/images":
		name := r.URL.Query().Get("name")
		out := []any{}
		for _, im := range c.opts.Images {
			if name == "" || name == im.Name {
				out = append(out, map[string]any{"id": im.ID, "name": im.Name, "status": "active", "visibility": "public",
					"container_format": "bare", "disk_format": "qcow2", "min_disk": 0, "min_ram": 0, "protected": false,
					"size": 13287936, "virtual_size": nil, "tags": []any{}, "checksum": "c2e5db72bd7fd153f53ede5da5a06de3",
					"os_hash_algo": "sha512", "os_hash_value": "a5c4b1d1e1f1", "os_hidden": false, "owner": c.projectID, "created_at": "2016-01-01T00:00:00Z", "updated_at": "2016-01-01T00:00:00Z",
					"self": "/v2/images/" + im.ID, "file": "/v2/images/" + im.ID + "/file", "schema": "/v2/schemas/image"})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"images": out, "first": "/v2/images", "schema": "/v2/schemas/images"})
	default:
		http.NotFound(w, r)
	}
}
