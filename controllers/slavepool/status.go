package slavepool

import (
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// Conditions and their reasons.
const (
	CondReady            = "Ready"
	CondScaling          = "Scaling"
	CondBackendAvailable = "BackendAvailable"
	CondQuotaExceeded    = "QuotaExceeded"
	// CondStalled is kstatus' "cannot progress until the spec changes".
	CondStalled = "Stalled"

	ReasonAllOnline            = "AllAgentsOnline"
	ReasonAgentsNotReady       = "AgentsNotReady"
	ReasonScalingUp            = "ScalingUp"
	ReasonScalingDown          = "ScalingDown"
	ReasonStable               = "AtDesiredSize"
	ReasonBackendsAnswer       = "BackendsAnswer"
	ReasonJenkinsUnavailable   = "JenkinsUnavailable"
	ReasonOpenStackUnavailable = "OpenStackUnavailable"
	ReasonBackendNotConfigured = "BackendNotConfigured"
	ReasonQuotaExceeded        = "QuotaExceeded"
	ReasonWithinQuota          = "WithinQuota"
	ReasonInvalidSpec          = "InvalidSpec"
	ReasonSpecUsable           = "SpecUsable"
)

// Event reasons; a failure's event has the reason of its condition.
const (
	EventAgentCreated  = "AgentCreated"
	EventAgentAdopted  = "AgentAdopted"
	EventAgentRemoved  = "AgentRemoved"
	EventBootTimeout   = "BootTimeout"
	EventServerError   = "ServerError"
	EventHalfMade      = "HalfMadeAgent"
	EventDuplicate     = "DuplicateServer"
	EventQuotaExceeded = "QuotaExceeded"
	EventInvalidSpec   = ReasonInvalidSpec
	EventNotConfigured = ReasonBackendNotConfigured
)

// recordStatus writes what this pass saw and did into the status.
func (ps *pass) recordStatus() {
	p, s := ps.p, &ps.p.Status
	prev := map[string]v1alpha1.AgentNode{}
	for _, n := range s.Nodes {
		prev[n.Name] = n
	}
	idle := ps.idleSince()
	s.Nodes = nil
	var ready, busy, idleCount, live int32
	for _, a := range ps.agents {
		phase := a.phase()
		n := v1alpha1.AgentNode{Name: a.name, Phase: phase, Since: metav1.NewTime(ps.now), Busy: int32(a.busy())}
		if old, ok := prev[a.name]; ok && old.Phase == phase {
			n.Since = old.Since
		}
		if a.server != nil {
			n.ServerID, n.IP = a.server.ID, a.server.IP
		}
		if t, ok := idle[a.name]; ok {
			mt := metav1.NewTime(t)
			n.IdleSince = &mt
		}
		s.Nodes = append(s.Nodes, n)
		if phase != PhaseDeleting {
			live++
		}
		if phase == PhaseOnline {
			ready++
			busy += int32(a.busy())
			if a.busy() == 0 {
				idleCount++
			}
		}
	}
	sort.Slice(s.Nodes, func(i, j int) bool { return s.Nodes[i].Name < s.Nodes[j].Name })
	s.Replicas, s.Ready, s.Busy, s.Idle = live, ready, busy, idleCount
	s.Queued, s.DesiredReplicas, s.ObservedGeneration = int32(ps.queued), int32(ps.desired), p.Generation
	s.ScaleHistory = appendScaleSample(s.ScaleHistory, v1alpha1.ScaleSample{
		Time: metav1.NewTime(ps.now), Queued: s.Queued, Desired: s.DesiredReplicas, Ready: s.Ready}, ps.now)
	desired := int32(ps.desired)
	switch {
	case ready == desired && live == desired:
		reconcile.Condition(p, CondReady, metav1.ConditionTrue, ReasonAllOnline, fmt.Sprintf("%d of %d agents online", ready, desired))
	default:
		reconcile.Condition(p, CondReady, metav1.ConditionFalse, ReasonAgentsNotReady, fmt.Sprintf("%d of %d agents online, %d in the pool", ready, desired, live))
	}
	switch {
	case live < desired || ready < live:
		reconcile.Condition(p, CondScaling, metav1.ConditionTrue, ReasonScalingUp, fmt.Sprintf("%d → %d agents (%s)", live, desired, ps.why))
	case live > desired:
		reconcile.Condition(p, CondScaling, metav1.ConditionTrue, ReasonScalingDown,
			fmt.Sprintf("%d → %d agents once idle for %v (%s)", live, desired, dur(p.Spec.IdleTimeout, 0), ps.why))
	default:
		reconcile.Condition(p, CondScaling, metav1.ConditionFalse, ReasonStable, fmt.Sprintf("%d agents (%s)", live, ps.why))
	}
	if ps.quota != "" {
		reconcile.Condition(p, CondQuotaExceeded, metav1.ConditionTrue, ReasonQuotaExceeded, ps.quota)
	} else if live >= desired || reconcile.ConditionReason(p, CondQuotaExceeded) == "" {
		reconcile.Condition(p, CondQuotaExceeded, metav1.ConditionFalse, ReasonWithinQuota, "")
	}
}
