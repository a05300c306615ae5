package slavepool

import (
	"testing"
	"time"

	"minka/api/v1alpha1"
)

// TestObserveKeepsTwins: every server of an agent's name is kept, the one
// the agent holds chosen the same way on every pass; the others are twins
// to delete, never hidden.
func TestObserveKeepsTwins(t *testing.T) {
	p := pool("ci", "trusty", "trusty")
	name := agentName(p, 0)
	p.Status.Nodes = []v1alpha1.AgentNode{{Name: name, ServerID: "z"}}
	meta := map[string]string{MetaPoolUID: string(p.UID)}
	t0 := time.Unix(1000, 0)
	srv := func(id, status string, created time.Time) Server {
		return Server{ID: id, Name: name, Status: status, Metadata: meta, Created: created}
	}
	cases := []struct {
		reason  string
		servers []Server
		keep    string
		twins   []string
	}{
		{"one server: no twin", []Server{srv("a", "ACTIVE", t0)}, "a", nil},
		{"the older of two live servers is kept", []Server{srv("b", "BUILD", t0.Add(time.Second)), srv("a", "ACTIVE", t0)}, "a", []string{"b"}},
		{"a live server over an older one in ERROR", []Server{srv("a", "ERROR", t0), srv("b", "BUILD", t0.Add(time.Second))}, "b", []string{"a"}},
		{"same age: the lower id, whatever the list order", []Server{srv("c", "ACTIVE", t0), srv("b", "ACTIVE", t0), srv("d", "ACTIVE", t0)}, "b", []string{"c", "d"}},
		{"same second: the server the status records, over a lower id", []Server{srv("z", "ACTIVE", t0), srv("b", "BUILD", t0)}, "z", []string{"b"}},
		{"another pool's server of the same name is not ours", []Server{srv("a", "ACTIVE", t0),
			{ID: "x", Name: name, Status: "ACTIVE", Metadata: map[string]string{MetaPoolUID: "other"}}}, "a", nil},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			agents := observeAgents(p, &Snapshot{Nodes: map[string]Node{}}, tc.servers)
			if len(agents) != 1 {
				t.Fatalf("%d agents, want 1", len(agents))
			}
			a := agents[0]
			var twins []string
			for _, s := range a.twins {
				twins = append(twins, s.ID)
			}
			if a.server.ID != tc.keep || !equalSets(twins, tc.twins) {
				t.Errorf("kept %s, twins %v; want %s, %v", a.server.ID, twins, tc.keep, tc.twins)
			}
		})
	}
}

func equalSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]int{}
	for _, s := range a {
		in[s]++
	}
	for _, s := range b {
		if in[s]--; in[s] < 0 {
			return false
		}
	}
	return true
}
