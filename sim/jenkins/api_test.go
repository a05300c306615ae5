package jenkins

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestAPIFlavors: hudson.model.Api's flavors with Stapler's content types
// (export/Flavor.java), Api.setHeaders, and serveExposedBean's parameter
// errors.
func TestAPIFlavors(t *testing.T) {
	_, base := world(t, Options{})
	cases := []struct {
		reason, path string
		code         int
		ctype        string
		body         []string
		header       map[string]string
	}{
		{"JSON", "/computer/api/json", 200, "application/json;charset=utf-8", []string{`"_class":"hudson.model.ComputerSet"`},
			map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "deny", "X-Jenkins-Session": sessionHash}},
		{"JSON keeps && unescaped, as Stapler's writer", "/job/webapp/api/json", 200, "application/json", []string{`"labelExpression":"trusty&&amd64"`}, nil},
		{"Python: True, False, None", "/computer/agent-2/api/python", 200, "text/x-python;charset=UTF-8",
			[]string{`"offline":True`, `"temporarilyOffline":False`, `"offlineCause":{`}, nil},
		{"XML: root named after the class, _class an attribute, arrays as singular elements, nulls left out", "/computer/api/xml", 200, "application/xml;charset=UTF-8",
			[]string{"<computerSet _class='hudson.model.ComputerSet'>", "<computer _class='hudson.model.Hudson$MasterComputer'>", "<executor>", "<assignedLabel><name>amd64</name></assignedLabel>"}, nil},
		{"XML of a queue item", "/queue/item/1/api/xml", 200, "application/xml", []string{"<leftItem _class='hudson.model.Queue$LeftItem'>", "<cancelled>false</cancelled>"}, nil},
		{"XML leaves null out", "/job/plain/api/xml", 200, "application/xml", []string{"<freeStyleProject _class='hudson.model.FreeStyleProject'>"}, nil},
		{"tree and depth together: tree wins", "/computer/api/json?tree=busyExecutors&depth=x", 200, "application/json", []string{`{"_class":"hudson.model.ComputerSet","busyExecutors":1}`}, nil},
		{"a bad depth is a ServletException", "/computer/api/json?depth=x", 500, "text/html", []string{"A problem occurred while processing the request"}, nil},
		{"a malformed tree is a ServletException", "/computer/api/json?tree=computer[", 500, "text/html", []string{"Logging ID="}, nil},
		{"jsonp needs a SecureRequester", "/api/json?jsonp=f", 403, "text/html;charset=iso-8859-1", []string{"jsonp forbidden; implement jenkins.security.SecureRequester"}, nil},
		{"no such flavor", "/api/yaml", 404, "text/html", []string{"Oops!"}, nil},
	}
	for _, tc := range cases {
		got := send(t, base, rq{path: tc.path})
		if got.code != tc.code || !strings.HasPrefix(got.h.Get("Content-Type"), tc.ctype) {
			t.Errorf("%s: GET %s = %d %q, want %d %q (%.200s)", tc.reason, tc.path, got.code, got.h.Get("Content-Type"), tc.code, tc.ctype, got.body)
			continue
		}
		for _, want := range tc.body {
			if !strings.Contains(got.body, want) {
				t.Errorf("%s: GET %s: body %.400q lacks %q", tc.reason, tc.path, got.body, want)
			}
		}
		for k, v := range tc.header {
			if got.h.Get(k) != v {
				t.Errorf("%s: GET %s: %s = %q, want %q", tc.reason, tc.path, k, got.h.Get(k), v)
			}
		}
	}
	if got := send(t, base, rq{path: "/job/plain/api/xml"}); strings.Contains(got.body, "<lastBuild") || strings.Contains(got.body, "<labelExpression") {
		t.Errorf("null properties in XML: %s", got.body)
	}
}

// TestTreeParameter: NamedPathPruner on the simulator's JSON, as
// python-jenkins' JOB_NAME, get_all_jobs and gojenkins' GetAllBuildIds ask.
func TestTreeParameter(t *testing.T) {
	_, base := world(t, Options{})
	cases := []struct{ path, want string }{
		{"/api/json?tree=jobs[name]", `{"_class":"hudson.model.Hudson","jobs":[{"_class":"hudson.model.FreeStyleProject","name":"plain"},{"_class":"hudson.model.FreeStyleProject","name":"webapp"}]}`},
		{"/api/json?tree=jobs", `{"_class":"hudson.model.Hudson","jobs":[{"_class":"hudson.model.FreeStyleProject"},{"_class":"hudson.model.FreeStyleProject"}]}`},
		{"/api/json?tree=jobs[name]{1,}", `{"_class":"hudson.model.Hudson","jobs":[{"_class":"hudson.model.FreeStyleProject","name":"webapp"}]}`},
		{"/api/json?tree=jobs[name]{0}", `{"_class":"hudson.model.Hudson","jobs":[{"_class":"hudson.model.FreeStyleProject","name":"plain"}]}`},
		{"/api/json?tree=jobs[url,color,name,jobs[url,color,name]],nothing", `{"_class":"hudson.model.Hudson","jobs":[{"_class":"hudson.model.FreeStyleProject","color":"notbuilt","name":"plain","url":"` + base + `/job/plain/"},{"_class":"hudson.model.FreeStyleProject","color":"notbuilt_anime","name":"webapp","url":"` + base + `/job/webapp/"}]}`},
		{"/job/webapp/api/json?tree=builds[number,url]", `{"_class":"hudson.model.FreeStyleProject","builds":[{"_class":"hudson.model.FreeStyleBuild","number":1,"url":"` + base + `/job/webapp/1/"}]}`},
		{"/computer/api/json?tree=computer[displayName,offline]{,1}", `{"_class":"hudson.model.ComputerSet","computer":[{"_class":"hudson.model.Hudson$MasterComputer","displayName":"Built-In Node","offline":false}]}`},
	}
	for _, tc := range cases {
		got := send(t, base, rq{path: tc.path})
		var a, b any
		_ = json.Unmarshal([]byte(got.body), &a)
		_ = json.Unmarshal([]byte(tc.want), &b)
		if got.code != 200 || !reflect.DeepEqual(a, b) {
			t.Errorf("GET %s = %d %s\nwant %s", tc.path, got.code, got.body, tc.want)
		}
	}
}

func TestParseTree(t *testing.T) {
	for _, spec := range []string{"a", "a,b[c,d],e", "a[b[c]]{1,2}", "a{3}", "a{,4}", "a{2,}"} {
		if _, err := parseTree(spec); err != nil {
			t.Errorf("parseTree(%q): %v", spec, err)
		}
	}
	for _, spec := range []string{"", "a[", "a]", ",a", "a{x}", "a{1", "a[b]]", "a{1,2,3}"} {
		if _, err := parseTree(spec); err == nil {
			t.Errorf("parseTree(%q) accepted a malformed tree", spec)
		}
	}
	tr, _ := parseTree("a{1,3}")
	if tr.children["a"].min != 1 || tr.children["a"].max != 3 {
		t.Errorf("a{1,3}: range [%d,%d)", tr.children["a"].min, tr.children["a"].max)
	}
}
