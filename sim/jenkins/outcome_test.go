package jenkins

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestOutcomes: a build's result and duration come from SIM_RESULT and
// SIM_DURATION when the job defines them, then SetResultFor, then the
// job's outcome, then the server's defaults.
func TestOutcomes(t *testing.T) {
	cases := []struct {
		reason   string
		setup    func(t *testing.T, e *ci)
		job      string // "" = ceph
		form     string
		result   string
		duration time.Duration
		log      string // in the console
		noSIM    bool   // no SIM_ parameter reaches the build
	}{
		{reason: "the defaults", form: "BRANCH=main", result: "SUCCESS", duration: time.Minute, log: "--step 3/3\nFinished: SUCCESS\n"},
		{reason: "SIM_RESULT=FAILURE", form: "SIM_RESULT=FAILURE", result: "FAILURE", duration: time.Minute,
			log: "+ exit 1\nBuild step 'Execute shell' marked build as failure\nFinished: FAILURE\n"},
		{reason: "SIM_RESULT in any case", form: "SIM_RESULT=unstable", result: "UNSTABLE", duration: time.Minute, log: "Finished: UNSTABLE\n"},
		{reason: "SIM_RESULT=ABORTED", form: "SIM_RESULT=ABORTED", result: "ABORTED", duration: time.Minute, log: "Build was aborted\nFinished: ABORTED\n"},
		{reason: "an unknown SIM_RESULT is ignored", form: "SIM_RESULT=GREEN", result: "SUCCESS", duration: time.Minute},
		{reason: "SIM_DURATION", form: "SIM_DURATION=3s", result: "SUCCESS", duration: 3 * time.Second},
		{reason: "both", form: "SIM_DURATION=1m30s&SIM_RESULT=FAILURE", result: "FAILURE", duration: 90 * time.Second},
		{reason: "a SIM_DURATION that is no duration", form: "SIM_DURATION=soon", result: "SUCCESS", duration: time.Minute},
		{reason: "SetResultFor the matching build", form: "MINKA_BUILD=ci/webapp-7", result: "FAILURE", duration: time.Minute,
			setup: func(t *testing.T, e *ci) { e.s.SetResultFor("ceph", "MINKA_BUILD", "ci/webapp-7", "FAILURE") }},
		{reason: "SetResultFor leaves the others", form: "MINKA_BUILD=ci/webapp-8", result: "SUCCESS", duration: time.Minute,
			setup: func(t *testing.T, e *ci) { e.s.SetResultFor("ceph", "MINKA_BUILD", "ci/webapp-7", "FAILURE") }},
		{reason: "SetResultFor for every job", form: "MINKA_BUILD=ci/webapp-7", result: "UNSTABLE", duration: time.Minute,
			setup: func(t *testing.T, e *ci) { e.s.SetResultFor("", "MINKA_BUILD", "ci/webapp-7", "UNSTABLE") }},
		{reason: "SetResultFor removed", form: "MINKA_BUILD=ci/webapp-7", result: "SUCCESS", duration: time.Minute,
			setup: func(t *testing.T, e *ci) {
				e.s.SetResultFor("ceph", "MINKA_BUILD", "ci/webapp-7", "FAILURE")
				e.s.SetResultFor("ceph", "MINKA_BUILD", "ci/webapp-7", "")
			}},
		{reason: "SIM_RESULT wins over SetResultFor", form: "MINKA_BUILD=ci/webapp-7&SIM_RESULT=SUCCESS", result: "SUCCESS", duration: time.Minute,
			setup: func(t *testing.T, e *ci) { e.s.SetResultFor("ceph", "MINKA_BUILD", "ci/webapp-7", "FAILURE") }},
		{reason: "SetResultFor wins over the job's outcome", form: "MINKA_BUILD=ci/webapp-7", result: "FAILURE", duration: 5 * time.Second,
			setup: func(t *testing.T, e *ci) {
				_ = e.s.SetJobOutcome("ceph", 5*time.Second, "UNSTABLE")
				e.s.SetResultFor("ceph", "MINKA_BUILD", "ci/webapp-7", "FAILURE")
			}},
		{reason: "the job's outcome", form: "MINKA_BUILD=x", result: "UNSTABLE", duration: 5 * time.Second,
			setup: func(t *testing.T, e *ci) { _ = e.s.SetJobOutcome("ceph", 5*time.Second, "UNSTABLE") }},
		{reason: "SIM_ parameters a job does not define are dropped", job: "webapp", form: "DISTRO=jammy&SIM_RESULT=FAILURE&SIM_DURATION=1s",
			result: "SUCCESS", duration: time.Minute, log: "+ echo DISTRO=jammy\n", noSIM: true,
			setup: func(t *testing.T, e *ci) {
				send(t, e.base, rq{method: "POST", path: "/createItem?name=webapp", body: trustyJob, ctype: "application/xml"})
			}},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			e := newCI(t, Options{})
			if tc.setup != nil {
				tc.setup(t, e)
			}
			job := tc.job
			if job == "" {
				job = "ceph"
			}
			postBuild(t, e.base, job, tc.form)
			e.clk.Add(tc.duration - time.Millisecond)
			if b := e.s.Builds(job); len(b) != 1 || b[0].Result != "" {
				t.Fatalf("a millisecond before its end: %+v", b)
			}
			e.clk.Add(time.Millisecond)
			b := e.s.Builds(job)
			if len(b) != 1 || b[0].Result != tc.result || b[0].Ended.Sub(b[0].Started) != tc.duration {
				t.Fatalf("at its end: %+v, want %s after %v", b, tc.result, tc.duration)
			}
			if !strings.Contains(b[0].Log, tc.log) || (tc.noSIM && (strings.Contains(b[0].Log, "SIM_") || len(b[0].Params) != 1)) {
				t.Errorf("log %q params %v, want %q in the log", b[0].Log, b[0].Params, tc.log)
			}
			var m map[string]any
			_ = json.Unmarshal([]byte(e.get(t, "/job/"+job+"/1/api/json").body), &m)
			if m["result"] != tc.result || m["duration"] != float64(tc.duration.Milliseconds()) || m["building"] != false {
				t.Errorf("build JSON: result %v duration %v building %v", m["result"], m["duration"], m["building"])
			}
		})
	}
}
