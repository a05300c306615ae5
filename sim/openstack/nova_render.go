package openstack

import (
	"slices"
	"strings"
)

// serverJSON is a server as GET /servers/{id} and /servers/detail show it.
// c.mu is held.
func (c *Cloud) serverJSON(s *server, q *novaReq) map[string]any {
	var launched any
	if !s.launched.IsZero() {
		launched = noZone(s.launched)
	}
	// Every volume attached, at boot or since; delete_on_termination from 2.3.
	vols := []any{}
	for _, vid := range s.attachedIDs() {
		v := map[string]any{"id": vid}
		if q.supports("2.3") {
			v["delete_on_termination"] = slices.Contains(s.volumes, vid)
		}
		vols = append(vols, v)
	}
	m := map[string]any{"id": s.id, "name": s.name, "status": s.status, "addresses": addresses(s, true),
		"accessIPv4": "", "accessIPv6": "", "created": rfc3339(s.created), "updated": rfc3339(s.updated),
		"hostId":   "92154fab69d5883ba2c8622b7e65f745dd33257221c07af363c51b29",
		"flavor":   map[string]any{"id": s.flavor.ID, "links": []any{map[string]any{"rel": "bookmark", "href": q.bookmark(c, "flavors", s.flavor.ID)}}},
		"image":    map[string]any{"id": s.imageID, "links": []any{map[string]any{"rel": "bookmark", "href": q.bookmark(c, "images", s.imageID)}}},
		"key_name": nilIfEmpty(s.keyName), "links": c.serverLinks(s.id, q), "metadata": s.metadata, "config_drive": "",
		"OS-DCF:diskConfig": "MANUAL", "OS-EXT-AZ:availability_zone": "nova", "OS-EXT-SRV-ATTR:host": "compute-1",
		"OS-EXT-SRV-ATTR:hypervisor_hostname": "compute-1", "OS-EXT-SRV-ATTR:instance_name": "instance-" + s.id[:8],
		"OS-EXT-STS:power_state": powerState(s.status), "OS-EXT-STS:task_state": taskState(s.status),
		"OS-EXT-STS:vm_state": strings.ToLower(s.status), "os-extended-volumes:volumes_attached": vols,
		"OS-SRV-USG:launched_at": launched, "OS-SRV-USG:terminated_at": nil,
		"progress": 0, "security_groups": groupsJSON(s.secGroups), "tenant_id": c.projectID, "user_id": "u-" + c.opts.User,
	}
	if s.fault != nil {
		m["fault"] = s.fault
	}
	return m
}

// addresses maps the server's network name to its fixed address, once it
// has one; extended adds the OS-EXT-IPS fields /servers/{id} shows.
func addresses(s *server, extended bool) map[string]any {
	if s.ip == "" {
		return map[string]any{}
	}
	a := map[string]any{"addr": s.ip, "version": 4}
	if extended {
		a["OS-EXT-IPS:type"], a["OS-EXT-IPS-MAC:mac_addr"] = "fixed", "fa:16:3e:4c:2c:30"
	}
	return map[string]any{s.network: []any{a}}
}

func (c *Cloud) serverLinks(id string, q *novaReq) []any {
	return []any{
		map[string]any{"rel": "self", "href": q.link(c, "servers", id)},
		map[string]any{"rel": "bookmark", "href": q.bookmark(c, "servers", id)},
	}
}

func groupsJSON(names []string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, map[string]any{"name": n})
	}
	return out
}

func powerState(status string) int {
	if status == "ACTIVE" {
		return 1
	}
	return 0
}

func taskState(status string) any {
	if status == "BUILD" {
		return "spawning"
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
