package openstack

import (
	"net/http"
	"strings"
)

// glanceVersions are the versions Glance lists and accepts in a URL with
// an image cache and several stores configured, as its api-ref sample
// shows (glance/api/versions.py, middleware/version_negotiation.py).
var glanceVersions = []string{"2.18", "2.17", "2.16", "2.15", "2.14", "2.13", "2.12", "2.11", "2.10",
	"2.9", "2.8", "2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0"}

// serveImage is Glance under /image. Version negotiation comes before
// keystonemiddleware: /versions is the list (200), a path whose first
// segment is no version Glance knows is the list as 300; then the token,
// then the v2 router.
func (c *Cloud) serveImage(w http.ResponseWriter, r *http.Request, p string) {
	p = mergeSlashes(p)
	first, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	switch {
	case first == "versions":
		c.glanceVersionList(w, http.StatusOK)
		return
	case !glanceKnows(first):
		c.glanceVersionList(w, http.StatusMultipleChoices)
		return
	case !c.authorized(r):
		c.unauthorized(w)
		return
	}
	if !strings.HasPrefix(p, "/"+first+"/") {
		rest = "-" // "/v2" alone: the router has no "" route
	}
	switch segs := strings.Split(rest, "/"); {
	case rest == "images":
		switch r.Method {
		case http.MethodGet:
			c.glanceList(w, r)
		case http.MethodPost: // a real route the simulator does not serve
			webobError(w, r, http.StatusNotImplemented, "")
		default:
			webobMethodNotAllowed(w, r, "GET, POST")
		}
	case len(segs) == 2 && segs[0] == "images" && segs[1] != "":
		switch r.Method {
		case http.MethodGet:
			c.glanceShow(w, r, segs[1])
		case http.MethodDelete:
			c.glanceDelete(w, r, segs[1])
		case http.MethodPatch: // a real route the simulator does not serve
			webobError(w, r, http.StatusNotImplemented, "")
		default:
			webobMethodNotAllowed(w, r, "GET, PATCH, DELETE")
		}
	case !glanceMethods[r.Method]:
		webobError(w, r, http.StatusNotImplemented, "")
	default:
		webobError(w, r, http.StatusNotFound, "")
	}
}

// glanceMethods are the methods Glance's router knows; others are 501.
var glanceMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true}

func glanceKnows(seg string) bool {
	if seg == "v2" {
		return true
	}
	for _, v := range glanceVersions {
		if seg == "v"+v {
			return true
		}
	}
	return false
}

func webobMethodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	webobError(w, r, http.StatusMethodNotAllowed, "")
}

func (c *Cloud) glanceVersionList(w http.ResponseWriter, code int) {
	out := []any{}
	for i, v := range glanceVersions {
		status := "SUPPORTED"
		if i == 0 {
			status = "CURRENT"
		}
		out = append(out, map[string]any{"id": "v" + v, "status": status,
			"links": []any{map[string]any{"rel": "self", "href": c.BaseURL() + ImagePath + "/v2/"}}})
	}
	writeJSON(w, code, map[string]any{"versions": out})
}

// glanceList is GET /v2/images, filtered by exact name as Glance does.
func (c *Cloud) glanceList(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	out := []any{}
	c.mu.Lock()
	for _, im := range c.opts.Images {
		if name == "" || name == im.Name {
			out = append(out, c.imageJSON(im))
		}
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"images": out, "first": "/v2/images", "schema": "/v2/schemas/images"})
}

func (c *Cloud) glanceFind(id string) (Image, bool) {
	for _, im := range c.opts.Images {
		if im.ID == id {
			return im, true
		}
	}
	return Image{}, false
}

// glanceShow is GET /v2/images/{id}; an unknown id is WebOb's 404 with
// the repository's message.
func (c *Cloud) glanceShow(w http.ResponseWriter, r *http.Request, id string) {
	c.mu.Lock()
	im, ok := c.glanceFind(id)
	c.mu.Unlock()
	if !ok {
		webobError(w, r, http.StatusNotFound, "No image found with ID "+id)
		return
	}
	writeJSON(w, http.StatusOK, c.imageJSON(im))
}

// glanceDelete is DELETE /v2/images/{id}: 204.
func (c *Cloud) glanceDelete(w http.ResponseWriter, r *http.Request, id string) {
	c.mu.Lock()
	_, ok := c.glanceFind(id)
	if ok {
		c.deleteImage(id)
	}
	c.mu.Unlock()
	if !ok {
		webobError(w, r, http.StatusNotFound, "No image found with ID "+id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) imageJSON(im Image) map[string]any {
	return map[string]any{"id": im.ID, "name": im.Name, "status": "active", "visibility": "public",
		"container_format": "bare", "disk_format": "qcow2", "min_disk": 0, "min_ram": 0, "protected": false,
		"size": 13287936, "virtual_size": nil, "tags": []any{}, "checksum": "c2e5db72bd7fd153f53ede5da5a06de3",
		"os_hash_algo": "sha512", "os_hash_value": "a5c4b1d1e1f1", "os_hidden": false, "owner": c.projectID,
		"created_at": "2016-01-01T00:00:00Z", "updated_at": "2016-01-01T00:00:00Z",
		"self": "/v2/images/" + im.ID, "file": "/v2/images/" + im.ID + "/file", "schema": "/v2/schemas/image"}
}
