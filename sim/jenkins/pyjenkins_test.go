package jenkins

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// pyClient sends requests the way python-jenkins 1.x does
// (jenkins/__init__.py): URLs are urljoin(server + "/", template), a
// requests.Session keeps cookies and follows redirects, the crumb from
// CRUMB_URL goes on every POST, and _response_handler raises for a status
// >= 400 or an empty answer with neither Content-Length, Transfer-Encoding
// nor Location.
type pyClient struct {
	t      *testing.T
	server string
	http   *http.Client
	crumb  map[string]string
}

func newPyClient(t *testing.T, base string) *pyClient {
	jar, _ := cookiejar.New(nil)
	return &pyClient{t: t, server: base + "/", http: &http.Client{Jar: jar}}
}

// open is jenkins_open: the body, or the error python-jenkins raises
// ("404" for NotFoundException, "empty" for EmptyResponseException).
func (p *pyClient) open(method, path, body, ctype string, header map[string]string) (string, http.Header, string) {
	p.t.Helper()
	if method == http.MethodPost && p.crumb == nil { // maybe_add_crumb
		b, _, err := p.open(http.MethodGet, "crumbIssuer/api/json", "", "", nil)
		if err != "" {
			p.t.Fatalf("CRUMB_URL: %s", err)
		}
		_ = json.Unmarshal([]byte(b), &p.crumb)
	}
	req, _ := http.NewRequest(method, p.server+path, strings.NewReader(body))
	req.SetBasicAuth("admin", "token")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if method == http.MethodPost {
		req.Header.Set(p.crumb["crumbRequestField"], p.crumb["crumb"])
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", resp.Header, "404"
	case resp.StatusCode >= 400:
		return "", resp.Header, resp.Status
	case resp.Header.Get("Content-Length") == "" && len(resp.TransferEncoding) == 0 && resp.Header.Get("Location") == "" && len(b) == 0:
		return "", resp.Header, "empty"
	}
	return string(b), resp.Header, ""
}

// TestPythonJenkinsCalls: the calls ceph's mita makes (get_nodes,
// get_node_info, node_exists, create_node, delete_node, get_queue_info,
// get_job_info, get_node_config, the job config.xml) and the rest of
// python-jenkins' node, queue and job calls, URL templates as in
// jenkins/__init__.py, against the simulator.
func TestPythonJenkinsCalls(t *testing.T) {
	_, base := world(t, Options{})
	py := newPyClient(t, base)
	q := url.QueryEscape
	jobsTree := "jobs"
	for range 10 { // get_all_jobs' JOBS_QUERY_TREE, folder_depth_per_request=10
		jobsTree = "jobs[url,color,name," + jobsTree + "]"
	}
	var nodeXML string
	steps := []struct {
		call, method, path string
		body               func() string // and its Content-Type
		ctype              string
		header             map[string]string
		err                string // what python-jenkins raises, "" for nothing
		want               string // substring of the body
		then               func() // more checks
	}{
		{call: "get_info", method: "GET", path: "api/json", want: `"_class":"hudson.model.Hudson"`},
		{call: "get_whoami", method: "GET", path: "me/api/json?depth=0", want: `"fullName":"admin"`},
		{call: "get_all_jobs", method: "GET", path: "api/json?tree=" + jobsTree, want: `"name":"webapp"`},
		{call: "get_job_name", method: "GET", path: "job/webapp/api/json?tree=name", want: `{"_class":"hudson.model.FreeStyleProject","name":"webapp"}`},
		{call: "get_job_info", method: "GET", path: "job/webapp/api/json?depth=0", want: `"nextBuildNumber":2`},
		{call: "mita match_node_from_job_config", method: "GET", path: "job/webapp/config.xml", want: "<assignedNode>"},
		{call: "get_nodes", method: "GET", path: "computer/api/json?depth=0", want: `"displayName":"agent-2"`},
		{call: "node_exists of a missing node", method: "GET", path: "computer/py-1/api/json?depth=0", err: "404"},
		{call: "create_node", method: "POST", path: "computer/doCreateItem", body: func() string { return pyNodeForm("py-1", 2) }, ctype: form, want: "Nodes"},
		{call: "assert_node_exists", method: "GET", path: "computer/py-1/api/json?depth=0", want: `"displayName":"py-1"`},
		{call: "get_node_config (mita get_node_labels)", method: "GET", path: "computer/py-1/config.xml", want: "<label></label>",
			then: func() { nodeXML, _, _ = py.open("GET", "computer/py-1/config.xml", "", "", nil) }},
		{call: "reconfig_node", method: "POST", path: "computer/py-1/config.xml", ctype: "text/xml; charset=utf-8",
			body: func() string { return strings.Replace(nodeXML, "<label></label>", "<label>centos7 huge</label>", 1) }},
		{call: "get_node_info after reconfig_node", method: "GET", path: "computer/py-1/api/json?depth=0", want: `{"name":"huge"}`},
		{call: "disable_node", method: "POST", path: "computer/py-1/toggleOffline?offlineMessage=" + q("going down"), want: "py-1"},
		{call: "get_node_info", method: "GET", path: "computer/py-1/api/json?depth=0", want: `"offlineCauseReason":"going down"`},
		{call: "enable_node", method: "POST", path: "computer/py-1/toggleOffline?offlineMessage=", want: "py-1"},
		{call: "delete_node", method: "POST", path: "computer/py-1/doDelete", want: "Nodes"},
		{call: "node_exists after delete_node", method: "GET", path: "computer/py-1/api/json?depth=0", err: "404"},
		{call: "get_running_builds' get_node_info of the built-in node", method: "GET", path: "computer/(master)/api/json?depth=2", want: `"Built-In Node"`},
		{call: "disable_node agent-1 (so builds wait)", method: "POST", path: "computer/agent-1/toggleOffline?offlineMessage=x", want: "agent-1"},
		{call: "build_job", method: "POST", path: "job/webapp/buildWithParameters?DISTRO=jammy"},
		{call: "get_queue_info", method: "GET", path: "queue/api/json?depth=0", want: `"why":"All nodes of label ‘trusty&&amd64’ are offline"`},
		{call: "get_queue_item", method: "GET", path: "queue/item/2/api/json?depth=0", want: `"_class":"hudson.model.Queue$BuildableItem"`},
		// Jetty sends no Content-Length with a 204 (RFC 9110), so
		// python-jenkins' _response_handler raises EmptyResponseException,
		// which cancel_queue does not catch: real Jenkins does the same.
		{call: "cancel_queue", method: "POST", path: "queue/cancelItem?id=2", header: map[string]string{"Referer": base + "/"}, err: "empty"},
		{call: "cancel_queue of an unknown id (NotFoundException is ignored)", method: "POST", path: "queue/cancelItem?id=2000", err: "404"},
		{call: "disable_job", method: "POST", path: "job/plain/disable", want: "plain"},
		{call: "enable_job", method: "POST", path: "job/plain/enable", want: "plain"},
		{call: "build_job without parameters", method: "POST", path: "job/plain/build"},
		{call: "get_build_info", method: "GET", path: "job/webapp/1/api/json?depth=0", want: `"building":true`},
		{call: "get_build_console_output", method: "GET", path: "job/webapp/1/consoleText", want: "Started by user admin"},
		{call: "delete_job", method: "POST", path: "job/plain/doDelete", want: "Dashboard"},
		{call: "job_exists after delete_job", method: "GET", path: "job/plain/api/json?tree=name", err: "404"},
	}
	for _, st := range steps {
		body := ""
		if st.body != nil {
			body = st.body()
		}
		got, h, err := py.open(st.method, st.path, body, st.ctype, st.header)
		if err != st.err || !strings.Contains(got, st.want) {
			t.Errorf("%s: %s %s raised %q (want %q), body %.200q lacks %q", st.call, st.method, st.path, err, st.err, got, st.want)
		}
		if st.call == "build_job" && !strings.HasSuffix(h.Get("Location"), "/queue/item/2/") {
			t.Errorf("build_job: Location %q", h.Get("Location"))
		}
		if st.then != nil {
			st.then()
		}
	}
	// get_version: GET the server root and read X-Jenkins.
	if _, h, err := py.open("GET", "", "", "", map[string]string{"X-Jenkins": "0.0"}); err != "" || h.Get("X-Jenkins") != Version {
		t.Errorf("get_version: %q %q", err, h.Get("X-Jenkins"))
	}
}
