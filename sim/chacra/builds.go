package chacra

import "time"

// requestUpdate is POST update (and recreate): chacra's controller sets
// needs_update and clears is_queued and is_updating, even while a build
// runs (so the next poll starts a second one), and sends "requested".
// A raw repo is "built" at once and reported ready. Called with n.mu held.
func (n *Node) requestUpdate(rp *repo) {
	uri := rp.Key.URI()
	n.updateCalls[uri]++
	rp.Modified = n.opts.Now()
	if rp.Type == "raw" {
		rp.Built, rp.NeedsUpdate, rp.IsQueued, rp.IsUpdating = true, false, false, false
		n.callback("ready", rp)
		return
	}
	rp.NeedsUpdate, rp.IsQueued, rp.IsUpdating = true, false, false
	n.callback("requested", rp)
}

// after runs f, with n.mu held, d from now unless the node closes first.
// Called with n.mu held.
func (n *Node) after(d time.Duration, f func()) {
	if n.closed {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-n.stop:
			return
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		if !n.closed {
			f()
		}
	}()
}

// pollLoop is celery beat's poll_repos schedule.
func (n *Node) pollLoop() {
	defer n.wg.Done()
	t := time.NewTicker(n.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			n.poll()
		}
	}
}

// Poll runs one polling cycle now (for tests that set a long
// PollInterval and drive the cycle themselves).
func (n *Node) Poll() { n.poll() }

// poll is chacra's poll_repos: each repo that needs an update and is
// neither queued nor updating is queued, and its build is scheduled
// QuietTime later. Repos of another type wait (upstream only logs them).
func (n *Node) poll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, rp := range n.sortedRepos() {
		if !rp.NeedsUpdate || rp.IsQueued || rp.IsUpdating || (rp.Type != "deb" && rp.Type != "rpm") {
			continue
		}
		rp.IsQueued = true
		n.callback("queued", rp)
		k := rp.Key
		n.after(n.opts.QuietTime, func() { n.build(k) })
	}
}

// build is create_deb_repo/create_rpm_repo: "building" is reported with
// the queued state, then the repo is marked updating and, BuildTime
// later (never, when its builds hang), ready. Called with n.mu held.
func (n *Node) build(k repoKey) {
	rp := n.repos[k]
	if rp == nil {
		return
	}
	n.callback("building", rp)
	rp.Built, rp.IsUpdating, rp.IsQueued, rp.NeedsUpdate = true, true, false, false
	rp.Modified = n.opts.Now()
	uri := k.URI()
	n.builds[uri]++
	if n.hangAll || n.hang[uri] {
		return
	}
	n.after(n.opts.BuildTime, func() {
		if rp := n.repos[k]; rp != nil {
			rp.IsUpdating = false
			rp.Modified = n.opts.Now()
			n.callback("ready", rp)
		}
	})
}

// callback queues a status report of rp for shaman. Called with n.mu held.
func (n *Node) callback(status string, rp *repo) {
	if n.opts.CallbackURL == "" {
		return
	}
	body := rp.json(n.archs(rp))
	body["status"] = status
	body["chacra_url"] = n.opts.URL + "/repos/" + rp.Key.URI() + "/"
	body["url"] = n.opts.URL + "/r/" + rp.Key.URI() + "/"
	n.cb.push(n.opts.CallbackURL+"/"+rp.Key.Project+"/", body)
}
