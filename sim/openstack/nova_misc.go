package openstack

import (
	"fmt"
	"net/http"
)

// listFlavors is GET /flavors/detail.
func (c *Cloud) listFlavors(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	out := []any{}
	for _, f := range c.opts.Flavors {
		out = append(out, c.flavorJSON(f, q))
	}
	writeJSON(w, http.StatusOK, map[string]any{"flavors": out})
}

// listFlavorsBasic is GET /flavors: id, name and links (views/flavors.py basic).
func (c *Cloud) listFlavorsBasic(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	out := []any{}
	for _, f := range c.opts.Flavors {
		m := map[string]any{"id": f.ID, "name": f.Name, "links": c.flavorLinks(f, q)}
		if q.supports("2.55") {
			m["description"] = nil
		}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"flavors": out})
}

func (c *Cloud) getFlavor(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	id := q.params[0]
	f, ok := c.flavor(id)
	if !ok {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Flavor %s could not be found.", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"flavor": c.flavorJSON(f, q)})
}

// listKeyPairs is GET /os-keypairs; "type" appears at 2.2.
func (c *Cloud) listKeyPairs(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	out := []any{}
	for _, k := range c.opts.KeyPairs {
		kp := map[string]any{"name": k, "fingerprint": "7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd",
			"public_key": "ssh-rsa AAAAB3NzaC1yc2E " + k}
		if q.supports("2.2") {
			kp["type"] = "ssh"
		}
		out = append(out, map[string]any{"keypair": kp})
	}
	writeJSON(w, http.StatusOK, map[string]any{"keypairs": out})
}

// limits is GET /limits; the network quotas go at 2.36, maxImageMeta at
// 2.39, the personality ones at 2.57 (compute/limits.py).
func (c *Cloud) limits(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	n, cores, ram := c.usage()
	quota := c.opts.Quota
	c.mu.Unlock()
	abs := map[string]any{
		"maxTotalInstances": quota.Instances, "maxTotalCores": quota.Cores, "maxTotalRAMSize": quota.RAM,
		"totalInstancesUsed": n, "totalCoresUsed": cores, "totalRAMUsed": ram,
		"maxServerMeta": 128, "maxImageMeta": 128, "maxPersonality": 5, "maxPersonalitySize": 10240,
		"maxTotalKeypairs": 100, "maxServerGroups": 10, "maxServerGroupMembers": 10,
		"maxSecurityGroups": 10, "maxSecurityGroupRules": 20, "maxTotalFloatingIps": 10,
		"totalFloatingIpsUsed": 0, "totalSecurityGroupsUsed": 0, "totalServerGroupsUsed": 0,
	}
	drop := func(keys ...string) {
		for _, k := range keys {
			delete(abs, k)
		}
	}
	if q.supports("2.36") {
		drop("maxSecurityGroups", "maxSecurityGroupRules", "maxTotalFloatingIps", "totalFloatingIpsUsed", "totalSecurityGroupsUsed")
	}
	if q.supports("2.39") {
		drop("maxImageMeta")
	}
	if q.supports("2.57") {
		drop("maxPersonality", "maxPersonalitySize")
	}
	writeJSON(w, http.StatusOK, map[string]any{"limits": map[string]any{"rate": []any{}, "absolute": abs}})
}

func (c *Cloud) flavorLinks(f Flavor, q *novaReq) []any {
	return []any{map[string]any{"rel": "self", "href": q.link(c, "flavors", f.ID)},
		map[string]any{"rel": "bookmark", "href": q.bookmark(c, "flavors", f.ID)}}
}

// flavorJSON is views/flavors.py show: description from 2.55,
// extra_specs from 2.61, swap a number from 2.75, no rxtx_factor from 2.102.
func (c *Cloud) flavorJSON(f Flavor, q *novaReq) map[string]any {
	m := map[string]any{"id": f.ID, "name": f.Name, "vcpus": f.VCPUs, "ram": f.RAM, "disk": f.Disk,
		"OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false, "os-flavor-access:is_public": true,
		"rxtx_factor": 1.0, "swap": "", "links": c.flavorLinks(f, q)}
	if q.supports("2.55") {
		m["description"] = nil
	}
	if q.supports("2.61") {
		m["extra_specs"] = map[string]any{}
	}
	if q.supports("2.75") {
		m["swap"] = 0
	}
	if q.supports("2.102") {
		delete(m, "rxtx_factor")
	}
	return m
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
