// Package world joins the simulators into one small world: a Nova server
// whose user data names a Jenkins agent (JENKINS_AGENT_NAME, and
// JENKINS_SECRET or nothing) connects that agent once it is ACTIVE, as
// agent.jar would after boot, and disconnects it when the server is
// deleted. Run moves simulated time on for everyone.
package world

import (
	"context"
	"regexp"
	"time"

	"minka/sim/jenkins"
	"minka/sim/openstack"
)

var agentVar = regexp.MustCompile(`(?m)\bJENKINS_(AGENT_NAME|SECRET)\s*[=:]\s*"?([^"\s]+)"?`)

// World is the simulators together.
type World struct {
	Cloud   *openstack.Cloud
	Jenkins *jenkins.Server
	// Tickers are other simulators whose time Run moves on (Marathon).
	Tickers []func()
}

// New joins cloud and jk.
func New(cloud *openstack.Cloud, jk *jenkins.Server) *World {
	w := &World{Cloud: cloud, Jenkins: jk}
	cloud.SetHooks(w.booted, w.deleted)
	return w
}

// Run ticks the simulators every interval until ctx ends, so that boots
// and builds finish even when no client is asking.
func (w *World) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Cloud.Tick()
			w.Jenkins.Tick()
			for _, tick := range w.Tickers {
				tick()
			}
		}
	}
}

func agentOf(userData string) (name, secret string) {
	for _, m := range agentVar.FindAllStringSubmatch(userData, -1) {
		if m[1] == "AGENT_NAME" {
			name = m[2]
		} else {
			secret = m[2]
		}
	}
	return name, secret
}

func (w *World) booted(s openstack.Server) {
	name, secret := agentOf(s.UserData)
	if name == "" {
		return
	}
	if secret == "" {
		secret, _ = w.Jenkins.Secret(name)
	}
	_ = w.Jenkins.Connect(name, secret) // a wrong name or secret: the agent never shows up, as in life
}

func (w *World) deleted(s openstack.Server) {
	if name, _ := agentOf(s.UserData); name != "" {
		w.Jenkins.Disconnect(name)
	}
}
