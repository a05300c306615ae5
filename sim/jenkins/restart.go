package jenkins

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"time"
)

// Restarts (jenkins.model.Jenkins doRestart, doSafeRestart, restart,
// safeRestart; hudson.util.HudsonIsRestarting).
//
// A restart aborts the running builds (Computer.interrupt from
// Jenkins.cleanUp: Executor.interruptForShutdown, as SYSTEM, so no "Aborted
// by" line) and forgets every queue item, waiting or left, and every HTTP
// session (so crumbs too); jobs, build history, build numbers, nodes and
// queue ids, which keep counting, survive. X-Jenkins-Session changes, as
// Jenkins' SESSION_HASH is made anew by every start. JNLP agents are taken to
// reconnect at once. Real Jenkins writes the waiting items to queue.xml
// and loads them back: the simulator's restart is one that lost it (a
// crash, a new controller pod without the file).

// Restart restarts Jenkins now, as POST /restart does.
func (s *Server) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	s.restart(s.opts.Now())
}

func (s *Server) restart(now time.Time) {
	for _, c := range s.computers {
		for _, b := range c.executors {
			if b != nil {
				s.abortBuild(b, now, "")
			}
		}
	}
	s.queue = nil
	clear(s.items)
	clear(s.sessions)
	s.quietDown, s.safeRestart, s.quietReason = false, false, ""
	s.restartUntil = now.Add(s.opts.RestartDuration)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	s.jvmSession = hex.EncodeToString(b) // a new JVM, a new SESSION_HASH
}

// sessionID is the current X-Jenkins-Session.
func (s *Server) sessionID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jvmSession
}

// restarting reports whether a restart is under way.
func (s *Server) restarting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Now().Before(s.restartUntil)
}

// restartingPage is HudsonIsRestarting.doDynamic, what every URL answers
// while Jenkins restarts: its index.jelly with status 503 (the English
// text of "Please wait while Jenkins is restarting" is "Jenkins is
// restarting").
func restartingPage(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Expires", "0")
	h.Set("Cache-Control", "no-cache,no-store,must-revalidate")
	h.Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Restarting Jenkins</title><meta name=\"ROBOTS\" content=\"NOFOLLOW\"></head>"+
		"<body><div class=\"simple-page\" role=\"main\"><div class=\"app-jenkins-booting\"><h1 class=\"loading\">Jenkins is restarting</h1>"+
		"<p class=\"restarting\">Your browser will reload automatically when Jenkins is ready.</p></div></div></body></html>\n")
}

// doRestart is Jenkins.doRestart (Overall/Manage, no @RequirePOST): GET is
// the "are you sure" page (_restart.jelly); POST restarts; any other verb
// does not; all but GET redirect to "." (sendRedirect2, a 302).
func (s *Server) doRestart(c *call) {
	if c.user == anonymous { // checkPermission(MANAGE)
		loginRequired(c.w, c.r, "hudson.model.Hudson.Manage")
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		page(c.w, http.StatusOK, "Restart Jenkins",
			"<form method=\"post\" action=\"restart\">Are you sure you want to restart Jenkins?<button type=\"submit\">Yes</button></form>")
		return
	case http.MethodPost:
		s.restart(s.opts.Now())
	}
	c.redirect(http.StatusFound, ".")
}

// doSafeRestart is Jenkins.doSafeRestart (Overall/Manage): GET is its
// form (_safeRestart.jelly); with a cancel parameter it is
// doCancelQuietDown; POST quiets Jenkins down (no build starts, waiting
// items say "Jenkins is about to shut down", quietingDown and
// quietDownReason show it) and restarts once no build runs. The answer
// is redirectToDot, a 302.
func (s *Server) doSafeRestart(c *call) {
	if c.user == anonymous {
		loginRequired(c.w, c.r, "hudson.model.Hudson.Manage")
		return
	}
	if c.r.Method == http.MethodGet {
		cancel := ""
		if s.quietDown {
			cancel = "<button type=\"submit\" name=\"cancel\">Cancel</button>"
		}
		page(c.w, http.StatusOK, "Safe restart", "<h1>Safe restart</h1><form method=\"post\" action=\"safeRestart\">"+
			"<input name=\"message\" value=\""+html.EscapeString(s.quietReason)+"\"><button type=\"submit\">Restart</button>"+cancel+"</form>")
		return
	}
	_ = c.r.ParseForm()
	switch {
	case c.r.Form.Has("cancel"):
		s.quietDown, s.safeRestart, s.quietReason = false, false, ""
	case c.r.Method == http.MethodPost:
		s.quietDown, s.safeRestart, s.quietReason = true, true, c.r.Form.Get("message")
		s.advance() // restarts now if nothing runs
	}
	c.redirect(http.StatusFound, ".")
}

// simRestart is POST /__sim/restart: Restart, 204.
func (s *Server) simRestart(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST restarts the simulated Jenkins", http.StatusMethodNotAllowed)
		return
	}
	s.Restart()
	w.WriteHeader(http.StatusNoContent)
}
