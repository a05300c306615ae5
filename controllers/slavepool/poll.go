package slavepool

import (
	"context"
	"slices"
	"sync"
	"time"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// poller reads one Jenkins for all the pools that use it, since Jenkins
// has no event stream: the queue every poll.queue at rest (so a build
// stuck at rest is seen within it), both the queue and the nodes every
// poll.busy while builds wait for a pool or agents change, and the nodes
// every poll.nodes at rest. It wakes the pools whose part of the read
// changed; the pools then reuse its read (Snapshot's maxAge), so Jenkins
// gets one queue read and at most one nodes read per period whatever the
// number of pools, and more only after a write (which forgets the shared
// read: a lost reply is never acted on from a read older than the write).
// It reads nothing for a Jenkins no pool uses.
type poller struct {
	r   *reconciler
	jk  Jenkins
	ctl *reconcile.Controller

	queue  []QueueItem
	nodes  map[string]Node
	failed bool

	mu      sync.Mutex
	lastErr error // of the last read: the pools report it rather than read
}

// err is the failure of the poller's last read, nil when it succeeded.
func (pl *poller) err() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.lastErr
}

func (pl *poller) run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		t.Reset(pl.tick(ctx))
	}
}

// tick reads once and returns when to read again.
func (pl *poller) tick(ctx context.Context) time.Duration {
	pools := pl.r.poolsOf(pl.jk.Name(), true)
	if len(pools) == 0 {
		pl.mu.Lock()
		pl.queue, pl.nodes, pl.lastErr, pl.failed = nil, nil, nil, false
		pl.mu.Unlock()
		return pl.r.poll.queue
	}
	busy := changing(pools)
	nodesAge := pl.r.poll.nodes
	if busy {
		nodesAge = 0
	}
	snap, err := pl.jk.Snapshot(ctx, 0, nodesAge)
	if err == nil && snap.NodesTaken.Before(snap.Taken) && !sameQueue(pl.queue, snap.Items) {
		// The queue moved: builds may have left it for agents, which
		// the nodes read now shows.
		snap, err = pl.jk.Snapshot(ctx, pl.r.poll.nodes, 0)
	}
	pl.mu.Lock()
	pl.lastErr = err
	pl.mu.Unlock()
	if err != nil {
		// The pools report the failure in their conditions (without
		// reading a Jenkins that fails): wake them once when it starts,
		// once when it ends; meanwhile retry every few polls.
		if !pl.failed {
			pl.failed = true
			pl.wake(pools)
		}
		pl.queue, pl.nodes = nil, nil
		return 4 * pl.r.poll.queue
	}
	if pl.failed {
		pl.failed = false
		pl.wake(pools)
	}
	var wake []*v1alpha1.SlavePool
	autoscalers := autoscaling(pools)
	if !sameQueue(pl.queue, snap.Items) {
		wake = append(wake, autoscalers...)
	}
	wake = append(wake, owners(pools, changedNodes(pl.nodes, snap.Nodes))...)
	pl.wake(wake)
	pl.queue, pl.nodes = snap.Items, snap.Nodes
	for _, n := range assign(snap, autoscalers) {
		if n > 0 {
			busy = true
		}
	}
	if busy {
		return pl.r.poll.busy
	}
	return pl.r.poll.queue
}

func (pl *poller) wake(pools []*v1alpha1.SlavePool) {
	for _, p := range pools {
		pl.ctl.Enqueue(reconcile.Request{Namespace: p.Namespace, Name: p.Name})
	}
}

// changing says whether any pool is being deleted or has an agent that
// is not online, as its last status says.
func changing(pools []*v1alpha1.SlavePool) bool {
	for _, p := range pools {
		if p.DeletionTimestamp != nil || p.Status.DesiredReplicas != p.Status.Replicas {
			return true
		}
		for _, n := range p.Status.Nodes {
			if n.Phase != PhaseOnline {
				return true
			}
		}
	}
	return false
}

func autoscaling(pools []*v1alpha1.SlavePool) []*v1alpha1.SlavePool {
	var out []*v1alpha1.SlavePool
	for _, p := range pools {
		if p.DeletionTimestamp == nil && p.Spec.Autoscale != nil && p.Spec.Autoscale.Enabled {
			out = append(out, p)
		}
	}
	return out
}

// sameQueue compares what assign reads of the items.
func sameQueue(a, b []QueueItem) bool {
	return slices.EqualFunc(a, b, func(x, y QueueItem) bool {
		return x.ID == y.ID && x.Why == y.Why && x.Buildable == y.Buildable && x.Task == y.Task
	})
}

// changedNodes are the names of the nodes added, removed or changed.
func changedNodes(before, after map[string]Node) []string {
	var out []string
	for name, n := range after {
		if b, ok := before[name]; !ok || !sameNode(b, n) {
			out = append(out, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

func sameNode(a, b Node) bool {
	return a.Executors == b.Executors && a.Busy == b.Busy && a.Offline == b.Offline &&
		a.TemporarilyOffline == b.TemporarilyOffline && slices.Equal(a.Labels, b.Labels)
}

// owners are the pools that own the named nodes; a node named as mita
// names its agents may be adopted by any pool, so it wakes every pool.
func owners(pools []*v1alpha1.SlavePool, nodes []string) []*v1alpha1.SlavePool {
	if len(nodes) == 0 {
		return nil
	}
	var out []*v1alpha1.SlavePool
	for _, name := range nodes {
		owned := false
		for _, p := range pools {
			if ownsNode(p, name) {
				out, owned = append(out, p), true
			}
		}
		if !owned && (mitaIPType.MatchString(name) || mitaNameIP.MatchString(name)) {
			return pools
		}
	}
	return out
}
