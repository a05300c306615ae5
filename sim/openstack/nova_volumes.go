package openstack

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
)

// Nova's volume proxy, os-volumes (compute/volumes.py, up to 2.35): the
// same Cinder volumes /volume/v3 shows, in Nova's camelCase view.

// proxyVolumes is GET /os-volumes and /os-volumes/detail (one view),
// sliced by offset and limit (common.limited).
func (c *Cloud) proxyVolumes(w http.ResponseWriter, r *http.Request, _ *novaReq) {
	offset, limit, msg := pageParams(r)
	if msg != "" {
		novaError(w, http.StatusBadRequest, "badRequest", msg)
		return
	}
	c.mu.Lock()
	out := []any{}
	for i, id := range c.volOrder {
		if i >= offset && len(out) < limit {
			out = append(out, c.proxyVolumeJSON(c.volumes[id]))
		}
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"volumes": out})
}

var digits = regexp.MustCompile(`^[0-9]*$`)

// pageParams checks offset and limit as index_query does and applies
// CONF.api.max_limit (1000).
func pageParams(r *http.Request) (offset, limit int, msg string) {
	limit = 1000
	for _, name := range []string{"offset", "limit"} {
		vals, ok := r.URL.Query()[name]
		if !ok {
			continue
		}
		v := vals[len(vals)-1]
		switch {
		case !digits.MatchString(v):
			return 0, 0, fmt.Sprintf("Invalid input for query parameters %s. Value: %s. %s does not match '^[0-9]*$'", name, v, pyRepr(v))
		case v == "":
			return 0, 0, fmt.Sprintf("Invalid input for query parameters %s. Value: . '' is too short", name)
		}
		n, _ := strconv.Atoi(v)
		if name == "offset" {
			offset = n
		} else if n > 0 && n < limit {
			limit = n
		}
	}
	return offset, limit, ""
}

func (c *Cloud) proxyVolume(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.volumes[q.params[0]]
	if v == nil {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", q.params[0]))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"volume": c.proxyVolumeJSON(v)})
}

// proxyDeleteVolume is DELETE /os-volumes/{id}: 202; an attached volume
// is Cinder's 400, which Nova passes on as InvalidInput.
func (c *Cloud) proxyDeleteVolume(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := q.params[0]
	switch v := c.volumes[id]; {
	case v == nil:
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", id))
	case v.attachedTo != "":
		// str() of cinderclient's BadRequest: message (HTTP 400) (Request-ID: ...).
		novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid input received: %s (HTTP 400) (Request-ID: req-%s)",
			cinderInUseMessage, newID()))
	default:
		c.deleteVolume(id)
		w.WriteHeader(http.StatusAccepted)
	}
}

// proxyCreateVolume is POST /os-volumes (libcloud's create_volume): the
// volume Cinder creates, 200 with its Location; Cinder's over-quota 413
// is Nova's 403 with Cinder's message.
func (c *Cloud) proxyCreateVolume(w http.ResponseWriter, r *http.Request, q *novaReq) {
	var body map[string]any
	if !decodeBody(w, q.body, &body) {
		return
	}
	vol, size, msg := volumeBody(body)
	if msg != "" {
		novaError(w, http.StatusBadRequest, "badRequest", msg)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if msg := c.volumeQuota(size); msg != "" {
		novaError(w, http.StatusForbidden, "forbidden", msg)
		return
	}
	name, _ := vol["display_name"].(string)
	v := c.newVolume(name, size)
	if d, ok := vol["display_description"].(string); ok {
		v.description = d
	}
	if md, ok := vol["metadata"].(map[string]any); ok {
		for k, val := range md {
			v.metadata[k] = fmt.Sprint(val)
		}
	}
	out := c.proxyVolumeJSON(v)
	out["status"] = "creating" // what Cinder's create answered
	loc := q.root + r.URL.Path
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", loc+"/"+v.id)
	writeJSON(w, http.StatusOK, map[string]any{"volume": out})
}

// volumeBody checks a create body as schemas/volumes.py create does.
func volumeBody(body map[string]any) (map[string]any, int, string) {
	if msg := onlyProperties(body, "volume"); msg != "" {
		return nil, 0, msg
	}
	raw, ok := body["volume"]
	if !ok {
		return nil, 0, "'volume' is a required property"
	}
	vol, ok := raw.(map[string]any)
	if !ok {
		return nil, 0, fieldError("volume", raw, pyRepr(raw)+" is not of type 'object'")
	}
	strs := []string{"volume_type", "snapshot_id", "availability_zone", "display_name", "display_description"}
	if msg := onlyProperties(vol, append(strs, "metadata", "size")...); msg != "" {
		return nil, 0, fieldError("volume", vol, msg)
	}
	for _, k := range strs {
		if x, ok := vol[k]; ok {
			if _, isStr := x.(string); !isStr {
				return nil, 0, fieldError(k, x, pyRepr(x)+" is not of type 'string'")
			}
		}
	}
	if md, ok := vol["metadata"]; ok {
		if _, isObj := md.(map[string]any); !isObj {
			return nil, 0, fieldError("metadata", md, pyRepr(md)+" is not of type 'object'")
		}
	}
	raw, ok = vol["size"]
	if !ok {
		return nil, 0, fieldError("volume", vol, "'size' is a required property")
	}
	var size int
	switch x := raw.(type) {
	case float64:
		if x != float64(int64(x)) {
			return nil, 0, fieldError("size", x, pyRepr(x)+" is not of type 'integer', 'string'")
		}
		size = int(x)
	case string:
		if !regexp.MustCompile(`^[0-9]+$`).MatchString(x) {
			return nil, 0, fieldError("size", x, pyRepr(x)+" does not match '^[0-9]+$'")
		}
		size, _ = strconv.Atoi(x)
	default:
		return nil, 0, fieldError("size", raw, pyRepr(raw)+" is not of type 'integer', 'string'")
	}
	if size < 1 {
		return nil, 0, fieldError("size", size, fmt.Sprintf("%d is less than the minimum of 1", size))
	}
	return vol, size, ""
}

// proxyVolumeJSON is _translate_volume_detail_view over what Nova's
// cinder.API reads. c.mu is held.
func (c *Cloud) proxyVolumeJSON(v *volume) map[string]any {
	att := map[string]any{}
	if v.attachedTo != "" {
		att = map[string]any{"id": v.id, "volumeId": v.id, "serverId": v.attachedTo}
		if v.device != "" {
			att["device"] = v.device
		}
	}
	md := map[string]any{}
	for k, val := range v.metadata {
		md[k] = val
	}
	return map[string]any{"id": v.id, "status": v.status, "size": v.size, "availabilityZone": "nova",
		"createdAt": noZone(v.created), "attachments": []any{att}, "displayName": nilIfEmpty(v.name),
		"displayDescription": v.description, "volumeType": "lvmdriver-1", "snapshotId": nil, "metadata": md}
}
