package openstack

import (
	"net/http"
	"strings"
)

// serveImage is Glance under /image: the 300 version document and the
// image list (filtered by exact name, as Glance does).
func (c *Cloud) serveImage(w http.ResponseWriter, r *http.Request, p string) {
	switch {
	case r.Method == http.MethodGet && (p == "" || p == "/"):
		writeJSON(w, http.StatusMultipleChoices, map[string]any{"versions": []any{map[string]any{"id": "v2.9", "status": "CURRENT",
			"links": []any{map[string]any{"rel": "self", "href": c.BaseURL() + ImagePath + "/v2/"}}}}})
	case r.Method == http.MethodGet && strings.TrimSuffix(p, "/") == "/v2/images":
		name := r.URL.Query().Get("name")
		out := []any{}
		for _, im := range c.opts.Images {
			if name == "" || name == im.Name {
				out = append(out, c.imageJSON(im))
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"images": out, "first": "/v2/images", "schema": "/v2/schemas/images"})
	default:
		http.NotFound(w, r)
	}
}

func (c *Cloud) imageJSON(im Image) map[string]any {
	return map[string]any{"id": im.ID, "name": im.Name, "status": "active", "visibility": "public",
		"container_format": "bare", "disk_format": "qcow2", "min_disk": 0, "min_ram": 0, "protected": false,
		"size": 13287936, "virtual_size": nil, "tags": []any{}, "checksum": "c2e5db72bd7fd153f53ede5da5a06de3",
		"os_hash_algo": "sha512", "os_hash_value": "a5c4b1d1e1f1", "os_hidden": false, "owner": c.projectID,
		"created_at": "2016-01-01T00:00:00Z", "updated_at": "2016-01-01T00:00:00Z",
		"self": "/v2/images/" + im.ID, "file": "/v2/images/" + im.ID + "/file", "schema": "/v2/schemas/image"}
}
