package jenkins

import (
	"strings"
	"testing"
)

// TestStaplerURLBinding: how Stapler binds URLs (jenkinsci/stapler
// Stapler.canonicalPath, TokenList, DirectoryishDispatcher,
// NameBasedDispatcher, MetaClass getters) and Jenkins' objects
// (Jenkins.getComputer's "(master)", Job.getDynamic, Queue.getItem(long))
// answer every spelling clients send. gojenkins' paths (the doubled
// crumb suffix, "//" before a build number, the slash GetXML adds) are
// those recorded in the shared reference gojenkins-v1.1.0-http-exchanges.json
// (prose, so not copied into testdata).
func TestStaplerURLBinding(t *testing.T) {
	_, base := world(t, Options{})
	cases := []struct {
		reason   string
		path     string
		code     int
		location string // exact, after the base
		ctype    string // prefix
		body     string // substring
	}{
		{"the API of a node", "/computer/agent-1/api/json", 200, "", "application/json;charset=utf-8", `"displayName":"agent-1"`},
		{"a web method runs with a trailing slash", "/computer/agent-1/api/json/", 200, "", "application/json", `"displayName":"agent-1"`},
		{"empty segments are dropped (Jetty LEGACY, canonicalPath)", "//computer//agent-1/api/json", 200, "", "application/json", `"displayName":"agent-1"`},
		{"dot segments are resolved", "/computer/./x/../agent-1/api/json", 200, "", "application/json", `"displayName":"agent-1"`},
		{"an object without its slash is redirected", "/computer/agent-1", 302, "/computer/agent-1/", "", ""},
		{"the redirect keeps the query and drops empty segments", "//computer/agent-1?depth=1", 302, "/computer/agent-1/?depth=1", "", ""},
		{"the node's index page", "/computer/agent-1/", 200, "", "text/html;charset=utf-8", "agent-1"},
		{"the computer set without its slash", "/computer", 302, "/computer/", "", ""},
		{"(master) still names the built-in node", "/computer/(master)/api/json", 200, "", "application/json", `"displayName":"Built-In Node"`},
		{"(built-in) names it", "/computer/(built-in)/api/json", 200, "", "application/json", `"_class":"hudson.model.Hudson$MasterComputer"`},
		{"the display name is not the URL name", "/computer/Built-In%20Node/api/json", 404, "", "text/html;charset=utf-8", "Oops!"},
		{"a missing node", "/computer/nope/api/json", 404, "", "text/html;charset=utf-8", "Not Found"},
		{"a job without its slash", "/job/webapp", 302, "/job/webapp/", "", ""},
		{"a job's tree", "/job/webapp/api/json?tree=name", 200, "", "application/json", `{"_class":"hudson.model.FreeStyleProject","name":"webapp"}`},
		{"a freestyle job has no child jobs", "/job/webapp/job/webapp/", 404, "", "text/html", "Oops!"},
		{"a build by number, gojenkins' doubled slash", "/job/webapp//1/api/json?depth=1", 200, "", "application/json", `"number":1`},
		{"lastBuild takes the running build", "/job/webapp/lastBuild/api/json", 200, "", "application/json", `"building":true`},
		{"lastSuccessfulBuild takes only finished ones", "/job/webapp/lastSuccessfulBuild/api/json", 404, "", "text/html", ""},
		{"a missing build", "/job/webapp/7/api/json", 404, "", "text/html", ""},
		{"a missing job", "/job/nope/api/json", 404, "", "text/html", ""},
		{"/job alone names nothing", "/job/", 404, "", "text/html", ""},
		{"the root's API", "/api/json", 200, "", "application/json", `"_class":"hudson.model.Hudson"`},
		{"the Api object without its slash", "/api", 302, "/api/", "", ""},
		{"the Api index page", "/api/", 200, "", "text/html", "REST API"},
		{"a queue item id that is no number (nextAsLong)", "/queue/item/abc/api/json", 500, "", "text/html", "A problem occurred"},
		{"a decoded '..' token (TokenList)", "/queue/item/%2e%2e/api/json", 500, "", "text/html", "A problem occurred"},
		{"the queue without its slash", "/queue", 302, "/queue/", "", ""},
		{"the queue has no index view", "/queue/", 404, "", "text/html", ""},
		{"the queue's API", "/queue/api/json", 200, "", "application/json", `"_class":"hudson.model.Queue"`},
		{"the agent file", "/computer/agent-1/jenkins-agent.jnlp", 200, "", "application/x-java-jnlp-file", "<argument>agent-1</argument>"},
		{"the agent file's old name", "/computer/agent-1/slave-agent.jnlp", 200, "", "application/x-java-jnlp-file", "<argument>-workDir</argument>"},
		{"the built-in node has no agent file", "/computer/(built-in)/jenkins-agent.jnlp", 404, "", "text/html", ""},
		{"gojenkins' crumb path runs doJson", "/crumbIssuer/api/json/api/json", 200, "", "application/json", `"crumbRequestField":"Jenkins-Crumb"`},
		{"whoAmI", "/whoAmI/api/json", 200, "", "application/json", `"name":"admin"`},
		{"/me is the user", "/me/api/json?depth=0", 200, "", "application/json", `"id":"admin"`},
		{"user ids are case-insensitive", "/user/ADMIN/api/json", 200, "", "application/json", `"_class":"hudson.model.User"`},
		{"an unknown user", "/user/someone/api/json", 404, "", "text/html", ""},
	}
	for _, tc := range cases {
		got := send(t, base, rq{path: tc.path})
		switch {
		case got.code != tc.code:
			t.Errorf("%s: GET %s = %d, want %d (%.200s)", tc.reason, tc.path, got.code, tc.code, got.body)
		case tc.location != "" && got.h.Get("Location") != base+tc.location:
			t.Errorf("%s: GET %s: Location %q, want %q", tc.reason, tc.path, got.h.Get("Location"), base+tc.location)
		case !strings.HasPrefix(got.h.Get("Content-Type"), tc.ctype):
			t.Errorf("%s: GET %s: Content-Type %q, want %q", tc.reason, tc.path, got.h.Get("Content-Type"), tc.ctype)
		case !strings.Contains(got.body, tc.body):
			t.Errorf("%s: GET %s: body %.300q lacks %q", tc.reason, tc.path, got.body, tc.body)
		case got.h.Get("X-Jenkins") != Version:
			t.Errorf("%s: GET %s: X-Jenkins %q", tc.reason, tc.path, got.h.Get("X-Jenkins"))
		}
	}
}

// TestTokenize: Stapler.canonicalPath and TokenList on raw paths.
func TestTokenize(t *testing.T) {
	cases := []struct {
		raw, canon string
		toks       []string
		slash, bad bool
	}{
		{raw: "/", canon: "/", toks: nil, slash: true},
		{raw: "//computer//x/", canon: "/computer/x/", toks: []string{"computer", "x"}, slash: true},
		{raw: "/job/a%20b/api", canon: "/job/a%20b/api", toks: []string{"job", "a b", "api"}},
		{raw: "/job/a%2Fb", canon: "/job/a%2Fb", toks: []string{"job", "a/b"}},
		{raw: "/a/../../b", canon: "/b", toks: []string{"b"}},
		{raw: `/computer\x`, canon: `/computer\x`, toks: []string{"computer", "x"}},
		{raw: "/a/%2e%2e/b", canon: "/a/%2e%2e/b", bad: true},
	}
	for _, tc := range cases {
		toks, canon, slash, err := tokenize(tc.raw)
		if (err != nil) != tc.bad || canon != tc.canon || slash != tc.slash || (!tc.bad && strings.Join(toks, "|") != strings.Join(tc.toks, "|")) {
			t.Errorf("tokenize(%q) = %q %q slash=%v err=%v, want %q %q slash=%v bad=%v", tc.raw, toks, canon, slash, err, tc.toks, tc.canon, tc.slash, tc.bad)
		}
	}
}
