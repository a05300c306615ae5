package v1alpha1

import (
	"fmt"
	"strconv"
	"strings"
)

// Results of a DeploymentRevision.
const (
	RevisionProgressing = "Progressing"
	RevisionGood        = "Good"
	RevisionRolledBack  = "RolledBack"
	RevisionSuperseded  = "Superseded"
)

var revisionResults = []string{RevisionProgressing, RevisionGood, RevisionRolledBack, RevisionSuperseded}

// Bounds of a Deployment's status.history.
const (
	// DefaultRevisionHistoryLimit is kube's default for its Deployments.
	DefaultRevisionHistoryLimit = 10
	// MaxRevisionHistoryLimit bounds spec.revisionHistoryLimit.
	MaxRevisionHistoryLimit = 100
	// MaxHistoryBytes bounds the history encoded as JSON, so that ten
	// copies of a large spec cannot push a Deployment past the store's
	// object limit (1.5 MiB less overhead by default): the oldest
	// revisions are dropped first, and a spec that alone does not fit is
	// not kept (its revision is, without it).
	MaxHistoryBytes = 128 << 10
)

// RestartedAtLabel is the Marathon app label that carries
// spec.restartedAt; spec.labels may not set it.
const RestartedAtLabel = "MINKA_RESTARTED_AT"

// HistoryLimit is spec.revisionHistoryLimit, or its default. The default
// is not stored: Deployments written before the field existed keep
// their bytes (and generation) on their next write.
func (s *DeploymentSpec) HistoryLimit() int {
	if s.RevisionHistoryLimit == nil {
		return DefaultRevisionHistoryLimit
	}
	return int(*s.RevisionHistoryLimit)
}

// RevisionSpec is s as a revision keeps it: without replicas (a scale is
// not a revision) and revisionHistoryLimit (the history's own setting).
func RevisionSpec(s *DeploymentSpec) *DeploymentSpec {
	c := s.DeepCopy()
	c.Replicas, c.RevisionHistoryLimit = nil, nil
	return c
}

// FindRevision is the entry of history with that revision number, or nil.
func FindRevision(history []DeploymentRevision, revision int64) *DeploymentRevision {
	for i := range history {
		if history[i].Revision == revision {
			return &history[i]
		}
	}
	return nil
}

// RollbackTarget is the revision a rollback to revision returns d to:
// that entry of its history, or for 0 the newest Good one before the
// current revision (the entry of d's generation; with none, every entry
// is before it). The error says why there is none, in words fit for the
// field rollbackTo.revision.
func RollbackTarget(d *Deployment, revision int64) (*DeploymentRevision, error) {
	h := d.Status.History
	var rev *DeploymentRevision
	switch {
	case revision < 0:
		return nil, fmt.Errorf("must be >= 0 (0: the last Good revision before the current one)")
	case revision > 0:
		if rev = FindRevision(h, revision); rev == nil {
			return nil, fmt.Errorf("no revision %d in status.history (%s)", revision, revisionList(h))
		}
	default:
		current := int64(-1)
		for _, e := range h {
			if e.Generation == d.Generation {
				current = e.Revision
			}
		}
		for i := len(h) - 1; i >= 0 && rev == nil; i-- {
			if h[i].Result == RevisionGood && (current < 0 || h[i].Revision < current) {
				rev = &h[i]
			}
		}
		if rev == nil {
			return nil, fmt.Errorf("no Good revision before the current one in status.history (%s)", revisionList(h))
		}
	}
	if rev.Spec == nil {
		return nil, fmt.Errorf("revision %d kept no spec: alone it did not fit the history's %d bytes", rev.Revision, MaxHistoryBytes)
	}
	return rev, nil
}

// RollbackSpec is d's spec once rolled back to rev: rev's spec, with
// what is not a version kept from d: the replicas (a rollback is not a
// scale), the Marathon backend and the history limit.
func RollbackSpec(d *Deployment, rev *DeploymentRevision) DeploymentSpec {
	s := *rev.Spec.DeepCopy()
	s.Replicas, s.Marathon, s.RevisionHistoryLimit = d.Spec.Replicas, d.Spec.Marathon, d.Spec.RevisionHistoryLimit
	return s
}

// revisionList names the revisions of a history, for errors.
func revisionList(h []DeploymentRevision) string {
	if len(h) == 0 {
		return "it is empty"
	}
	var parts []string
	for _, e := range h {
		parts = append(parts, strconv.FormatInt(e.Revision, 10)+" "+e.Result)
	}
	return "revisions: " + strings.Join(parts, ", ")
}
