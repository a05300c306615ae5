package slavepool

import (
	"strings"
	"testing"
)

// FuzzWaitsFor: no why text from a Jenkins queue crashes the demand
// reader or takes it past the label parser's limits.
func FuzzWaitsFor(f *testing.F) {
	for _, s := range []string{
		"There are no nodes with the label ‘trusty&&amd64’",
		"All nodes of label ‘trusty&&amd64’ are offline",
		"Waiting for next available executor on trusty",
		"‘trusty-amd64-ab12-0’ is offline",
		"Build #3 is already in progress (ETA: 1 min); There are no nodes with the label ‘a’",
		"There are no nodes with the label ‘" + strings.Repeat("!", 100000) + "a’",
		"There are no nodes with the label ‘" + strings.Repeat("(", 50000) + "a" + strings.Repeat(")", 50000) + "’",
	} {
		f.Add(s)
	}
	nodes := map[string]Node{"trusty-amd64-ab12-0": {}}
	f.Fuzz(func(t *testing.T, why string) {
		node, expr, ok := waitsFor(why, nodes)
		if !ok && (node != "" || expr != nil) {
			t.Fatalf("waitsFor(%q) = %q, %v, false: a result that says it waits for nothing", why, node, expr)
		}
		if node != "" && expr != nil {
			t.Fatalf("waitsFor(%q): both a node and an expression", why)
		}
	})
}

// FuzzAgentNames: indexOf reads back every name agentName makes, and no
// other name is taken for one of the pool's agents.
func FuzzAgentNames(f *testing.F) {
	p := pool("ci", "trusty", "trusty")
	for _, s := range []string{agentName(p, 0), agentName(p, 12), "trusty-", "192.168.1.11+trusty__uuid", agentName(p, 3) + "x", "trusty-0000-99999999999999999999", agentName(p, 0) + "7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		i, ok := indexOf(p, name)
		if !ok {
			return
		}
		if i < 0 || agentName(p, i) != name {
			t.Fatalf("indexOf(%q) = %d, but agentName gives %q", name, i, agentName(p, i))
		}
	})
}
