package jenkins

import (
	"fmt"
	"time"
)

// The Go side of the simulator: what the rest of the simulated world
// (an OpenStack server booting an agent) and tests do to Jenkins.

// Connect attaches the JNLP agent of node name, as agent.jar does with the
// node's secret; the node comes online and queued builds may start.
func (s *Server) Connect(name, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.computers[name]
	if c == nil || !c.jnlp {
		return fmt.Errorf("no JNLP agent %q", name)
	}
	if secret != c.secret {
		return fmt.Errorf("agent %q: wrong secret", name)
	}
	c.connected = true
	s.advance()
	return nil
}

// Disconnect detaches the agent of node name (its server went away);
// its running builds end ABORTED and the node shows offline.
func (s *Server) Disconnect(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.computers[name]
	if c == nil {
		return
	}
	c.connected = false
	s.abort(c, "disconnected")
	s.advance()
}

// abort ends the builds running on c ABORTED, and logs them.
func (s *Server) abort(c *computer, why string) {
	now := s.opts.Now()
	for _, b := range c.executors {
		if b != nil {
			s.abortBuild(b, now, "Agent "+c.name+" "+why)
			s.aborted = append(s.aborted, fmt.Sprintf("%s #%d aborted: agent %s %s", b.job.name, b.number, c.name, why))
		}
	}
}

// Aborted lists the builds that ran on an agent when it was deleted or
// disconnected ("webapp #3 aborted: agent pool-0 deleted").
func (s *Server) Aborted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.aborted...)
}

// Secret returns the agent secret of a JNLP node.
func (s *Server) Secret(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.computers[name]
	if c == nil || !c.jnlp {
		return "", false
	}
	return c.secret, true
}

// SetJobOutcome sets how long a job's builds run and how they end
// (SUCCESS, UNSTABLE, FAILURE); zero values keep the server defaults.
func (s *Server) SetJobOutcome(name string, d time.Duration, result string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return fmt.Errorf("no job %q", name)
	}
	j.duration, j.result = d, result
	return nil
}

// Tick moves time on without a request: due builds finish and waiting
// items start.
func (s *Server) Tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
}

// Finished counts a job's builds that ended SUCCESS, UNSTABLE or FAILURE
// (not ABORTED, not running).
func (s *Server) Finished(jobName string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	j := s.jobs[jobName]
	if j == nil {
		return 0
	}
	n := 0
	for _, b := range j.builds {
		if b.result != "" && b.result != "ABORTED" {
			n++
		}
	}
	return n
}

// NodeNames lists the agent nodes (not the built-in node), sorted.
func (s *Server) NodeNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range sortedKeys(s.computers) {
		if !s.computers[k].builtIn {
			out = append(out, s.computers[k].name)
		}
	}
	return out
}

// Running counts builds running now, on any node.
func (s *Server) Running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	return s.running()
}
