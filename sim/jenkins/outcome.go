package jenkins

import (
	"strings"
	"time"
)

// How a build ends and how long it runs, on demand: a build parameter
// the job defines (SIM_RESULT, SIM_DURATION), a rule set from Go
// (SetResultFor), the job's outcome (SetJobOutcome), the server's
// Options.

// simResults are the results SIM_RESULT may ask for.
var simResults = map[string]bool{"SUCCESS": true, "UNSTABLE": true, "FAILURE": true, "ABORTED": true}

type resultRule struct{ param, value, result string }

// SetResultFor makes the builds of job (every job if "") whose parameter
// paramName has the value paramValue end with result (SUCCESS, UNSTABLE,
// FAILURE, ABORTED), unless they ask otherwise with SIM_RESULT; an empty
// result removes the rule. The job need not exist yet. A parameter the
// job does not define never matches: Jenkins drops it from the build.
func (s *Server) SetResultFor(job, paramName, paramValue, result string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kept []resultRule
	for _, r := range s.resultRules[job] {
		if r.param != paramName || r.value != paramValue {
			kept = append(kept, r)
		}
	}
	if result != "" {
		kept = append(kept, resultRule{paramName, paramValue, result})
	}
	s.resultRules[job] = kept
}

// resultOf is how b ends, decided when its time is up.
func (s *Server) resultOf(b *build) string {
	if v, ok := b.param("SIM_RESULT"); ok {
		if r := strings.ToUpper(strings.TrimSpace(v)); simResults[r] {
			return r
		}
	}
	for _, job := range []string{b.job.name, ""} {
		for _, r := range s.resultRules[job] {
			if v, ok := b.param(r.param); ok && v == r.value {
				return r.result
			}
		}
	}
	return b.job.resultOr(s.opts.Result)
}

// durationOf is how long a build of j with params runs: SIM_DURATION if
// it is a Go duration (3s, 1m30s), else the job's, else the server's.
func (s *Server) durationOf(j *job, params []param) time.Duration {
	if v, ok := paramOf(params, "SIM_DURATION"); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err == nil && d >= 0 {
			return d
		}
	}
	return j.durationOr(s.opts.BuildDuration)
}
