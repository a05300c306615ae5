package deployment

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// shortfall explains tasks that cannot be placed: what each needs, what
// the largest free agent offers, and how many more fit anywhere.
type shortfall struct {
	need    Resources
	missing int // tasks asked for and not running or staged
	fit     int // of those, how many the free capacity can take
	largest *Agent
	limit   string // the constraint that capped placement, if one did
}

func (s shortfall) message(placed, want int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d replicas placed; %d more need cpus %g, mem %g MiB, disk %g MiB, %d ports each, and the cluster's free capacity fits %d",
		placed, want, s.missing, s.need.Cpus, s.need.Mem, s.need.Disk, s.need.Ports, s.fit)
	if s.largest != nil {
		fmt.Fprintf(&b, "; the largest free agent (%s) has cpus %g, mem %g MiB, disk %g MiB, %d ports",
			s.largest.Hostname, s.largest.Free.Cpus, s.largest.Free.Mem, s.largest.Free.Disk, s.largest.Free.Ports)
	}
	if s.limit != "" {
		fmt.Fprintf(&b, "; constraint %s limits placement", s.limit)
	}
	return b.String()
}

// capacity computes how many of missing tasks fit on the agents' free
// resources under the app's constraints. perHost counts the app's tasks
// on each host (UNIQUE and MAX_PER on hostname). Constraints on other
// attributes filter agents; UNIQUE/MAX_PER on attributes and GROUP_BY are
// not modelled (they never add capacity, so the count is an upper bound).
func capacity(agents []Agent, need Resources, constraints [][]string, perHost map[string]int, missing int) shortfall {
	s := shortfall{need: need, missing: missing}
	for i := range agents {
		ag := &agents[i]
		if s.largest == nil || ag.Free.Cpus > s.largest.Free.Cpus || (ag.Free.Cpus == s.largest.Free.Cpus && ag.Free.Mem > s.largest.Free.Mem) {
			s.largest = ag
		}
		n := fits(ag.Free, need)
		if c, name := constraintCap(ag, constraints, perHost[ag.Hostname]); c < n {
			n = c
			if c < fits(ag.Free, need) {
				s.limit = name
			}
		}
		s.fit += n
	}
	if s.fit > missing {
		s.fit = missing
	}
	return s
}

// fits is how many tasks of need the free resources hold.
func fits(free, need Resources) int {
	n := math.MaxInt32
	for _, r := range [][2]float64{{free.Cpus, need.Cpus}, {free.Mem, need.Mem}, {free.Disk, need.Disk}, {float64(free.Ports), float64(need.Ports)}} {
		if r[1] > 0 {
			n = min(n, int(math.Floor((r[0]+1e-9)/r[1])))
		}
	}
	return max(n, 0)
}

// constraintCap is how many more tasks the constraints allow on ag, and
// the constraint that decided it.
func constraintCap(ag *Agent, constraints [][]string, onHost int) (int, string) {
	most, name := math.MaxInt32, ""
	for _, c := range constraints {
		if len(c) < 2 {
			continue
		}
		value := ag.Attributes[c[0]]
		if c[0] == "hostname" {
			value = ag.Hostname
		}
		arg := ""
		if len(c) > 2 {
			arg = c[2]
		}
		n := math.MaxInt32
		switch op := c[1]; {
		case c[0] == "hostname" && op == "UNIQUE":
			n = 1 - onHost
		case c[0] == "hostname" && op == "MAX_PER":
			m, _ := strconv.Atoi(arg)
			n = m - onHost
		case (op == "CLUSTER" || op == "IS") && arg != "" && value != arg:
			n = 0
		case op == "LIKE" && !fullMatch(arg, value):
			n = 0
		case op == "UNLIKE" && fullMatch(arg, value):
			n = 0
		}
		if n < most {
			most, name = max(n, 0), strings.Join(c, ":")
		}
	}
	return most, name
}

func fullMatch(pattern, s string) bool {
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	return err == nil && re.MatchString(s)
}
