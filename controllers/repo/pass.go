package repo

import (
	"context"
	"fmt"
	"time"

	"minka/api/repostatus"
	"minka/api/v1alpha1"
	"minka/controllers/repo/chacraclient"
)

// pass is one reconcile of one Repo on its node.
type pass struct {
	r             *reconciler
	ctx           context.Context
	repo          *v1alpha1.Repo
	backend, node string
	c             *chacraclient.Client
	now           time.Time
	// seen is each chacra repo's JSON as last read or answered in this
	// pass (arch entries share a repo); asked the repos this pass
	// requested a build of, so that no pass asks twice.
	seen  map[string]*chacraclient.Repo
	asked map[string]bool
}

func (p *pass) key(d v1alpha1.Distro) chacraclient.Key {
	s := p.repo.Spec
	return chacraclient.Key{Project: s.Project, Ref: s.Ref, SHA1: s.SHA1, Distro: d.Distro, Version: d.Version, Flavor: s.Flavor}
}

// run observes and moves every distro of the spec, in its order; on the
// first failed request the rest keep their recorded states.
func (p *pass) run() error {
	var out []v1alpha1.DistroState
	var err error
	for _, d := range p.repo.Spec.Distros {
		arch := d.Arch
		if arch == "" {
			arch = "x86_64"
		}
		ds := v1alpha1.DistroState{Distro: d.Distro, Version: d.Version, Arch: arch}
		if old := repostatus.Find(&p.repo.Status, d.Distro, d.Version, arch); old != nil {
			ds = *old.DeepCopy()
		}
		if err == nil {
			err = p.distro(p.key(d), &ds)
		}
		out = append(out, ds)
	}
	p.repo.Status.Distros = out
	return err
}

// distro observes one distro's repo and binaries and takes at most one
// step: request a build chacra will not start by itself, declare a
// build stalled, or recreate a stalled one.
func (p *pass) distro(k chacraclient.Key, ds *v1alpha1.DistroState) error {
	rj, err := p.repoJSON(k)
	if err != nil {
		return err
	}
	bins, err := p.c.Binaries(p.ctx, k, ds.Arch)
	if err != nil {
		return err
	}
	ds.Binaries, ds.BinariesDigest = int32(len(bins)), chacraclient.Digest(bins)
	if len(bins) == 0 || rj == nil {
		msg := fmt.Sprintf("no %s binaries of flavor %s on node %s yet", ds.Arch, k.Flavor, p.node)
		repostatus.SetState(ds, v1alpha1.RepoWaitingForBinaries, "", msg, p.now)
		return nil
	}
	uri := k.URI()
	wasFailed := ds.State == v1alpha1.RepoFailed
	report := repostatus.Report{State: observed(rj), Modified: rj.Modified, URL: p.c.PublicURL(k), ChacraURL: p.c.RepoURL(k), Archs: rj.Archs}
	repostatus.Apply(ds, report, p.now)
	if ds.State == v1alpha1.RepoReady {
		ds.Retries = 0
	} else if wasFailed && ds.State != v1alpha1.RepoFailed {
		// A build minka did not ask for (a re-upload, an update by
		// hand) ended the stall: it gets its own retries.
		ds.Retries = 0
	}
	// A build that started after every binary changed covers them all
	// (chacra's own, or one whose status write a crash lost).
	covered := !chacraclient.Latest(bins).After(rj.Modified)
	busy := rj.NeedsUpdate || rj.IsQueued || rj.IsUpdating
	if covered && (busy || rj.Built()) {
		ds.BuiltDigest = ds.BinariesDigest
	}
	if !busy && !p.asked[uri] && ds.State != v1alpha1.RepoFailed && (!rj.Built() || ds.BinariesDigest != ds.BuiltDigest) {
		why := "binaries changed after the last build"
		if !rj.Built() {
			why = "never built, and chacra will not build it by itself"
		}
		return p.request(k, ds, "update", why)
	}
	p.stall(k, ds)
	if ds.State == v1alpha1.RepoFailed && ds.Reason == ReasonBuildStalled {
		return p.retry(k, ds)
	}
	return nil
}

// observed maps chacra's flags to a state ("" for a repo never built
// that chacra will not build by itself).
func observed(rj *chacraclient.Repo) string {
	switch {
	case rj.IsQueued:
		return v1alpha1.RepoQueued
	case rj.IsUpdating:
		return v1alpha1.RepoBuilding
	case rj.NeedsUpdate:
		return v1alpha1.RepoRequested
	case rj.Built():
		return v1alpha1.RepoReady
	}
	return ""
}

func (p *pass) repoJSON(k chacraclient.Key) (*chacraclient.Repo, error) {
	uri := k.URI()
	if rj, ok := p.seen[uri]; ok {
		return rj, nil
	}
	rj, err := p.c.Repo(p.ctx, k)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	p.seen[uri] = rj
	return rj, nil
}

// request sends update or recreate, read fresh in this pass to be
// neither queued nor building, and records the build.
func (p *pass) request(k chacraclient.Key, ds *v1alpha1.DistroState, call, why string) error {
	send := p.c.Update
	if call == "recreate" {
		send = p.c.Recreate
	}
	rj, err := send(p.ctx, k)
	if err != nil {
		return err
	}
	uri := k.URI()
	p.asked[uri], p.seen[uri] = true, rj
	p.r.metrics.started.WithLabelValues(p.backend, p.node, call).Inc()
	ds.Builds++
	ds.BuiltDigest = ds.BinariesDigest
	repostatus.Apply(ds, repostatus.Report{State: v1alpha1.RepoRequested, Modified: rj.Modified}, p.now)
	reason := ReasonUpdateRequested
	if call == "recreate" {
		reason = ReasonRecreated
		ds.Retries++
		p.r.metrics.retries.WithLabelValues(p.backend, p.node).Inc()
	}
	// The state is set even when chacra's answer is not newer than what
	// was recorded: minka asked for a build.
	repostatus.SetState(ds, v1alpha1.RepoRequested, reason, fmt.Sprintf("%s sent to node %s: %s", call, p.node, why), p.now)
	return nil
}

// stall declares a build Failed/BuildStalled once it has been requested,
// queued or building for longer than spec.buildTimeout: chacra never
// reports a failed build (a failed createrepo stays is_updating).
func (p *pass) stall(k chacraclient.Key, ds *v1alpha1.DistroState) {
	switch ds.State {
	case v1alpha1.RepoRequested, v1alpha1.RepoQueued, v1alpha1.RepoBuilding:
	default:
		return
	}
	began, timeout := buildBegan(ds), p.timeout()
	if began.IsZero() || p.now.Sub(began) <= timeout {
		return
	}
	p.r.metrics.stalled.WithLabelValues(p.backend, p.node).Inc()
	msg := fmt.Sprintf("%s %s/%s on node %s has been %s for %v, past spec.buildTimeout %v (chacra never reports a failed build)",
		k.Project, k.Distro, k.Version, p.node, ds.State, p.now.Sub(began).Round(time.Second), timeout)
	repostatus.SetState(ds, v1alpha1.RepoFailed, ReasonBuildStalled, msg, p.now)
}

// retry recreates a stalled build after base·2^retries (at most
// 10·base), while retries remain; then the message says what a person
// can do. base is RetryBackoff, or the build timeout when that is
// shorter: a Repo that allows a build seconds retries within seconds.
func (p *pass) retry(k chacraclient.Key, ds *v1alpha1.DistroState) error {
	max := p.maxRetries()
	if ds.Retries >= max {
		msg := fmt.Sprintf("the build of %s %s/%s on node %s (%s) stalled (queued or building past spec.buildTimeout %v) and %d recreate(s) did not help (spec.maxRetries %d); "+
			"check the node: its celery workers and the createrepo/reprepro logs for %s; then raise spec.maxRetries or re-upload the binaries to build again",
			k.Project, k.Distro, k.Version, p.node, p.c.URL(), p.timeout(), ds.Retries, max, p.c.RepoURL(k))
		repostatus.SetState(ds, v1alpha1.RepoFailed, ReasonBuildStalled, msg, p.now)
		return nil
	}
	wait := p.backoff(ds)
	if p.now.Sub(repostatus.Since(ds, v1alpha1.RepoFailed)) < wait || p.asked[k.URI()] {
		return nil
	}
	return p.request(k, ds, "recreate", fmt.Sprintf("the build stalled; recreate %d of %d", ds.Retries+1, max))
}

func (p *pass) backoff(ds *v1alpha1.DistroState) time.Duration {
	base := min(p.r.backoff, p.timeout())
	wait := base << ds.Retries
	if cap := 10 * base; wait > cap || wait <= 0 {
		wait = cap
	}
	return wait
}

// wakeIn is how soon the Repo must be looked at again for a build to be
// declared stalled or recreated on time (0: nothing due).
func (p *pass) wakeIn() time.Duration {
	var due time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (due.IsZero() || t.Before(due)) {
			due = t
		}
	}
	for i := range p.repo.Status.Distros {
		ds := &p.repo.Status.Distros[i]
		switch {
		case ds.State == v1alpha1.RepoRequested || ds.State == v1alpha1.RepoQueued || ds.State == v1alpha1.RepoBuilding:
			if began := buildBegan(ds); !began.IsZero() {
				earliest(began.Add(p.timeout()))
			}
		case ds.State == v1alpha1.RepoFailed && ds.Reason == ReasonBuildStalled && ds.Retries < p.maxRetries():
			earliest(repostatus.Since(ds, v1alpha1.RepoFailed).Add(p.backoff(ds)))
		}
	}
	if due.IsZero() {
		return 0
	}
	// Transition times are kept to the second: a second more is never early.
	return max(due.Sub(p.now)+time.Second, time.Second)
}

func (p *pass) timeout() time.Duration {
	if t := p.repo.Spec.BuildTimeout; t != nil && t.Duration > 0 {
		return t.Duration
	}
	return 30 * time.Minute
}

func (p *pass) maxRetries() int32 {
	if m := p.repo.Spec.MaxRetries; m != nil {
		return *m
	}
	return 3
}

// buildBegan is when the current build was first seen: the earliest
// entry into Requested, Queued or Building since the previous build
// ended (Ready, Failed or WaitingForBinaries).
func buildBegan(ds *v1alpha1.DistroState) time.Time {
	var ended time.Time
	for _, s := range []string{v1alpha1.RepoReady, v1alpha1.RepoFailed, v1alpha1.RepoWaitingForBinaries} {
		if t := repostatus.Since(ds, s); t.After(ended) {
			ended = t
		}
	}
	var began time.Time
	for _, s := range []string{v1alpha1.RepoRequested, v1alpha1.RepoQueued, v1alpha1.RepoBuilding} {
		if t := repostatus.Since(ds, s); !t.IsZero() && !t.Before(ended) && (began.IsZero() || t.Before(began)) {
			began = t
		}
	}
	return began
}
