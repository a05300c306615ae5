package openstack

import (
	"fmt"
	"net/http"
	"strings"
)

// serveCompute routes /compute: the version documents, then
// /v2.1[/{project}]/... (Nova accepts URLs with and without the project).
func (c *Cloud) serveCompute(w http.ResponseWriter, r *http.Request, p string) {
	if r.Method == http.MethodGet && (p == "" || p == "/") {
		writeJSON(w, http.StatusOK, map[string]any{"versions": []any{c.computeVersion("v2.0"), c.computeVersion("v2.1")}})
		return
	}
	rest, ok := strings.CutPrefix(p, "/v2.1")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodGet && (rest == "" || rest == "/") {
		v := c.computeVersion("v2.1")
		v["media-types"] = []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}}
		writeJSON(w, http.StatusOK, map[string]any{"version": v})
		return
	}
	if r2, ok := strings.CutPrefix(rest, "/"+c.projectID); ok {
		rest = r2
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case post && rest == "/servers":
		c.createServer(w, r)
	case get && rest == "/servers":
		c.listServers(w, r, false)
	case get && rest == "/servers/detail":
		c.listServers(w, r, true)
	case len(parts) == 2 && parts[0] == "servers":
		c.serveServer(w, r, parts[1])
	case get && len(parts) == 3 && parts[0] == "servers" && parts[2] == "ips":
		c.serverIPs(w, parts[1])
	case len(parts) >= 3 && parts[0] == "servers" && parts[2] == "os-volume_attachments":
		c.serveAttachments(w, r, parts[1], parts[3:])
	case get && rest == "/flavors/detail":
		c.listFlavors(w)
	case get && len(parts) == 2 && parts[0] == "flavors":
		c.getFlavor(w, parts[1])
	case get && rest == "/os-keypairs":
		c.listKeyPairs(w)
	case get && rest == "/limits":
		c.limits(w)
	default:
		http.NotFound(w, r)
	}
}

func (c *Cloud) computeVersion(id string) map[string]any {
	v := map[string]any{"id": id, "status": "CURRENT", "version": "2.104", "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
		"links": []any{map[string]any{"rel": "self", "href": c.BaseURL() + ComputePath + "/" + id + "/"}}}
	if id == "v2.0" {
		v["status"], v["version"], v["min_version"], v["updated"] = "DEPRECATED", "", "", "2025-07-04T12:00:00Z"
	}
	return v
}

func (c *Cloud) listFlavors(w http.ResponseWriter) {
	out := []any{}
	for _, f := range c.opts.Flavors {
		out = append(out, flavorJSON(f))
	}
	writeJSON(w, http.StatusOK, map[string]any{"flavors": out})
}

func (c *Cloud) getFlavor(w http.ResponseWriter, id string) {
	f, ok := c.flavor(id)
	if !ok {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Flavor %s could not be found.", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"flavor": flavorJSON(f)})
}

func (c *Cloud) listKeyPairs(w http.ResponseWriter) {
	out := []any{}
	for _, k := range c.opts.KeyPairs {
		out = append(out, map[string]any{"keypair": map[string]any{"name": k, "type": "ssh",
			"fingerprint": "7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd", "public_key": "ssh-rsa AAAAB3NzaC1yc2E " + k}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"keypairs": out})
}

func (c *Cloud) limits(w http.ResponseWriter) {
	c.mu.Lock()
	n, cores, ram := c.usage()
	q := c.opts.Quota
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"limits": map[string]any{"rate": []any{}, "absolute": map[string]any{
		"maxTotalInstances": q.Instances, "maxTotalCores": q.Cores, "maxTotalRAMSize": q.RAM,
		"totalInstancesUsed": n, "totalCoresUsed": cores, "totalRAMUsed": ram,
		"maxServerMeta": 128, "maxImageMeta": 128, "maxPersonality": 5, "maxPersonalitySize": 10240,
		"maxTotalKeypairs": 100, "maxServerGroups": 10, "maxServerGroupMembers": 10,
		"maxSecurityGroups": 10, "maxSecurityGroupRules": 20, "maxTotalFloatingIps": 10,
		"totalFloatingIpsUsed": 0, "totalSecurityGroupsUsed": 0, "totalServerGroupsUsed": 0,
	}}})
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

// image finds an image by id or name, leniently as flavor does.
func (c *Cloud) image(ref string) (Image, bool) {
	for _, im := range c.opts.Images {
		if im.ID == ref || im.Name == ref {
			return im, true
		}
	}
	return Image{}, false
}

// network finds a network by uuid or name, leniently as flavor does.
func (c *Cloud) network(ref string) (Network, bool) {
	for _, n := range c.opts.Networks {
		if n.ID == ref || n.Name == ref {
			return n, true
		}
	}
	return Network{}, false
}
