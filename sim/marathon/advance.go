package marathon

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"time"
)

// advance moves every app towards its definition: tasks stage, run and
// pass health checks as time passes; a deployment launches new tasks and
// kills old ones within the upgrade strategy, and ends when the app
// runs its instances, ready, at the current config.
func (c *Cluster) advance() {
	now := c.opts.Now()
	for _, a := range c.unsettledApps() {
		for _, t := range a.tasks {
			if t.started.IsZero() && !now.Before(t.staged.Add(c.opts.StageDelay)) {
				t.started = t.staged.Add(c.opts.StageDelay)
				c.taskEvent(a, t, "TASK_RUNNING")
			}
			if !t.checked && !t.started.IsZero() && a.hasHealthChecks() && !now.Before(t.started.Add(c.opts.HealthDelay)) {
				t.checked, t.healthy = true, !c.badImages[t.image]
				if !t.healthy {
					t.unhealthySince = now
				}
				c.publish("health_status_changed_event", map[string]any{"appId": a.id, "instanceId": instanceID(t.id),
					"version": t.version, "alive": t.healthy})
			}
		}
		c.killUnhealthy(a, now)
		c.converge(a)
		a.settled = c.settledNow(a, now)
	}
}

// settledNow says whether time alone can change the app: no deployment,
// every task placed, running, checked and healthy, no launch delay.
func (c *Cluster) settledNow(a *app, now time.Time) bool {
	if a.deploy != nil || a.waiting > 0 || len(a.tasks) != a.instances() || now.Before(a.delayUntil) {
		return false
	}
	for _, t := range a.tasks {
		if t.started.IsZero() || (a.hasHealthChecks() && (!t.checked || !t.healthy)) {
			return false
		}
	}
	return true
}

// unsettledApps are the apps advance must look at, in id order (so that
// placement follows the seed, not map order); settled ones wait for a
// request or a knob to touch them, which keeps a cluster of many apps
// cheap to serve.
func (c *Cluster) unsettledApps() []*app {
	var out []*app
	for _, a := range c.apps {
		if !a.settled {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// unsettle makes advance look at every app again (capacity or health
// changed under them).
func (c *Cluster) unsettle() {
	for _, a := range c.apps {
		a.settled = false
	}
}

// killUnhealthy kills tasks that kept failing their health checks for
// another HealthDelay (Marathon's maxConsecutiveFailures × interval), as
// Marathon does, records lastTaskFailure and delays the next launch by
// the app's backoff.
func (c *Cluster) killUnhealthy(a *app, now time.Time) {
	for _, t := range append([]*task(nil), a.tasks...) {
		if t.unhealthySince.IsZero() || now.Before(t.unhealthySince.Add(c.opts.HealthDelay)) {
			continue
		}
		reason := fmt.Sprintf("ConnectionAttemptFailedException: Connection attempt to %s:%d failed", t.host, firstPort(t))
		c.publish("unhealthy_instance_kill_event", map[string]any{"appId": a.id, "taskId": t.id, "instanceId": instanceID(t.id),
			"version": t.version, "reason": reason, "host": t.host, "slaveId": t.agentID})
		c.kill(a, t)
		a.lastFailure = map[string]any{"appId": a.id, "host": t.host, "message": reason, "state": "TASK_KILLED",
			"taskId": t.id, "timestamp": timestamp(now), "version": t.version, "slaveId": t.agentID}
		a.failures++
		a.delayUntil = now.Add(a.backoff(a.failures))
	}
}

func firstPort(t *task) int {
	if len(t.ports) == 0 {
		return 0
	}
	return t.ports[0]
}

func (c *Cluster) ready(a *app, t *task) bool {
	return !t.started.IsZero() && (!a.hasHealthChecks() || t.healthy)
}

func (c *Cluster) converge(a *app) {
	n := a.instances()
	minHealth, maxOver := a.strategy()
	maxTotal := n + int(math.Floor(float64(n)*maxOver))
	if maxTotal == n && n > 0 && minHealth >= 1 {
		maxTotal = n + 1 // Marathon needs room for one replacement at a time
	}
	minReady := int(math.Ceil(float64(n) * minHealth))
	var fresh, old []*task
	for _, t := range a.tasks {
		if t.configVersion == a.config {
			fresh = append(fresh, t)
		} else {
			old = append(old, t)
		}
	}
	// Scale down the youngest first.
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].staged.Before(fresh[j].staged) })
	for len(fresh) > n {
		c.kill(a, fresh[len(fresh)-1])
		fresh = fresh[:len(fresh)-1]
	}
	a.waiting = 0
	for len(fresh) < n && len(fresh)+len(old) < maxTotal && !c.opts.Now().Before(a.delayUntil) {
		t := c.launch(a)
		if t == nil {
			a.waiting = n - len(fresh)
			break
		}
		fresh = append(fresh, t)
	}
	readyFresh := 0
	for _, t := range fresh {
		if c.ready(a, t) {
			readyFresh++
		}
	}
	for len(old) > 0 {
		// Kill old tasks that are not ready first, and only while the
		// ready ones left keep the minimum health capacity.
		idx := 0
		for i, t := range old {
			if !c.ready(a, t) {
				idx = i
				break
			}
		}
		readyOld := 0
		for i, t := range old {
			if i != idx && c.ready(a, t) {
				readyOld++
			}
		}
		if readyFresh+readyOld < minReady {
			break
		}
		c.kill(a, old[idx])
		old = append(old[:idx], old[idx+1:]...)
	}
	if a.deploy != nil && len(old) == 0 && len(fresh) == n && readyFresh == n {
		c.publish("deployment_success", map[string]any{"id": a.deploy.id, "plan": c.plan(a, a.deploy)})
		delete(c.deployments, a.deploy.id)
		if a.deploy.actions[0] == "StopApplication" {
			delete(c.apps, a.id) // a deleted app goes once its tasks are gone
		}
		a.deploy = nil
	}
}

func (c *Cluster) launch(a *app) *task {
	ag, ports := c.place(a)
	if ag == nil {
		return nil
	}
	cpus, mem, disk := a.resources()
	t := &task{id: taskID(a.id, uuid()), appID: a.id, agentID: ag.ID, host: ag.Hostname, version: a.version,
		configVersion: a.config, image: a.image(), ports: ports, staged: c.opts.Now(), cpus: cpus, mem: mem, disk: disk}
	a.tasks = append(a.tasks, t)
	c.taskEvent(a, t, "TASK_STAGING")
	return t
}

func (c *Cluster) kill(a *app, t *task) {
	c.taskEvent(a, t, "TASK_KILLED")
	for i, x := range a.tasks {
		if x == t {
			a.tasks = append(a.tasks[:i], a.tasks[i+1:]...)
			return
		}
	}
}

func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}
