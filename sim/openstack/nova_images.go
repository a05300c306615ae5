package openstack

import (
	"net/http"
	"strconv"
	"strings"
)

// Nova's image proxy (compute/images.py, image_metadata.py, served up to
// 2.35 and 2.38): Glance's images, which these calls read and delete.

// imageList is the images a proxy list shows, filtered as
// ImagesController._get_filters passes them to Glance: name and status
// exactly, minRam/minDisk as lower bounds, server, type and property-*
// on properties (the simulated images have none). c.mu is held.
func (c *Cloud) imageList(r *http.Request) []Image {
	var out []Image
	for _, im := range c.opts.Images {
		if imageFiltered(r, im) {
			out = append(out, im)
		}
	}
	return out
}

func imageFiltered(r *http.Request, im Image) bool {
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch {
		case key == "name" && v != im.Name:
			return false
		case key == "status" && strings.ToLower(v) != "active":
			return false
		case key == "minRam" || key == "minDisk":
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return false // min_ram and min_disk are 0
			}
		case key == "server" || key == "type" || strings.HasPrefix(key, "property-"):
			return false
		}
	}
	return true
}

// proxyImages is GET /images: id, name, links.
func (c *Cloud) proxyImages(w http.ResponseWriter, r *http.Request, q *novaReq) {
	c.mu.Lock()
	out := []any{}
	for _, im := range c.imageList(r) {
		out = append(out, map[string]any{"id": im.ID, "name": im.Name, "links": c.imageLinks(im, q)})
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"images": out})
}

// proxyImagesDetail is GET /images/detail, libcloud's list_images.
func (c *Cloud) proxyImagesDetail(w http.ResponseWriter, r *http.Request, q *novaReq) {
	c.mu.Lock()
	out := []any{}
	for _, im := range c.imageList(r) {
		out = append(out, c.proxyImageJSON(im, q))
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"images": out})
}

// findImage is the image of the URL, or Nova's 404. c.mu is held.
func (c *Cloud) findImage(w http.ResponseWriter, id string) (Image, bool) {
	for _, im := range c.opts.Images {
		if im.ID == id {
			return im, true
		}
	}
	novaError(w, http.StatusNotFound, "itemNotFound", "Image not found.")
	return Image{}, false
}

func (c *Cloud) proxyImage(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if im, ok := c.findImage(w, q.params[0]); ok {
		writeJSON(w, http.StatusOK, map[string]any{"image": c.proxyImageJSON(im, q)})
	}
}

// proxyDeleteImage is DELETE /images/{id}: 204; Glance no longer has it.
func (c *Cloud) proxyDeleteImage(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.findImage(w, q.params[0]); ok {
		c.deleteImage(q.params[0])
		w.WriteHeader(http.StatusNoContent)
	}
}

func (c *Cloud) proxyImageMetadata(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.findImage(w, q.params[0]); ok {
		writeJSON(w, http.StatusOK, map[string]any{"metadata": map[string]any{}})
	}
}

// proxyImageMetaKey is GET /images/{id}/metadata/{key}: no image has
// properties, so a bare 404 fault.
func (c *Cloud) proxyImageMetaKey(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.findImage(w, q.params[0]); ok {
		novaError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
	}
}

// proxyImageJSON is views/images.py show. c.mu is held.
func (c *Cloud) proxyImageJSON(im Image, q *novaReq) map[string]any {
	return map[string]any{"id": im.ID, "name": im.Name, "minRam": 0, "minDisk": 0, "metadata": map[string]any{},
		"created": "2016-01-01T00:00:00Z", "updated": "2016-01-01T00:00:00Z", "status": "ACTIVE", "progress": 100,
		"OS-EXT-IMG-SIZE:size": 13287936, "links": c.imageLinks(im, q)}
}

func (c *Cloud) imageLinks(im Image, q *novaReq) []any {
	return []any{
		map[string]any{"rel": "self", "href": q.link(c, "images", im.ID)},
		map[string]any{"rel": "bookmark", "href": q.bookmark(c, "images", im.ID)},
		map[string]any{"rel": "alternate", "type": "application/vnd.openstack.image", "href": q.root + ImagePath + "/images/" + im.ID},
	}
}

// deleteImage removes an image from Glance. c.mu is held.
func (c *Cloud) deleteImage(id string) {
	var kept []Image
	for _, im := range c.opts.Images {
		if im.ID != id {
			kept = append(kept, im)
		}
	}
	c.opts.Images = kept
}
