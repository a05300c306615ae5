package openstack

import (
	"fmt"
	"net/http"

	"minka/sim/fault"
)

// QuotaExceeded is the named failure answering Nova's 403 OverQuota for
// instances, whatever the real usage; the other failures are fault's
// (fault.Internal, fault.Unavailable, fault.Reset, fault.Hang).
const QuotaExceeded = "quota"

// Fault is a fault knob: latency, an error rate drawn from Options.Seed,
// a named failure, restricted to requests matching "METHOD /path" prefixes.
type Fault = fault.Fault

// SetFault adds a fault knob; an unknown failure name is an error.
func (c *Cloud) SetFault(f Fault) error {
	if err := c.Faults.Set(f); err != nil {
		return fmt.Errorf("openstack: set fault: %w", err)
	}
	return nil
}

// ClearFaults lifts every fault knob.
func (c *Cloud) ClearFaults() { c.Faults.Clear() }

func (c *Cloud) quotaFault(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	q := c.opts.Quota.Instances
	c.mu.Unlock()
	novaError(w, http.StatusForbidden, "forbidden",
		fmt.Sprintf("Quota exceeded for instances: Requested 1, but already used %d of %d instances", q, q))
}

// FailServer puts a server in ERROR now, with the fault Nova records when
// no host can take it; a server in BUILD never becomes ACTIVE.
func (c *Cloud) FailServer(id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.servers[id]
	if s == nil {
		return fmt.Errorf("openstack: fail server %s: no such server", id)
	}
	s.setError(c.opts.Now())
	return nil
}

// FailBoot makes a server still in BUILD end in ERROR when its boot delay
// passes, as when Nova finds no valid host.
func (c *Cloud) FailBoot(id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.servers[id]
	if s == nil || s.status != "BUILD" {
		return fmt.Errorf("openstack: fail boot of %s: no such server in BUILD", id)
	}
	s.failBoot = true
	return nil
}

// FailNextBoots makes the next n servers created end in ERROR instead of
// ACTIVE after the boot delay.
func (c *Cloud) FailNextBoots(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failNext = n
}
