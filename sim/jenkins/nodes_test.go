package jenkins

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

const form = "application/x-www-form-urlencoded"

// pyNodeForm is the body python-jenkins' create_node posts (CREATE_NODE,
// labels and description left None, its default CommandLauncher).
func pyNodeForm(name string, executors any) string {
	inner, _ := json.Marshal(map[string]any{"nodeDescription": nil, "numExecutors": executors, "remoteFS": "/var/lib/jenkins",
		"labelString": nil, "mode": "NORMAL", "retentionStrategy": map[string]string{"stapler-class": "hudson.slaves.RetentionStrategy$Always"},
		"nodeProperties": map[string]string{"stapler-class-bag": "true"}, "launcher": map[string]string{"stapler-class": "hudson.slaves.CommandLauncher"}})
	return url.Values{"name": {name}, "type": {"hudson.slaves.DumbSlave$DescriptorImpl"}, "json": {string(inner)}}.Encode()
}

// step is one request of a sequence and what the simulator must answer.
type step struct {
	reason   string
	q        rq
	code     int
	location string            // exact, after the base
	body     string            // substring
	header   map[string]string // exact
	after    func(t *testing.T, base string)
}

func run(t *testing.T, base string, steps []step) {
	t.Helper()
	for _, st := range steps {
		got := send(t, base, st.q)
		switch {
		case got.code != st.code:
			t.Errorf("%s: %s %s = %d, want %d (%.300s)", st.reason, st.q.method, st.q.path, got.code, st.code, got.body)
		case st.location != "" && got.h.Get("Location") != base+st.location:
			t.Errorf("%s: Location %q, want %q", st.reason, got.h.Get("Location"), base+st.location)
		case !strings.Contains(got.body, st.body):
			t.Errorf("%s: body %.300q lacks %q", st.reason, got.body, st.body)
		}
		for k, v := range st.header {
			if got.h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", st.reason, k, got.h.Get(k), v)
			}
		}
		if st.after != nil {
			st.after(t, base)
		}
	}
}

// nodeField reads one field of /computer/NAME/api/json.
func nodeField(t *testing.T, base, node, field string) any {
	t.Helper()
	var m map[string]any
	_ = json.Unmarshal([]byte(send(t, base, rq{path: "/computer/" + node + "/api/json"}).body), &m)
	return m[field]
}

func wantField(node, field string, want any) func(*testing.T, string) {
	return func(t *testing.T, base string) {
		t.Helper()
		if got := nodeField(t, base, node, field); !jsonEqual(got, want) {
			t.Errorf("%s.%s = %v, want %v", node, field, got, want)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestNodeEndpoints: ComputerSet.doDoCreateItem/doCreateItem, and
// Computer's doToggleOffline, doChangeOfflineCause, doConfigDotXml and
// doDoDelete (jenkinsci/jenkins core/src/main/java/hudson/model), as
// python-jenkins, gojenkins and curl call them. The 302s to "." after
// doCreateItem and to ".." after doDelete are the facts of
// the shared reference README (shared/reference/jenkins); so is "(built-in)".
func TestNodeEndpoints(t *testing.T) {
	_, base := world(t, Options{})
	xml := strings.NewReplacer("<label>trusty amd64</label>", "<label>xenial arm64</label>", "<numExecutors>2</numExecutors>", "<numExecutors>3</numExecutors>")
	var agentXML string
	run(t, base, []step{
		{reason: "python-jenkins create_node: the form in the body", q: rq{method: "POST", path: "/computer/doCreateItem", ctype: form, body: pyNodeForm("py-agent", 2)},
			code: 302, location: "/computer/", after: func(t *testing.T, base string) {
				wantField("py-agent", "assignedLabels", []any{map[string]any{"name": "py-agent"}})(t, base)
				wantField("py-agent", "jnlpAgent", false)(t, base)
				wantField("py-agent", "numExecutors", 2)(t, base)
			}},
		{reason: "an existing name is a Failure", q: rq{method: "POST", path: "/computer/doCreateItem", ctype: form, body: pyNodeForm("py-agent", 2)},
			code: 400, body: "Agent called ‘py-agent’ already exists", header: map[string]string{"X-Error": "Agent called ‘py-agent’ already exists"}},
		{reason: "Jenkins.checkGoodName", q: rq{method: "POST", path: "/computer/doCreateItem", ctype: form, body: pyNodeForm("bad/name", 1)},
			code: 400, header: map[string]string{"X-Error": "‘/’ is an unsafe character"}},
		{reason: "no name", q: rq{method: "POST", path: "/computer/doCreateItem", ctype: form, body: "type=hudson.slaves.DumbSlave"},
			code: 400, header: map[string]string{"X-Error": "Query parameter 'name' is required"}},
		{reason: "no json form: RequestImpl.getSubmittedForm", q: rq{method: "POST", path: "/computer/doCreateItem?name=x&type=hudson.slaves.DumbSlave"},
			code: 400, body: "HTTP ERROR 400 This page expects a form submission"},
		{reason: "an unknown node type", q: rq{method: "POST", path: "/computer/doCreateItem", ctype: form, body: strings.Replace(pyNodeForm("x", 1), "DumbSlave", "Nope", 1)},
			code: 500, body: "A problem occurred"},
		{reason: "no executors: Slave's FormException", q: rq{method: "POST", path: "/computer/doCreateItem", ctype: form, body: pyNodeForm("zero", "0")},
			code: 400, header: map[string]string{"X-Error": "Invalid agent configuration for zero. Invalid number of executors."}},
		{reason: "doDoCreateItem is @POST: a GET falls through to a 404", q: rq{path: "/computer/doCreateItem"}, code: 404},
		{reason: "doCreateItem is @RequirePOST", q: rq{path: "/computer/createItem"}, code: 405, header: map[string]string{"Allow": "POST"}},
		{reason: "doToggleOffline is @RequirePOST", q: rq{path: "/computer/agent-1/toggleOffline"}, code: 405, body: "This URL requires POST"},
		{reason: "TOGGLE_OFFLINE with a message", q: rq{method: "POST", path: "/computer/agent-1/toggleOffline?offlineMessage=draining"},
			code: 302, location: "/computer/agent-1/", after: func(t *testing.T, base string) {
				wantField("agent-1", "temporarilyOffline", true)(t, base)
				wantField("agent-1", "offlineCauseReason", "draining")(t, base)
				wantField("agent-1", "offlineCause", map[string]any{"_class": "hudson.slaves.OfflineCause$UserCause", "description": "Disconnected by admin : draining"})(t, base)
			}},
		{reason: "toggling again brings it back", q: rq{method: "POST", path: "/computer/agent-1/toggleOffline"}, code: 302,
			after: wantField("agent-1", "temporarilyOffline", false)},
		{reason: "no message: no ' : '", q: rq{method: "POST", path: "/computer/agent-1/toggleOffline?offlineMessage="}, code: 302,
			after: wantField("agent-1", "offlineCause", map[string]any{"_class": "hudson.slaves.OfflineCause$UserCause", "description": "Disconnected by admin"})},
		{reason: "doChangeOfflineCause keeps it offline, the message trimmed", q: rq{method: "POST", path: "/computer/agent-1/changeOfflineCause", ctype: form, body: "offlineMessage=+rebooting+"},
			code: 302, location: "/computer/agent-1/", after: func(t *testing.T, base string) {
				wantField("agent-1", "temporarilyOffline", true)(t, base)
				wantField("agent-1", "offlineCauseReason", "rebooting")(t, base)
			}},
		{reason: "a redirect to '.' is relative to the request URI", q: rq{method: "POST", path: "/computer/agent-1/toggleOffline/"}, code: 302, location: "/computer/agent-1/toggleOffline/"},
		{reason: "config.xml", q: rq{path: "/computer/agent-1/config.xml"}, code: 200, body: "<label>trusty amd64</label>",
			header: map[string]string{"Content-Type": "application/xml"}, after: func(t *testing.T, base string) {
				agentXML = send(t, base, rq{path: "/computer/agent-1/config.xml"}).body
			}},
		{reason: "gojenkins' GetXML adds a slash", q: rq{path: "/computer/agent-1/config.xml/"}, code: 200, body: "<slave>"},
	})
	run(t, base, []step{
		{reason: "posting config.xml replaces the node", q: rq{method: "POST", path: "/computer/agent-1/config.xml", ctype: "text/xml; charset=utf-8", body: xml.Replace(agentXML)},
			code: 200, after: func(t *testing.T, base string) {
				wantField("agent-1", "numExecutors", 3)(t, base)
				wantField("agent-1", "assignedLabels", []any{map[string]any{"name": "agent-1"}, map[string]any{"name": "arm64"}, map[string]any{"name": "xenial"}})(t, base)
				wantField("agent-1", "offline", false)(t, base) // its agent stays connected
			}},
		{reason: "another node type", q: rq{method: "POST", path: "/computer/agent-1/config.xml", body: strings.ReplaceAll(agentXML, "slave>", "hudson.slaves.Cloudy>")},
			code: 400, body: "Node types do not match"},
		{reason: "neither GET nor POST", q: rq{method: "PUT", path: "/computer/agent-1/config.xml", body: agentXML}, code: 400},
		{reason: "the built-in node has no config.xml", q: rq{path: "/computer/(built-in)/config.xml"}, code: 400},
		{reason: "the built-in node cannot be deleted", q: rq{method: "POST", path: "/computer/(built-in)/doDelete"}, code: 400},
		{reason: "createItem with a config.xml body", q: rq{method: "POST", path: "/computer/createItem?name=from-xml", ctype: "application/xml", body: agentXML},
			code: 200, after: wantField("from-xml", "jnlpAgent", true)},
		{reason: "createItem of an existing node", q: rq{method: "POST", path: "/computer/createItem", ctype: "application/xml", body: agentXML},
			code: 400, header: map[string]string{"X-Error": "Node 'agent-1' already exists"}},
		{reason: "copy", q: rq{method: "POST", path: "/computer/createItem?name=copy&mode=copy&from=from-xml"}, code: 302, location: "/computer/copy/configure",
			after: wantField("copy", "numExecutors", 2)},
		{reason: "copy of nothing", q: rq{method: "POST", path: "/computer/createItem?name=c2&mode=copy&from=nope"}, code: 400, header: map[string]string{"X-Error": "No such agent: nope"}},
		{reason: "no mode", q: rq{method: "POST", path: "/computer/createItem?name=c3", ctype: form}, code: 400, header: map[string]string{"X-Error": "No mode given"}},
		{reason: "doDelete", q: rq{method: "POST", path: "/computer/agent-2/doDelete"}, code: 302, location: "/computer/"},
		{reason: "a deleted node is gone", q: rq{path: "/computer/agent-2/api/json"}, code: 404},
		{reason: "deleting it again", q: rq{method: "POST", path: "/computer/agent-2/doDelete"}, code: 404},
	})
}
