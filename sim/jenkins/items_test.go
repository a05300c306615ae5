package jenkins

import (
	"net/url"
	"strings"
	"testing"
)

// TestJobEndpoints: Jenkins.doCreateItem (ItemGroupMixIn.createTopLevelItem),
// AbstractItem.doConfigDotXml and doDoDelete, ParameterizedJob's
// doEnable/doDisable, and ParameterizedJobMixIn.doBuild/doBuildWithParameters
// (jenkinsci/jenkins core/src/main/java/jenkins/model/ParameterizedJobMixIn.java,
// hudson/model/ParametersDefinitionProperty.java). "201 Created with
// Location: <root>/queue/item/N/" is a fact of
// the shared reference README (shared/reference/jenkins).
func TestJobEndpoints(t *testing.T) {
	_, base := world(t, Options{})
	xmlType := "application/xml"
	paramJSON := func(v string) string {
		return url.Values{"json": {`{"parameter":[{"name":"DISTRO","value":"` + v + `"}]}`}}.Encode()
	}
	run(t, base, []step{
		{reason: "createItem wants a Content-Type", q: rq{method: "POST", path: "/createItem?name=x", body: "<project/>"}, code: 400,
			header: map[string]string{"X-Error": "No Content-Type header set"}},
		{reason: "createItem wants a name", q: rq{method: "POST", path: "/createItem", ctype: xmlType, body: "<project/>"}, code: 400,
			header: map[string]string{"X-Error": "Query parameter 'name' is required"}},
		{reason: "checkGoodName", q: rq{method: "POST", path: "/createItem?name=a:b", ctype: xmlType, body: "<project/>"}, code: 400,
			header: map[string]string{"X-Error": "‘:’ is an unsafe character"}},
		{reason: "an existing job", q: rq{method: "POST", path: "/createItem?name=webapp", ctype: xmlType, body: "<project/>"}, code: 400,
			body: "A job already exists with the name ‘webapp’", header: map[string]string{"X-Error": "A job already exists with the name ‘webapp’"}},
		{reason: "createItem is @RequirePOST", q: rq{path: "/createItem?name=x"}, code: 405},
		{reason: "malformed config.xml: an IOException", q: rq{method: "POST", path: "/createItem?name=broken", ctype: xmlType, body: "<project><oops>"}, code: 500},
		{reason: "gojenkins CopyJob: mode=copy in the query, no body", q: rq{method: "POST", path: "/createItem?name=copy&mode=copy&from=webapp", ctype: form},
			code: 302, location: "/job/copy/configure"},
		{reason: "the copy has the label", q: rq{path: "/job/copy/api/json?tree=labelExpression"}, code: 200, body: `"labelExpression":"trusty&&amd64"`},
		{reason: "copy of nothing", q: rq{method: "POST", path: "/createItem?name=c2&mode=copy&from=nope"}, code: 400, header: map[string]string{"X-Error": "No such job: nope"}},
		{reason: "GET config.xml", q: rq{path: "/job/webapp/config.xml"}, code: 200, body: "<assignedNode>trusty &amp;&amp; amd64</assignedNode>",
			header: map[string]string{"Content-Type": "application/xml"}},
		{reason: "POST config.xml", q: rq{method: "POST", path: "/job/plain/config.xml", ctype: "text/xml; charset=utf-8",
			body: "<project><assignedNode>xenial</assignedNode><disabled>true</disabled></project>"}, code: 200},
		{reason: "the new config shows", q: rq{path: "/job/plain/api/json?tree=color,buildable,labelExpression,disabled"}, code: 200,
			body: `"buildable":false,"color":"disabled","disabled":true,"labelExpression":"xenial"`},
		{reason: "a disabled job is not buildable", q: rq{method: "POST", path: "/job/plain/build"}, code: 409, body: "plain is not buildable"},
		{reason: "enable", q: rq{method: "POST", path: "/job/plain/enable"}, code: 302, location: "/job/plain/"},
		{reason: "a GET of build is refused", q: rq{path: "/job/plain/build"}, code: 405, header: map[string]string{"Allow": "POST"}},
		{reason: "buildWithParameters of a plain job", q: rq{method: "POST", path: "/job/plain/buildWithParameters"}, code: 400, body: "plain is not parameterized"},
		{reason: "a parameterized job shows its form to a GET of build", q: rq{path: "/job/webapp/build"}, code: 200, body: "This build requires parameters"},
		{reason: "a GET of buildWithParameters is refused", q: rq{path: "/job/webapp/buildWithParameters?DISTRO=x"}, code: 405},
		{reason: "take the agent away so builds wait", q: rq{method: "POST", path: "/computer/agent-1/toggleOffline"}, code: 302},
		{reason: "build of a parameterized job without the json form", q: rq{method: "POST", path: "/job/webapp/build"}, code: 400, body: "Nothing is submitted"},
		{reason: "build with the json form", q: rq{method: "POST", path: "/job/webapp/build", ctype: form, body: paramJSON("bionic")}, code: 201, location: "/queue/item/2/"},
		{reason: "the same again: Queue.schedule is null, back to the job", q: rq{method: "POST", path: "/job/webapp/build", ctype: form, body: paramJSON("bionic")},
			code: 302, location: "/job/webapp/"},
		{reason: "an unknown parameter", q: rq{method: "POST", path: "/job/webapp/build", ctype: form,
			body: url.Values{"json": {`{"parameter":{"name":"NOPE","value":"x"}}`}}.Encode()}, code: 500},
		{reason: "buildWithParameters in the query (python-jenkins)", q: rq{method: "POST", path: "/job/webapp/buildWithParameters?DISTRO=focal"}, code: 201, location: "/queue/item/3/"},
		{reason: "the same waiting item: 303 to it", q: rq{method: "POST", path: "/job/webapp/buildWithParameters?DISTRO=focal"}, code: 303, location: "/queue/item/3/"},
		{reason: "the default fills a missing parameter", q: rq{path: "/queue/item/2/api/json?tree=params"}, code: 200, body: `"params":"\nDISTRO=bionic"`},
		{reason: "lastBuild", q: rq{path: "/job/webapp/lastBuild/api/json?tree=number,building"}, code: 200, body: `"building":true,"number":1`},
		{reason: "consoleText", q: rq{path: "/job/webapp/1/consoleText"}, code: 200, body: "Started by user admin",
			header: map[string]string{"Content-Type": "text/plain;charset=utf-8"}},
		{reason: "doDelete goes back to the parent", q: rq{method: "POST", path: "/job/copy/doDelete"}, code: 302, location: "/"},
		{reason: "a deleted job is gone", q: rq{path: "/job/copy/"}, code: 404},
	})
	if got := send(t, base, rq{path: "/queue/api/json?tree=items[id]"}); !strings.Contains(got.body, `"id":2`) || !strings.Contains(got.body, `"id":3`) {
		t.Errorf("the queue: %s", got.body)
	}
}

// TestQueueCancel: Queue.doCancelItem since JENKINS-21311 (204, 404 for an
// unknown id, 500 for an item that already left), @RequirePOST, and the
// deprecated Queue.Item.doCancelQueue.
func TestQueueCancel(t *testing.T) {
	_, base := world(t, Options{})
	run(t, base, []step{
		{reason: "agent away, so builds wait", q: rq{method: "POST", path: "/computer/agent-1/toggleOffline"}, code: 302},
		{reason: "queue a build", q: rq{method: "POST", path: "/job/webapp/buildWithParameters?DISTRO=a"}, code: 201, location: "/queue/item/2/"},
		{reason: "queue another", q: rq{method: "POST", path: "/job/webapp/buildWithParameters?DISTRO=b"}, code: 201, location: "/queue/item/3/"},
		{reason: "cancelItem is @RequirePOST", q: rq{path: "/queue/cancelItem?id=2"}, code: 405},
		{reason: "python-jenkins CANCEL_QUEUE", q: rq{method: "POST", path: "/queue/cancelItem?id=2", header: map[string]string{"Referer": base + "/"}}, code: 204},
		{reason: "the item left, cancelled", q: rq{path: "/queue/item/2/api/json"}, code: 200, body: `"cancelled":true`},
		{reason: "cancelling a left item", q: rq{method: "POST", path: "/queue/cancelItem?id=2"}, code: 500},
		{reason: "an unknown id", q: rq{method: "POST", path: "/queue/cancelItem?id=99"}, code: 404},
		{reason: "no id at all is id 0", q: rq{method: "POST", path: "/queue/cancelItem"}, code: 404},
		{reason: "the deprecated per-item cancel", q: rq{method: "POST", path: "/queue/item/3/cancelQueue"}, code: 204},
		{reason: "the per-item cancel is @RequirePOST", q: rq{path: "/queue/item/3/cancelQueue"}, code: 405},
		{reason: "the queue is empty", q: rq{path: "/queue/api/json"}, code: 200, body: `"items":[]`},
	})
}
