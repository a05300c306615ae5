package slavepool

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Requeue periods while agents change state.
const (
	pollChanging = 2 * time.Second
	pollQuota    = 10 * time.Second
	// halfMadeGrace lets a create that is in flight elsewhere (a server
	// just posted, its node not yet listed) finish before it counts as
	// half made.
	halfMadeGrace = 30 * time.Second
)

// pass is one reconcile of one pool.
type pass struct {
	r      *reconciler
	p      *v1alpha1.SlavePool
	jk     Jenkins
	cloud  Cloud
	snap   *Snapshot
	agents []*agent
	now    time.Time

	desired, queued, busyExecutors int
	why                            string
	quota                          string // the binding quota when it stopped a create
}

func (ps *pass) live() []*agent {
	var out []*agent
	for _, a := range ps.agents {
		if a.phase() != PhaseDeleting {
			out = append(out, a)
		}
	}
	return out
}

// run repairs what is broken, then grows or shrinks the pool one step.
func (ps *pass) run(ctx context.Context) (reconcile.Result, error) {
	if err := ps.checkUserData(); err != nil {
		return reconcile.Result{}, err
	}
	known := map[string]bool{}
	for _, n := range ps.p.Status.Nodes {
		known[n.Name] = true
	}
	for _, a := range ps.agents {
		if a.adopted && !known[a.name] {
			ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeNormal, EventAgentAdopted, "adopted mita agent %s (server %s, %s)", a.name, a.server.ID, a.server.IP)
		}
	}
	ps.size()
	if err := ps.repair(ctx); err != nil {
		return reconcile.Result{}, err
	}
	live := ps.live()
	var err error
	switch {
	case len(live) < ps.desired:
		err = ps.grow(ctx, ps.desired-len(live))
	case len(live) > ps.desired:
		err = ps.shrink(ctx, len(live)-ps.desired)
	default:
		err = ps.undrain(ctx, nil)
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	return ps.next(), nil
}

// size sets the desired count: spec.replicas, or the queue's demand.
func (ps *pass) size() {
	p := ps.p
	for _, a := range ps.agents {
		if a.phase() == PhaseOnline {
			ps.busyExecutors += a.busy()
		}
	}
	if p.Spec.Autoscale == nil || !p.Spec.Autoscale.Enabled {
		ps.desired = clamp(int(*p.Spec.Replicas), int(p.Spec.MinReplicas), int(*p.Spec.MaxReplicas))
		ps.why = fmt.Sprintf("spec.replicas %d", *p.Spec.Replicas)
		return
	}
	ps.queued = assign(ps.snap, ps.r.autoscalers(p.Spec.Jenkins))[p.UID]
	ps.desired = autoscaled(p, ps.busyExecutors, ps.queued)
	ps.why = fmt.Sprintf("autoscale: %d queued builds this pool serves + %d busy executors, %d executors per agent, minIdle %d, within [%d, %d]",
		ps.queued, ps.busyExecutors, p.Spec.Executors, p.Spec.Autoscale.MinIdle, p.Spec.MinReplicas, *p.Spec.MaxReplicas)
}

// repair removes agents that cannot become healthy: ERROR servers,
// agents not online within bootTimeout, and halves of agents whose other
// half is missing (a crash between the two creates or the two deletes).
func (ps *pass) repair(ctx context.Context) error {
	if err := ps.removeTwins(ctx); err != nil {
		return err
	}
	boot := dur(ps.p.Spec.BootTimeout, 15*time.Minute)
	for _, a := range ps.agents {
		if a.phase() == PhaseDeleting && a.server == nil {
			continue
		}
		var reason, event, msg string
		switch {
		case a.server != nil && a.server.Status == "ERROR":
			reason, event, msg = "server-error", EventServerError, fmt.Sprintf("server %s of %s is in ERROR (%s): replacing it", a.server.ID, a.name, a.server.Fault)
		case a.server != nil && a.node == nil && ps.now.Sub(a.server.Created) > halfMadeGrace:
			reason, event, msg = "half-made", EventHalfMade, fmt.Sprintf("server %s has no Jenkins node %s: deleting it", a.server.ID, a.name)
		case a.phase() == PhaseBooting && !a.adopted && ps.now.Sub(a.server.Created) > boot:
			reason, event, msg = "boot-timeout", EventBootTimeout, fmt.Sprintf("%s not online %v after its server was created (bootTimeout %v): replacing it",
				a.name, ps.now.Sub(a.server.Created).Round(time.Second), boot)
		default:
			continue
		}
		ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeWarning, event, "%s", msg)
		if err := ps.remove(ctx, a, reason); err != nil {
			return err
		}
	}
	// A Jenkins node without a server: finish the agent if the pool
	// still wants it, else delete the node.
	live := len(ps.live())
	for _, a := range ps.agents {
		if a.phase() != PhaseProvisioning {
			continue
		}
		if live > ps.desired {
			ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeNormal, EventHalfMade, "Jenkins node %s has no server and the pool needs no more agents: deleting it", a.name)
			if err := ps.remove(ctx, a, "half-made"); err != nil {
				return err
			}
			live--
			continue
		}
		room, binding, err := ps.cloud.Room(ctx, ps.p.Spec.Template.Flavor)
		if err != nil {
			return err
		}
		if room == 0 {
			ps.quota = fmt.Sprintf("quota %s leaves no room to finish agent %s", binding, a.name)
			continue
		}
		if err := ps.boot(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// removeTwins deletes every server beyond the first of an agent's name.
func (ps *pass) removeTwins(ctx context.Context) error {
	for _, a := range ps.agents {
		for _, t := range a.twins {
			if t.Status == "DELETED" || t.Status == "SOFT_DELETED" {
				continue
			}
			ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeWarning, EventDuplicate,
				"agent %s has %d servers: keeping %s, deleting %s (made by a create whose reply was lost)", a.name, len(a.twins)+1, a.server.ID, t.ID)
			if err := ps.cloud.DeleteServer(ctx, t.ID); err != nil {
				return err
			}
			ps.r.metrics.removals.WithLabelValues("duplicate").Inc()
		}
		a.twins = nil
	}
	return nil
}

// grow adds n agents, within what the quotas leave.
func (ps *pass) grow(ctx context.Context, n int) error {
	room, binding, err := ps.cloud.Room(ctx, ps.p.Spec.Template.Flavor)
	if err != nil {
		return err
	}
	if room < n {
		ps.quota = fmt.Sprintf("quota %s leaves room for %d of the %d more agents wanted", binding, room, n)
		if reconcile.ConditionReason(ps.p, CondQuotaExceeded) != ReasonQuotaExceeded {
			ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeWarning, EventQuotaExceeded, "%s", ps.quota)
		}
		n = room
	}
	for i := 0; i < n; i++ {
		a := &agent{index: freeIndex(ps.agents)}
		a.name = agentName(ps.p, a.index)
		spec := NodeSpec{Name: a.name, Executors: int(ps.p.Spec.Executors), RemoteFS: ps.p.Spec.RemoteFS, Labels: ps.p.Spec.Labels,
			Description: fmt.Sprintf("minka SlavePool %s/%s", ps.p.Namespace, ps.p.Name)}
		if err := ps.jk.CreateNode(ctx, spec); err != nil {
			return &jenkinsError{err}
		}
		a.node = &Node{Name: a.name, Executors: spec.Executors, Offline: true, Labels: spec.Labels}
		ps.agents = append(ps.agents, a)
		if err := ps.boot(ctx, a); err != nil {
			return err
		}
		t := metav1.NewTime(ps.now)
		ps.p.Status.LastScaleTime = &t
	}
	return nil
}

// checkUserData renders the template's user data with stand-in values
// before anything is made: a template that cannot render would otherwise
// leave a Jenkins node behind whose server can never boot.
func (ps *pass) checkUserData() error {
	_, err := renderUserData(ps.p, userDataVars{JenkinsURL: ps.jk.URL(), NodeName: agentName(ps.p, 0), Secret: strings.Repeat("0", 64),
		Pool: ps.p.Name, Namespace: ps.p.Namespace, Labels: ps.p.Spec.Labels, Executors: ps.p.Spec.Executors})
	if err != nil {
		return reconcile.TerminalError(&specError{field: "spec.template.userData", err: err})
	}
	return nil
}

// boot creates the Nova server of an agent whose Jenkins node exists:
// the name is looked up first, so a retry never makes a second server.
func (ps *pass) boot(ctx context.Context, a *agent) error {
	if a.server != nil {
		return nil
	}
	secret, err := ps.jk.Secret(ctx, a.name)
	if err != nil {
		return &jenkinsError{err}
	}
	t := ps.p.Spec.Template
	data, err := renderUserData(ps.p, userDataVars{JenkinsURL: ps.jk.URL(), NodeName: a.name, Secret: secret, Pool: ps.p.Name,
		Namespace: ps.p.Namespace, Labels: ps.p.Spec.Labels, Executors: ps.p.Spec.Executors})
	if err != nil {
		return reconcile.TerminalError(&specError{field: "spec.template.userData", err: err})
	}
	meta := map[string]string{MetaPoolUID: string(ps.p.UID), MetaPool: ps.p.Namespace + "/" + ps.p.Name}
	for k, v := range t.Metadata {
		meta[k] = v
	}
	s, err := ps.cloud.CreateServer(ctx, ServerSpec{Name: a.name, Image: t.Image, Flavor: t.Flavor, KeyName: t.KeyName,
		AvailabilityZone: t.AvailabilityZone, Networks: t.Networks, SecurityGroups: t.SecurityGroups, Metadata: meta,
		UserData: data, VolumeSizeGB: int(t.VolumeSizeGB)})
	if errors.Is(err, ErrQuota) {
		ps.quota = err.Error()
		ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeWarning, EventQuotaExceeded, "%v", err)
		return nil
	}
	if err != nil {
		return err
	}
	ps.r.metrics.creates.WithLabelValues(ps.p.Spec.Cloud).Inc()
	s.Created = ps.now
	a.server = &s
	ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeNormal, EventAgentCreated, "agent %s: Jenkins node and server %s (%s, %s)", a.name, s.ID, t.Flavor, t.Image)
	return nil
}

// shrink removes up to n agents that are not needed: booting ones first,
// then online ones idle for longer than idleTimeout, longest idle first;
// never a busy one, never within the cooldown after growing.
func (ps *pass) shrink(ctx context.Context, n int) error {
	p := ps.p
	if p.Spec.Autoscale != nil && p.Spec.Autoscale.Enabled && p.Status.LastScaleTime != nil &&
		ps.now.Sub(p.Status.LastScaleTime.Time) < dur(p.Spec.Autoscale.Cooldown, 2*time.Minute) {
		return ps.undrain(ctx, nil)
	}
	idleFor := ps.idleSince()
	timeout := dur(p.Spec.IdleTimeout, 10*time.Minute)
	var candidates []*agent
	for _, a := range ps.live() {
		switch a.phase() {
		case PhaseBooting, PhaseProvisioning:
			candidates = append(candidates, a)
		case PhaseOnline, PhaseDraining:
			if since, ok := idleFor[a.name]; ok && a.busy() == 0 && ps.now.Sub(since) >= timeout {
				candidates = append(candidates, a)
			}
		}
	}
	rank := func(a *agent) int {
		return map[string]int{PhaseProvisioning: 0, PhaseBooting: 1, PhaseDraining: 2, PhaseOnline: 3}[a.phase()]
	}
	sort.SliceStable(candidates, func(i, j int) bool {
		if rank(candidates[i]) != rank(candidates[j]) {
			return rank(candidates[i]) < rank(candidates[j])
		}
		return idleFor[candidates[i].name].Before(idleFor[candidates[j].name])
	})
	chosen := map[*agent]bool{}
	for _, a := range candidates {
		if len(chosen) == n {
			break
		}
		if a.node != nil && !a.node.Offline || a.phase() == PhaseDraining {
			ok, err := ps.drainOne(ctx, a)
			if err != nil {
				return err
			}
			if !ok {
				continue // a build landed on it: keep it
			}
		}
		chosen[a] = true
		if err := ps.remove(ctx, a, "scale-down"); err != nil {
			return err
		}
	}
	return ps.undrain(ctx, chosen)
}

// drainOne takes an agent temporarily offline, so Jenkins schedules
// nothing new on it, and checks on a fresh read that it is still idle;
// if a build landed meanwhile it goes back online.
func (ps *pass) drainOne(ctx context.Context, a *agent) (bool, error) {
	msg := fmt.Sprintf("minka: SlavePool %s/%s is scaling down", ps.p.Namespace, ps.p.Name)
	if err := ps.jk.SetOffline(ctx, a.name, true, msg); err != nil {
		return false, &jenkinsError{err}
	}
	fresh, err := ps.jk.Snapshot(ctx, 0, 0)
	if err != nil {
		return false, &jenkinsError{err}
	}
	if n, ok := fresh.Nodes[a.name]; ok && n.Busy > 0 {
		if err := ps.jk.SetOffline(ctx, a.name, false, ""); err != nil {
			return false, &jenkinsError{err}
		}
		return false, nil
	}
	return true, nil
}

// undrain brings back online agents left draining (by a pass that
// crashed, or a scale-down no longer wanted), except those being removed.
func (ps *pass) undrain(ctx context.Context, removing map[*agent]bool) error {
	for _, a := range ps.live() {
		if a.phase() == PhaseDraining && !removing[a] {
			if err := ps.jk.SetOffline(ctx, a.name, false, ""); err != nil {
				return &jenkinsError{err}
			}
			a.node.TemporarilyOffline = false
		}
	}
	return nil
}

// remove deletes an agent's server (its volume goes with it), then its
// Jenkins node.
func (ps *pass) remove(ctx context.Context, a *agent, reason string) error {
	if a.server != nil {
		if err := ps.cloud.DeleteServer(ctx, a.server.ID); err != nil {
			return err
		}
	}
	if a.node != nil {
		if err := ps.jk.DeleteNode(ctx, a.name); err != nil {
			return &jenkinsError{err}
		}
	}
	a.removed = true
	ps.r.metrics.removals.WithLabelValues(reason).Inc()
	ps.r.rec.Eventf(ctx, ps.p, v1alpha1.EventTypeNormal, EventAgentRemoved, "agent %s removed (%s)", a.name, reason)
	return nil
}

// drain is the delete path: every agent goes offline; idle ones are
// removed now, busy ones once idle or after drainTimeout.
func (ps *pass) drain(ctx context.Context) (reconcile.Result, error) {
	deadline := ps.p.DeletionTimestamp.Add(dur(ps.p.Spec.DrainTimeout, time.Hour))
	var left []*agent
	for _, a := range ps.agents {
		if a.node != nil && !a.node.TemporarilyOffline {
			if err := ps.jk.SetOffline(ctx, a.name, true, "minka: SlavePool deleted"); err != nil {
				return reconcile.Result{}, &jenkinsError{err}
			}
		}
		if a.busy() > 0 && ps.now.Before(deadline) {
			left = append(left, a)
			continue
		}
		if err := ps.remove(ctx, a, "pool-deleted"); err != nil {
			return reconcile.Result{}, err
		}
		if a.server == nil && a.node == nil {
			continue
		}
		left = append(left, a) // gone once Nova and Jenkins say so
	}
	ps.agents = left
	return reconcile.Result{RequeueAfter: pollChanging}, nil
}

// idleSince carries each online idle agent's idle start from the last
// status (Jenkins does not say), starting now for newly idle ones.
func (ps *pass) idleSince() map[string]time.Time {
	prev := map[string]time.Time{}
	for _, n := range ps.p.Status.Nodes {
		if n.IdleSince != nil {
			prev[n.Name] = n.IdleSince.Time
		}
	}
	out := map[string]time.Time{}
	for _, a := range ps.agents {
		if (a.phase() == PhaseOnline || a.phase() == PhaseDraining) && a.busy() == 0 {
			if t, ok := prev[a.name]; ok {
				out[a.name] = t
			} else {
				out[a.name] = ps.now
			}
		}
	}
	return out
}

// next is when to look again: soon while agents change (for what Nova
// shows and the boot timeout), when the first idle agent's timeout or the
// cooldown ends, at the resync period for what only Nova shows, or
// never. The queue and the agents' state are the poller's: it wakes the
// pool when they change.
func (ps *pass) next() reconcile.Result {
	if ps.quota != "" {
		return reconcile.Result{RequeueAfter: pollQuota}
	}
	live := ps.live()
	for _, a := range ps.agents {
		if a.phase() != PhaseOnline {
			return reconcile.Result{RequeueAfter: pollChanging}
		}
	}
	a := ps.p.Spec.Autoscale
	if (a == nil || !a.Enabled) && len(live) == 0 {
		return reconcile.Result{} // waits for edits
	}
	wake := ps.r.poll.resync
	timeout := dur(ps.p.Spec.IdleTimeout, 10*time.Minute)
	for _, since := range ps.idleSince() {
		if d := since.Add(timeout).Sub(ps.now); d > 0 && d < wake {
			wake = d
		}
	}
	if a != nil && a.Enabled && len(live) > ps.desired && ps.p.Status.LastScaleTime != nil {
		if d := ps.p.Status.LastScaleTime.Add(dur(a.Cooldown, 2*time.Minute)).Sub(ps.now); d > 0 && d < wake {
			wake = d
		}
	}
	return reconcile.Result{RequeueAfter: wake}
}
