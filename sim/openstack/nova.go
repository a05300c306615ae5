package openstack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// serveCompute routes /compute/v2.1/{project}/... .
func (c *Cloud) serveCompute(w http.ResponseWriter, r *http.Request, p string) {
	rest, ok := strings.CutPrefix(p, "/v2.1/"+c.projectID)
	if !ok {
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	get, post, del := r.Method == http.MethodGet, r.Method == http.MethodPost, r.Method == http.MethodDelete
	switch {
	case post && rest == "/servers":
		c.createServer(w, r)
	case get && rest == "/servers":
		c.listServers(w, r, false)
	case get && rest == "/servers/detail":
		c.listServers(w, r, true)
	case len(parts) == 2 && parts[0] == "servers":
		c.serveServer(w, r, parts[1], get, del)
	case len(parts) >= 3 && parts[0] == "servers" && parts[2] == "os-volume_attachments":
		c.serveAttachments(w, r, parts[1], parts[3:])
	case get && rest == "/flavors/detail":
		c.mu.Lock()
		out := []any{}
		for _, f := range c.opts.Flavors {
			out = append(out, flavorJSON(f))
		}
		c.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"flavors": out})
	case get && len(parts) == 2 && parts[0] == "flavors":
		if f, ok := c.flavor(parts[1]); ok {
			writeJSON(w, http.StatusOK, map[string]any{"flavor": flavorJSON(f)})
		} else {
			novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Flavor %s could not be found.", parts[1]))
		}
	case get && rest == "/os-keypairs":
		out := []any{}
		for _, k := range c.opts.KeyPairs {
			out = append(out, map[string]any{"keypair": map[string]any{"name": k, "type": "ssh",
				"fingerprint": "7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd", "public_key": "ssh-rsa AAAA... " + k}})
		}
		writeJSON(w, http.StatusOK, map[string]any{"keypairs": out})
	case get && rest == "/limits":
		c.limits(w)
	default:
		http.NotFound(w, r)
	}
}

func (c *Cloud) serveServer(w http.ResponseWriter, r *http.Request, id string, get, del bool) {
	switch {
	case get:
		c.mu.Lock()
		s := c.servers[id]
		var body map[string]any
		if s != nil {
			body = c.serverJSON(s)
		}
		c.mu.Unlock()
		if s == nil {
			novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s could not be found.", id))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"server": body})
	case del:
		c.mu.Lock()
		gone, ok := c.deleteServer(id)
		onDelete := c.opts.OnDelete
		c.mu.Unlock()
		if !ok {
			novaError(w, http.StatusNotFound, "itemNotFound", "Instance could not be found")
			return
		}
		if onDelete != nil {
			onDelete(gone)
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func (c *Cloud) limits(w http.ResponseWriter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, cores, ram := 0, 0, 0
	for _, s := range c.servers {
		n, cores, ram = n+1, cores+s.flavor.VCPUs, ram+s.flavor.RAM
	}
	q := c.opts.Quota
	writeJSON(w, http.StatusOK, map[string]any{"limits": map[string]any{"rate": []any{}, "absolute": map[string]any{
		"maxTotalInstances": q.Instances, "maxTotalCores": q.Cores, "maxTotalRAMSize": q.RAM,
		"totalInstancesUsed": n, "totalCoresUsed": cores, "totalRAMUsed": ram,
		"maxServerMeta": 128, "maxImageMeta": 128, "maxPersonality": 5, "maxPersonalitySize": 10240,
		"maxTotalKeypairs": 100, "maxServerGroups": 10, "maxServerGroupMembers": 10,
		"maxSecurityGroups": 10, "maxSecurityGroupRules": 20, "maxTotalFloatingIps": 10,
		"totalFloatingIpsUsed": 0, "totalSecurityGroupsUsed": 0, "totalServerGroupsUsed": 0,
	}}})
}

func (c *Cloud) serveAttachments(w http.ResponseWriter, r *http.Request, serverID string, rest []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.servers[serverID]
	if s == nil {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s could not be found.", serverID))
		return
	}
	switch {
	case r.Method == http.MethodPost && len(rest) == 0:
		var req struct {
			VolumeAttachment struct {
				VolumeID string `json:"volumeId"`
				Device   string `json:"device"`
			} `json:"volumeAttachment"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		v := c.volumes[req.VolumeAttachment.VolumeID]
		if v == nil {
			novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", req.VolumeAttachment.VolumeID))
			return
		}
		dev := req.VolumeAttachment.Device
		if dev == "" {
			dev = fmt.Sprintf("/dev/vd%c", 'b'+len(s.attached))
		}
		s.attached[v.id], v.status, v.attachedTo = dev, "in-use", s.id
		writeJSON(w, http.StatusOK, map[string]any{"volumeAttachment": attachmentJSON(s.id, v.id, dev)})
	case r.Method == http.MethodGet && len(rest) == 0:
		out := []any{}
		for vid, dev := range s.attached {
			out = append(out, attachmentJSON(s.id, vid, dev))
		}
		writeJSON(w, http.StatusOK, map[string]any{"volumeAttachments": out})
	case r.Method == http.MethodDelete && len(rest) == 1:
		if _, ok := s.attached[rest[0]]; !ok {
			novaError(w, http.StatusNotFound, "itemNotFound", "volume_id not found: "+rest[0])
			return
		}
		delete(s.attached, rest[0])
		if v := c.volumes[rest[0]]; v != nil {
			v.status, v.attachedTo = "available", ""
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func attachmentJSON(serverID, volID, dev string) map[string]any {
	return map[string]any{"id": volID, "device": dev, "serverId": serverID, "volumeId": volID}
}

func flavorJSON(f Flavor) map[string]any {
	return map[string]any{"id": f.ID, "name": f.Name, "vcpus": f.VCPUs, "ram": f.RAM, "disk": f.Disk,
		"OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false, "os-flavor-access:is_public": true,
		"rxtx_factor": 1.0, "swap": "", "description": nil, "extra_specs": map[string]any{},
		"links": []any{map[string]any{"rel": "self", "href": "flavors/" + f.ID}}}
}

// flavor finds a flavor by id or name (Nova accepts only ids; minka's
// templates name flavors, so the simulator is lenient here).
func (c *Cloud) flavor(ref string) (Flavor, bool) {
	for _, f := range c.opts.Flavors {
		if f.ID == ref || f.Name == ref {
			return f, true
		}
	}
	return Flavor{}, false
}

func (c *Cloud) image(ref string) *Image {
	for i, im := range c.opts.Images {
		if im.ID == ref || im.Name == ref {
			return &c.opts.Images[i]
		}
	}
	return nil
}
