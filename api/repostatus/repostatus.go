// Package repostatus holds the one rule by which a Repo's per-distro
// state moves, shared by the Repo controller (which polls chacra) and
// the shaman callback endpoint (which chacra calls): chacra's reports
// arrive twice, late and out of order, and neither path may move a
// state backwards.
//
// A report carries chacra's `modified` time of the repository and a
// status. It is applied when its modified time is newer than the one
// recorded, or equal and its state further along Requested → Queued →
// Building → Ready: a new build (whose request, upload or start moves
// `modified` on) goes Ready → Requested again, while a redelivered
// "building" of the build that is already ready changes nothing. A
// report without a modified time (chacra's flags seen by a poll that
// found no change) only ever moves a state forward within its build.
package repostatus

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// rank orders the states of one build; Failed and WaitingForBinaries are
// outside the order (0).
var rank = map[string]int{
	v1alpha1.RepoRequested: 1,
	v1alpha1.RepoQueued:    2,
	v1alpha1.RepoBuilding:  3,
	v1alpha1.RepoReady:     4,
}

// Report is one observation of a chacra repository.
type Report struct {
	// State is Requested, Queued, Building or Ready.
	State string
	// Modified is chacra's modified time of the repository (zero: not
	// known).
	Modified time.Time
	// URL, ChacraURL and Archs are copied when set.
	URL, ChacraURL string
	Archs          []string
}

// FromCallback maps a chacra callback status to a state ("" for one
// that moves no state: "deleted" and unknown ones).
func FromCallback(status string) string {
	switch status {
	case "requested":
		return v1alpha1.RepoRequested
	case "queued":
		return v1alpha1.RepoQueued
	case "building":
		return v1alpha1.RepoBuilding
	case "ready":
		return v1alpha1.RepoReady
	}
	return ""
}

// Newer reports whether r may move d: see the package comment.
func Newer(d *v1alpha1.DistroState, r Report) bool {
	if rank[r.State] == 0 {
		return false
	}
	var seen time.Time
	if d.Modified != nil {
		seen = d.Modified.Time
	}
	switch {
	case !r.Modified.IsZero() && r.Modified.After(seen):
		return true
	case !r.Modified.IsZero() && r.Modified.Before(seen):
		return false
	}
	// The same build (or an undated report): forward only. A build
	// declared stalled (Failed) is moved only by its finishing: a late
	// "building" of it says nothing new.
	if d.State == v1alpha1.RepoFailed {
		return r.State == v1alpha1.RepoReady
	}
	return rank[r.State] > rank[d.State]
}

// Apply moves d by r at now when Newer allows it, recording the
// transition, and reports whether anything changed. A Failed distro
// that a report moves loses its reason and message.
func Apply(d *v1alpha1.DistroState, r Report, now time.Time) bool {
	if !Newer(d, r) {
		return copyDetails(d, r)
	}
	if !r.Modified.IsZero() {
		m := metav1.NewMicroTime(r.Modified)
		d.Modified = &m
	}
	copyDetails(d, r)
	if d.State != r.State {
		SetState(d, r.State, "", "", now)
	}
	return true
}

// copyDetails copies what a report says about the repository besides
// its state: these never go backwards, as they only grow more precise.
func copyDetails(d *v1alpha1.DistroState, r Report) bool {
	changed := false
	set := func(dst *string, v string) {
		if v != "" && *dst != v {
			*dst, changed = v, true
		}
	}
	set(&d.URL, r.URL)
	set(&d.ChacraURL, r.ChacraURL)
	if len(r.Archs) > 0 && !equal(d.Archs, r.Archs) {
		d.Archs, changed = append([]string(nil), r.Archs...), true
	}
	return changed
}

// SetState sets d's state, reason and message, and when the state
// changes records the transition at now (the last time of each state,
// at most one entry per state).
func SetState(d *v1alpha1.DistroState, state, reason, message string, now time.Time) {
	d.Reason, d.Message = reason, message
	if d.State == state {
		return
	}
	d.State = state
	t := metav1.NewTime(now.Truncate(time.Second))
	d.LastTransitionTime = &t
	for i := range d.Transitions {
		if d.Transitions[i].State == state {
			d.Transitions = append(d.Transitions[:i], d.Transitions[i+1:]...)
			break
		}
	}
	d.Transitions = append(d.Transitions, v1alpha1.StateTransition{State: state, Time: t})
}

// Since is when d last entered state (zero if never).
func Since(d *v1alpha1.DistroState, state string) time.Time {
	for _, t := range d.Transitions {
		if t.State == state {
			return t.Time.Time
		}
	}
	return time.Time{}
}

// Find returns the distro state of (distro, version, arch) in s, or nil.
func Find(s *v1alpha1.RepoStatus, distro, version, arch string) *v1alpha1.DistroState {
	for i := range s.Distros {
		d := &s.Distros[i]
		if d.Distro == distro && d.Version == version && d.Arch == arch {
			return d
		}
	}
	return nil
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
