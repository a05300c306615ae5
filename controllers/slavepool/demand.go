package slavepool

import (
	"math"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/types"

	"minka/api/labelexpr"
	"minka/api/v1alpha1"
)

// Jenkins' reasons for an item waiting on capacity (Jenkins 2.125 and
// later quote with ‘’; older ones do not quote). Items blocked for other
// reasons (a running build of the same job, a quiet period) need no
// agent and are not counted.
var (
	labelReasons = []*regexp.Regexp{
		regexp.MustCompile(`^There are no nodes with the label [‘']?(.+?)[’']?$`),
		regexp.MustCompile(`^All nodes of label [‘']?(.+?)[’']? are offline$`),
		regexp.MustCompile(`^Waiting for next available executor on [‘']?(.+?)[’']?$`),
	}
	nodeOffline = regexp.MustCompile(`^[‘']?(.+?)[’']? is offline$`)
)

// waitsFor returns what a queued item waits for: a node's name (the
// reason names one node) or a label expression; ok is false when it does
// not wait for capacity.
func waitsFor(why string, nodes map[string]Node) (node string, expr labelexpr.Expr, ok bool) {
	// Several reasons are joined with "; "; any one that needs capacity counts.
	for _, part := range strings.Split(why, "; ") {
		if m := nodeOffline.FindStringSubmatch(part); m != nil {
			return m[1], nil, true
		}
		for _, re := range labelReasons {
			m := re.FindStringSubmatch(part)
			if m == nil {
				continue
			}
			if _, isNode := nodes[m[1]]; isNode {
				return m[1], nil, true
			}
			if e, err := labelexpr.Parse(m[1]); err == nil {
				return "", e, true
			}
		}
	}
	return "", nil, false
}

// assign decides, for every buildable item waiting on capacity, which
// autoscaled pool serves it, and returns the count per pool. The rule,
// deterministic: an item naming a node belongs to the pool that owns the
// node; an item waiting on a label expression goes to the first pool,
// in namespace/name order, whose labels satisfy it. So two pools that
// can both serve an item never both grow for it.
func assign(snap *Snapshot, pools []*v1alpha1.SlavePool) map[types.UID]int {
	sorted := append([]*v1alpha1.SlavePool(nil), pools...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Namespace != sorted[j].Namespace {
			return sorted[i].Namespace < sorted[j].Namespace
		}
		return sorted[i].Name < sorted[j].Name
	})
	out := map[types.UID]int{}
	for _, it := range snap.Items {
		if !it.Buildable {
			continue
		}
		node, expr, ok := waitsFor(it.Why, snap.Nodes)
		if !ok {
			continue
		}
		for _, p := range sorted {
			if (node != "" && ownsNode(p, node)) || (expr != nil && labelexpr.MatchesLabels(expr, p.Spec.Labels)) {
				out[p.UID]++
				break
			}
		}
	}
	return out
}

// autoscaled is the size the queue asks for: the executors busy on the
// pool's agents plus the items waiting for it, in agents, plus minIdle,
// within [minReplicas, maxReplicas]. Agents still booting are part of the
// current size, so items waiting while they boot add nothing more.
func autoscaled(p *v1alpha1.SlavePool, busyExecutors, queued int) int {
	execs := max(int(p.Spec.Executors), 1)
	want := int(math.Ceil(float64(busyExecutors+queued) / float64(execs)))
	if p.Spec.Autoscale != nil {
		want += int(p.Spec.Autoscale.MinIdle)
	}
	return clamp(want, int(p.Spec.MinReplicas), int(*p.Spec.MaxReplicas))
}

func clamp(n, lo, hi int) int { return max(lo, min(n, hi)) }
