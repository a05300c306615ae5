package jenkins

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bndr/gojenkins"
)

// ciJob is a ceph-build style job: the parameters a CI/CD control plane
// sends, and the simulator's SIM_ knobs.
const ciJob = `<?xml version='1.1' encoding='UTF-8'?>
<project>
  <description>ceph-build style job</description>
  <properties>
    <hudson.model.ParametersDefinitionProperty>
      <parameterDefinitions>
        <hudson.model.StringParameterDefinition><name>BRANCH</name><defaultValue>main</defaultValue></hudson.model.StringParameterDefinition>
        <hudson.model.StringParameterDefinition><name>SHA1</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition>
        <hudson.model.StringParameterDefinition><name>CHACRA_URL</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition>
        <hudson.model.StringParameterDefinition><name>MINKA_BUILD</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition>
        <hudson.model.StringParameterDefinition><name>SIM_RESULT</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition>
        <hudson.model.StringParameterDefinition><name>SIM_DURATION</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition>
      </parameterDefinitions>
    </hudson.model.ParametersDefinitionProperty>
  </properties>
  <builders/>
</project>`

// ci is a simulator on a test clock with the job "ceph" (ciJob), the job
// "plain" (no parameters) and the connected JNLP agent "agent-1" (two
// executors); builds run a minute unless told otherwise.
type ci struct {
	s    *Server
	clk  *clock
	base string
	jk   *gojenkins.Jenkins
}

func newCI(t *testing.T, opts Options) *ci {
	t.Helper()
	clk := newClock()
	opts.Now = clk.Now
	if opts.BuildDuration == 0 {
		opts.BuildDuration = time.Minute
	}
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })
	for _, r := range []rq{
		{method: "POST", path: "/createItem?name=ceph", body: ciJob, ctype: "application/xml"},
		{method: "POST", path: "/createItem?name=plain", body: "<project><builders/></project>", ctype: "application/xml"},
		{method: "POST", path: "/computer/doCreateItem?" + newNodeForm("agent-1").Encode()},
	} {
		if got := send(t, hs.URL, r); got.code >= 400 {
			t.Fatalf("setup %s %s: %d %s", r.method, r.path, got.code, got.body)
		}
	}
	secret, _ := s.Secret("agent-1")
	if err := s.Connect("agent-1", secret); err != nil {
		t.Fatal(err)
	}
	jk, err := gojenkins.CreateJenkins(nil, hs.URL, "admin", "token").Init(context.Background())
	if err != nil {
		t.Fatalf("gojenkins Init: %v", err)
	}
	return &ci{s: s, clk: clk, base: hs.URL, jk: jk}
}

// build queues a build of ceph with the form (BRANCH=x&SIM_RESULT=y) and
// returns its queue id.
func (e *ci) build(t *testing.T, form string) int64 {
	t.Helper()
	return postBuild(t, e.base, "ceph", form)
}

// get sends a GET with the API token.
func (e *ci) get(t *testing.T, path string) rs {
	t.Helper()
	return send(t, e.base, rq{path: path})
}

// post sends a POST with the API token, a form body if form is set.
func (e *ci) post(t *testing.T, path, form string) rs {
	t.Helper()
	q := rq{method: "POST", path: path, body: form}
	if form != "" {
		q.ctype = "application/x-www-form-urlencoded"
	}
	return send(t, e.base, q)
}

// lf undoes LineEndNormalizingWriter.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// eventually polls cond for a few seconds (uploads run in real time).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
