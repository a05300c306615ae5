package slavepool

import (
	"bytes"
	"fmt"
	"sort"
	"text/template"
	"time"

	"minka/api/v1alpha1"
)

// Agent phases, as status.nodes[].phase.
const (
	PhaseProvisioning = "Provisioning" // Jenkins node made, no server yet
	PhaseBooting      = "Booting"      // server booting or the agent not connected yet
	PhaseOnline       = "Online"
	PhaseDraining     = "Draining" // temporarily offline, to be removed once idle
	PhaseDeleting     = "Deleting"
)

// agent is one agent of a pool as Jenkins and Nova hold it: the truth,
// read fresh each pass.
type agent struct {
	name    string
	index   int
	server  *Server
	node    *Node
	removed bool // removed in this pass
	adopted bool // a mita-registered agent (index -1)
	// twins are more servers of the agent's name: a create whose outcome
	// was unknown and was made again. They are deleted, never hidden.
	twins []*Server
}

func (a *agent) phase() string {
	switch {
	case a.removed || (a.server != nil && (a.server.Status == "DELETED" || a.server.Status == "SOFT_DELETED")):
		return PhaseDeleting
	case a.server == nil:
		return PhaseProvisioning
	case a.node != nil && a.node.TemporarilyOffline:
		return PhaseDraining
	case a.node != nil && !a.node.Offline:
		return PhaseOnline
	}
	return PhaseBooting
}

func (a *agent) busy() int {
	if a.node == nil {
		return 0
	}
	return a.node.Busy
}

// observeAgents joins the pool's Nova servers (by name and the pool uid
// in their metadata) and Jenkins nodes (by name) into agents, by index.
func observeAgents(p *v1alpha1.SlavePool, snap *Snapshot, servers []Server) []*agent {
	byName := map[string]*agent{}
	get := func(name string, i int) *agent {
		if byName[name] == nil {
			byName[name] = &agent{name: name, index: i}
		}
		return byName[name]
	}
	recorded := map[string]bool{} // server ids the status holds
	for _, n := range p.Status.Nodes {
		if n.ServerID != "" {
			recorded[n.ServerID] = true
		}
	}
	for i := range servers {
		s := &servers[i]
		idx, ok := indexOf(p, s.Name)
		if !ok || s.Metadata[MetaPoolUID] != string(p.UID) {
			continue
		}
		a := get(s.Name, idx)
		switch {
		case a.server == nil:
			a.server = s
		case keepFirst(s, a.server, recorded):
			a.twins = append(a.twins, a.server)
			a.server = s
		default:
			a.twins = append(a.twins, s)
		}
	}
	for name := range snap.Nodes {
		if idx, ok := indexOf(p, name); ok {
			n := snap.Nodes[name]
			get(name, idx).node = &n
		}
	}
	out := make([]*agent, 0, len(byName))
	for _, a := range byName {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].index < out[j].index })
	return out
}

// keepFirst says which of two servers of one name an agent keeps: a live
// one over one in ERROR or deleted, then the one the status already
// records for the agent, then the older (its agent has had longest to
// boot; Nova's times are in seconds), then the lower id, so every pass
// picks the same one.
func keepFirst(a, b *Server, recorded map[string]bool) bool {
	if da, db := deadServer(a), deadServer(b); da != db {
		return db
	}
	if ra, rb := recorded[a.ID], recorded[b.ID]; ra != rb {
		return ra
	}
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.ID < b.ID
}

func deadServer(s *Server) bool {
	return s.Status == "ERROR" || s.Status == "DELETED" || s.Status == "SOFT_DELETED"
}

// freeIndex is the lowest index no agent of the pool holds (a removed
// one keeps its index until Nova and Jenkins forget it).
func freeIndex(agents []*agent) int {
	used := map[int]bool{-1: true}
	for _, a := range agents {
		used[a.index] = true
	}
	for i := 0; ; i++ {
		if !used[i] {
			return i
		}
	}
}

// defaultUserData connects the agent when the image runs it at boot.
const defaultUserData = `#!/bin/sh
# written by minka: the agent's Jenkins connection
JENKINS_URL={{.JenkinsURL}}
JENKINS_AGENT_NAME={{.NodeName}}
JENKINS_SECRET={{.Secret}}
`

// userDataVars are what a template's user data may use.
type userDataVars struct {
	JenkinsURL, NodeName, Secret, Pool, Namespace string
	Labels                                        []string
	Executors                                     int32
}

func renderUserData(p *v1alpha1.SlavePool, v userDataVars) ([]byte, error) {
	text := p.Spec.Template.UserData
	if text == "" {
		text = defaultUserData
	}
	t, err := template.New("userData").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return nil, err
	}
	if b.Len() > v1alpha1.MaxUserDataBytes {
		// Nova would refuse the server with a 400 after the Jenkins node
		// was made.
		return nil, fmt.Errorf("renders to %d bytes, more than Nova's %d (65535 base64 characters)", b.Len(), v1alpha1.MaxUserDataBytes)
	}
	return b.Bytes(), nil
}

func dur(d *v1alpha1.Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return d.Duration
}
