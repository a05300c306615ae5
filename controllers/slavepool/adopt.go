package slavepool

import (
	"regexp"
	"slices"
	"sort"

	"minka/api/v1alpha1"
)

// Agents that ceph's playbooks registered for mita are named
// <IP>+<type>__<uuid> (mita's README says name+IP). A pool adopts such a
// node when the node carries all the pool's labels and a Nova server
// matches it, by the uuid (the server's id) or else by IP, so a site can
// switch from mita without rebooting its agents. The rule is a pure
// function of what Jenkins and Nova hold, so it survives restarts without
// writing anything to Nova.
var (
	mitaIPType = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3}){3})\+([A-Za-z0-9_.-]+?)__([0-9A-Fa-f-]{8,})$`)
	mitaNameIP = regexp.MustCompile(`^([A-Za-z0-9_.-]+)\+(\d{1,3}(?:\.\d{1,3}){3})$`)
)

// mitaServer finds the server behind a mita-style node name, or nil.
func mitaServer(node string, servers []Server) *Server {
	var ip, uuid string
	if m := mitaIPType.FindStringSubmatch(node); m != nil {
		ip, uuid = m[1], m[3]
	} else if m := mitaNameIP.FindStringSubmatch(node); m != nil {
		ip = m[2]
	} else {
		return nil
	}
	for i := range servers {
		if uuid != "" && servers[i].ID == uuid {
			return &servers[i]
		}
	}
	for i := range servers {
		if servers[i].IP == ip {
			return &servers[i]
		}
	}
	return nil
}

// adopted lists p's share of the mita-style agents: each goes to the first
// pool, in namespace/name order, whose labels the node carries.
func adopted(p *v1alpha1.SlavePool, pools []*v1alpha1.SlavePool, snap *Snapshot, servers []Server) []*agent {
	sorted := append([]*v1alpha1.SlavePool(nil), pools...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Namespace != sorted[j].Namespace {
			return sorted[i].Namespace < sorted[j].Namespace
		}
		return sorted[i].Name < sorted[j].Name
	})
	var out []*agent
	for name, n := range snap.Nodes {
		s := mitaServer(name, servers)
		if s == nil {
			continue
		}
		for _, q := range sorted {
			if !carries(n.Labels, q.Spec.Labels) {
				continue
			}
			if q.UID == p.UID {
				node, server := n, *s
				out = append(out, &agent{name: name, index: -1, node: &node, server: &server, adopted: true})
			}
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func carries(have, want []string) bool {
	for _, l := range want {
		if !slices.Contains(have, l) {
			return false
		}
	}
	return true
}
