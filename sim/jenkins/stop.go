package jenkins

import "net/http"

// doStop is AbstractBuild.doStop (@RequirePOST): the executor running the
// build is interrupted by the requesting user (Executor.doStopBuild), so
// the build ends ABORTED with "Aborted by USER" in its log; a finished
// build has no executor and nothing happens. Either way the answer is
// HttpResponses.forwardToPreviousPage: 302 to the Referer, or to "." (the
// build) without one (ResponseImpl.forwardToPreviousPage).
//
// Only stop: doTerm and doKill are WorkflowRun's (Pipeline), which a
// FreeStyleBuild does not have (404).
func (s *Server) doStop(c *call, b *build) {
	if !c.requirePOST() {
		return
	}
	if b.building() {
		s.abortBuild(b, s.opts.Now(), "Aborted by "+c.user)
		s.advance() // its executor may start a waiting item, or let a safe restart go
	}
	target := c.r.Header.Get("Referer")
	if target == "" {
		target = "."
	}
	c.redirect(http.StatusFound, target)
}
