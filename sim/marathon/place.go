package marathon

import (
	"regexp"
	"strconv"
)

// used sums what tasks hold on an agent.
func (c *Cluster) used(ag *Agent) (cpus, mem, disk float64, ports map[int]bool) {
	ports = map[int]bool{}
	for _, a := range c.apps {
		for _, t := range a.tasks {
			if t.agentID == ag.ID {
				cpus, mem, disk = cpus+t.cpus, mem+t.mem, disk+t.disk
				for _, p := range t.ports {
					ports[p] = true
				}
			}
		}
	}
	return
}

// place finds an agent for one more task of a: free resources, free
// ports, and every constraint satisfied. It returns nil when none fits.
func (c *Cluster) place(a *app) (*Agent, []int) {
	cpus, mem, disk := a.resources()
	for _, ag := range c.agents {
		uc, um, ud, up := c.used(ag)
		if uc+cpus > ag.Cpus+1e-9 || um+mem > ag.Mem+1e-9 || ud+disk > ag.Disk+1e-9 || !c.satisfies(a, ag) {
			continue
		}
		var ports []int
		for p := ag.PortsLo; p <= ag.PortsHi && len(ports) < a.portCount(); p++ {
			if !up[p] {
				ports = append(ports, p)
			}
		}
		if len(ports) == a.portCount() {
			return ag, ports
		}
	}
	return nil, nil
}

func field(ag *Agent, name string) string {
	if name == "hostname" {
		return ag.Hostname
	}
	return ag.Attributes[name]
}

// satisfies checks Marathon's constraint operators against the app's
// other tasks.
func (c *Cluster) satisfies(a *app, ag *Agent) bool {
	for _, con := range a.constraints() {
		if len(con) < 2 {
			continue
		}
		f, op, val := con[0], con[1], ""
		if len(con) > 2 {
			val = con[2]
		}
		mine := field(ag, f)
		same := 0
		for _, t := range a.tasks {
			if other := c.agent(t.agentID); other != nil && field(other, f) == mine {
				same++
			}
		}
		ok := true
		switch op {
		case "UNIQUE":
			ok = same == 0
		case "CLUSTER", "IS":
			ok = val == "" || mine == val
		case "LIKE", "UNLIKE":
			re, err := regexp.Compile("^(?:" + val + ")$")
			ok = err == nil && re.MatchString(mine) == (op == "LIKE")
		case "MAX_PER":
			n, _ := strconv.Atoi(val)
			ok = same < n
		case "GROUP_BY":
			ok = c.leastUsed(a, f, mine)
		}
		if !ok {
			return false
		}
	}
	return true
}

// leastUsed: GROUP_BY spreads tasks over a field's values; a value may
// take a task when no other value has fewer.
func (c *Cluster) leastUsed(a *app, f, mine string) bool {
	count := map[string]int{}
	for _, ag := range c.agents {
		count[field(ag, f)] += 0
	}
	for _, t := range a.tasks {
		if ag := c.agent(t.agentID); ag != nil {
			count[field(ag, f)]++
		}
	}
	for _, n := range count {
		if n < count[mine] {
			return false
		}
	}
	return true
}

func (c *Cluster) agent(id string) *Agent {
	for _, ag := range c.agents {
		if ag.ID == id {
			return ag
		}
	}
	return nil
}
