package slavepool

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"minka/api/v1alpha1"
)

func pool(ns, name string, labels ...string) *v1alpha1.SlavePool {
	p := &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name)},
		Spec: v1alpha1.SlavePoolSpec{Labels: labels, Executors: 2, Autoscale: &v1alpha1.Autoscale{Enabled: true},
			Template: v1alpha1.ServerTemplate{Image: "i", Flavor: "f"}}}
	v1alpha1.Default(p)
	return p
}

func TestWaitsFor(t *testing.T) {
	nodes := map[string]Node{"trusty-amd64-ab12-0": {}}
	cases := []struct {
		why, node, expr string
		ok              bool
	}{
		{"There are no nodes with the label ‘trusty&&amd64’", "", "trusty&&amd64", true},
		{"All nodes of label ‘trusty&&amd64’ are offline", "", "trusty&&amd64", true},
		{"Waiting for next available executor on ‘trusty&&amd64’", "", "trusty&&amd64", true},
		{"Waiting for next available executor on trusty", "", "trusty", true}, // before Jenkins 2.125
		{"‘trusty-amd64-ab12-0’ is offline", "trusty-amd64-ab12-0", "", true},
		{"Waiting for next available executor on ‘trusty-amd64-ab12-0’", "trusty-amd64-ab12-0", "", true},
		{"Build #3 is already in progress (ETA: 1 min)", "", "", false},
		{"In the quiet period. Expires in 4.9 sec", "", "", false},
		{"Build #3 is already in progress; There are no nodes with the label ‘centos7’", "", "centos7", true},
	}
	for _, tc := range cases {
		node, expr, ok := waitsFor(tc.why, nodes)
		got := ""
		if expr != nil {
			got = expr.String()
		}
		if ok != tc.ok || node != tc.node || got != tc.expr {
			t.Errorf("waitsFor(%q) = %q %q %v, want %q %q %v", tc.why, node, got, ok, tc.node, tc.expr, tc.ok)
		}
	}
}

// TestAssign: each waiting item goes to exactly one pool: a named node's
// owner, else the first pool in namespace/name order whose labels
// satisfy the expression; other items count for no pool.
func TestAssign(t *testing.T) {
	trusty := pool("ci", "trusty-amd64", "trusty", "amd64")
	trusty2 := pool("ci", "trusty-big", "trusty", "amd64", "huge")
	centos := pool("ci", "centos-amd64", "centos7", "amd64")
	snap := &Snapshot{Nodes: map[string]Node{agentName(trusty2, 0): {}}}
	add := func(n int, why string, buildable bool) {
		for i := 0; i < n; i++ {
			snap.Items = append(snap.Items, QueueItem{Why: why, Buildable: buildable})
		}
	}
	add(12, "There are no nodes with the label ‘trusty&&amd64’", true)
	add(3, "There are no nodes with the label ‘huge’", true)
	add(2, "‘"+agentName(trusty2, 0)+"’ is offline", true)
	add(4, "There are no nodes with the label ‘centos7&&amd64’", true)
	add(5, "There are no nodes with the label ‘trusty&&amd64’", false) // blocked, not buildable
	add(1, "There are no nodes with the label ‘windows’", true)
	got := assign(snap, []*v1alpha1.SlavePool{trusty2, centos, trusty})
	want := map[types.UID]int{trusty.UID: 12, trusty2.UID: 3 + 2, centos.UID: 4}
	for uid, n := range want {
		if got[uid] != n {
			t.Errorf("pool %s: %d items, want %d (all: %v)", uid, got[uid], n, got)
		}
	}
}

func TestAutoscaled(t *testing.T) {
	p := pool("ci", "trusty-amd64", "trusty", "amd64")
	five := int32(5)
	p.Spec.MaxReplicas = &five
	cases := []struct {
		busy, queued, minIdle, executors, want int
	}{
		{0, 12, 0, 2, 5}, // 6 wanted, capped at max
		{0, 12, 0, 1, 5}, // mita would make 9, then 9 more
		{0, 3, 0, 2, 2},  // ceil(3/2)
		{4, 0, 0, 2, 2},  // busy agents stay
		{4, 0, 1, 2, 3},  // warm headroom
		{0, 0, 0, 2, 0},  // nothing to do
		{10, 2, 0, 2, 5}, // all busy, 2 waiting: still max
		{0, 0, 9, 2, 5},  // minIdle within max
	}
	for _, tc := range cases {
		p.Spec.Executors = int32(tc.executors)
		p.Spec.Autoscale.MinIdle = int32(tc.minIdle)
		if got := autoscaled(p, tc.busy, tc.queued); got != tc.want {
			t.Errorf("busy %d queued %d minIdle %d executors %d: %d agents, want %d", tc.busy, tc.queued, tc.minIdle, tc.executors, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	a, b := pool("ci", "trusty-amd64"), pool("other", "trusty-amd64")
	if agentName(a, 0) == agentName(b, 0) {
		t.Errorf("pools of the same name in two namespaces share agent names: %s", agentName(a, 0))
	}
	for _, tc := range []struct {
		name string
		idx  int
		ok   bool
	}{
		{agentName(a, 7), 7, true},
		{agentName(b, 7), 0, false},
		{agentName(a, 7) + "x", 0, false},
		{"10.0.0.5+trusty__5f0b", 0, false},
	} {
		if i, ok := indexOf(a, tc.name); ok != tc.ok || (ok && i != tc.idx) {
			t.Errorf("indexOf(%q) = %d %v", tc.name, i, ok)
		}
	}
}

// TestAdoption: mita's <IP>+<type>__<uuid> nodes are matched to their
// server by uuid, name+IP ones by IP, and go to the first pool whose
// labels they carry.
func TestAdoption(t *testing.T) {
	servers := []Server{{ID: "5f0b2c1e-0000-4000-8000-000000000001", IP: "10.0.0.5"}, {ID: "aaaa", IP: "10.0.0.6"}, {ID: "bbbb", IP: "10.0.0.7"}}
	cases := []struct {
		node, server string
	}{
		{"10.9.9.9+trusty__5f0b2c1e-0000-4000-8000-000000000001", "5f0b2c1e-0000-4000-8000-000000000001"}, // uuid wins over a stale IP
		{"10.0.0.6+trusty__cccccccc-dead", "aaaa"},                                                        // unknown uuid: by IP
		{"slave-7+10.0.0.7", "bbbb"},
		{"slave-8+10.0.0.8", ""},
		{"trusty-amd64-ab12-0", ""},
	}
	for _, tc := range cases {
		got := ""
		if s := mitaServer(tc.node, servers); s != nil {
			got = s.ID
		}
		if got != tc.server {
			t.Errorf("mitaServer(%q) = %q, want %q", tc.node, got, tc.server)
		}
	}
	a, b := pool("ci", "a-trusty", "trusty"), pool("ci", "b-trusty", "trusty", "amd64")
	snap := &Snapshot{Nodes: map[string]Node{
		"10.0.0.6+trusty__cccccccc-dead": {Labels: []string{"trusty", "amd64"}},
		"slave-7+10.0.0.7":               {Labels: []string{"centos7"}},
	}}
	if got := adopted(a, []*v1alpha1.SlavePool{b, a}, snap, servers); len(got) != 1 || got[0].server.ID != "aaaa" {
		t.Errorf("pool a adopts %v, want the trusty node (first pool in name order)", got)
	}
	if got := adopted(b, []*v1alpha1.SlavePool{b, a}, snap, servers); len(got) != 0 {
		t.Errorf("pool b adopts %v, want none (a comes first)", got)
	}
}
