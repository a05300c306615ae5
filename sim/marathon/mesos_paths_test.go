package marathon

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mesos/mesos-go/api/v1/lib/master"
	"github.com/mesos/mesos-go/api/v1/lib/master/calls"
)

func newMesos(t *testing.T) *httptest.Server {
	t.Helper()
	c := New(Options{})
	ms := httptest.NewServer(c.Mesos())
	t.Cleanup(func() { c.Close(); ms.Close() })
	return ms
}

var mesosJSON = map[string]string{"Content-Type": "application/json"}

// TestMesosRouting: libprocess routes by the first segment (a process, or
// the master as delegate), then the longest endpoint prefix of the rest,
// its slashes trimmed (process.cpp, ProcessManager::handle and
// ProcessBase::consume at 1.10.0); anything else is "404 Not Found.".
func TestMesosRouting(t *testing.T) {
	ms := newMesos(t)
	health := `{"type":"GET_HEALTH"}`
	cases := []struct {
		method, path, body string
		code               int
		want               string // in the body
	}{
		{"POST", "/api/v1", health, 200, `"get_health":{"healthy":true}`},
		{"POST", "/api/v1/", health, 200, `"healthy":true`},
		{"POST", "/api/v1//", health, 200, `"healthy":true`},
		{"POST", "/master/api/v1", health, 200, `"healthy":true`},
		{"POST", "/master/api/v1/", health, 200, `"healthy":true`},
		{"POST", "//api/v1", health, 200, `"healthy":true`},
		{"POST", "/master//api/v1", health, 200, `"healthy":true`},
		{"POST", "/api/v1/anything", health, 200, `"healthy":true`}, // longest prefix: api/v1
		{"POST", "/api//v1", health, 404, "404 Not Found."},
		{"POST", "//master/api/v1", health, 404, "404 Not Found."}, // "/master" is not its prefix
		{"POST", "/master/../api/v1", health, 404, "404 Not Found."},
		{"GET", "/master/state.json", "", 404, "404 Not Found."}, // .json endpoints went in 1.0 (MESOS-4509)
		{"GET", "/nowhere", "", 404, "404 Not Found."},
		{"GET", "/master/health", "", 200, ""},
		{"GET", "/health/", "", 200, ""},
		{"GET", "/version", "", 200, `"version":"1.10.0"`},
		{"GET", "/version/", "", 200, `"build_user":"root"`},
		{"GET", "/version/extra", "", 404, "404 Not Found."},
		{"GET", "/version?jsonp=cb", "", 200, `cb({"build_date"`},
	}
	for _, tc := range cases {
		r := send(t, ms.URL, tc.method, tc.path, mesosJSON, tc.body)
		if r.code != tc.code || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s %s: %d %q, want %d with %q", tc.method, tc.path, r.code, r.body, tc.code, tc.want)
		}
		if tc.code == 404 && (string(r.body) != "404 Not Found." || r.hdr.Get("Content-Type") != "text/plain; charset=utf-8") {
			t.Errorf("%s %s: 404 %q %q, want libprocess's NotFound()", tc.method, tc.path, r.hdr.Get("Content-Type"), r.body)
		}
	}
	if ct := send(t, ms.URL, "GET", "/version?jsonp=cb", nil, "").hdr.Get("Content-Type"); ct != "text/javascript" {
		t.Errorf("jsonp Content-Type %q", ct)
	}
	// /master/redirect: 307 to the leader (this master), protocol-relative.
	host := strings.TrimPrefix(ms.URL, "http://")
	for _, tc := range []struct{ path, loc string }{
		{"/master/redirect", "//" + host},
		{"/redirect", "//" + host},
		{"/master/redirect/x", ""},
	} {
		r := send(t, ms.URL, "GET", tc.path, nil, "")
		if tc.loc == "" && r.code != 404 || tc.loc != "" && (r.code != 307 || r.hdr.Get("Location") != tc.loc) {
			t.Errorf("GET %s: %d Location %q, want %q", tc.path, r.code, r.hdr.Get("Location"), tc.loc)
		}
	}
}

// TestOperatorAPIRequests: Master::Http::api's checks in order, each
// error as libprocess's plain text (no trailing newline).
func TestOperatorAPIRequests(t *testing.T) {
	ms := newMesos(t)
	cases := []struct {
		name, method string
		hdr          map[string]string
		body         string
		code         int
		want         string
	}{
		{"GET", "GET", mesosJSON, "", 405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'."},
		{"no Content-Type", "POST", nil, `{"type":"GET_HEALTH"}`, 400, "Expecting 'Content-Type' to be present"},
		{"a charset is not application/json", "POST", map[string]string{"Content-Type": "application/json; charset=utf-8"}, `{"type":"GET_HEALTH"}`, 415,
			"Expecting 'Content-Type' of application/json or application/x-protobuf"},
		{"not JSON", "POST", mesosJSON, `{`, 400, "Failed to parse body into JSON: "},
		{"not an object", "POST", mesosJSON, `[]`, 400, "Failed to convert JSON into Call protobuf: Expecting a JSON object"},
		{"a number for the type", "POST", mesosJSON, `{"type":9}`, 400, "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'type'"},
		{"an unknown type is dropped", "POST", mesosJSON, `{"type":"GET_EVERYTHING"}`, 400, "Failed to validate master::Call: Expecting 'type' to be present"},
		{"no type", "POST", mesosJSON, `{}`, 400, "Failed to validate master::Call: Expecting 'type' to be present"},
		{"a call without its message", "POST", mesosJSON, `{"type":"GET_METRICS"}`, 400, "Failed to validate master::Call: Expecting 'get_metrics' to be present"},
		{"an Accept of neither", "POST", map[string]string{"Content-Type": "application/json", "Accept": "text/html"}, `{"type":"GET_HEALTH"}`, 406,
			"Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"},
		{"q=0 refuses", "POST", map[string]string{"Content-Type": "application/json", "Accept": "application/json;q=0"}, `{"type":"GET_HEALTH"}`, 406, "Expecting 'Accept'"},
		{"UNKNOWN", "POST", mesosJSON, `{"type":"UNKNOWN"}`, 501, "501 Not Implemented."},
		{"application/*", "POST", map[string]string{"Content-Type": "application/json", "Accept": "application/*"}, `{"type":"GET_HEALTH"}`, 200, `{"type":"GET_HEALTH"`},
	}
	for _, tc := range cases {
		r := send(t, ms.URL, tc.method, "/api/v1", tc.hdr, tc.body)
		if r.code != tc.code || !strings.HasPrefix(string(r.body), tc.want) || strings.HasSuffix(string(r.body), "\n") {
			t.Errorf("%s: %d %q, want %d %q", tc.name, r.code, r.body, tc.code, tc.want)
		}
		if want := "text/plain; charset=utf-8"; tc.code != 200 && r.hdr.Get("Content-Type") != want {
			t.Errorf("%s: Content-Type %q, want %q", tc.name, r.hdr.Get("Content-Type"), want)
		}
	}
	if a := send(t, ms.URL, "GET", "/api/v1", nil, "").hdr.Get("Allow"); a != "POST" {
		t.Errorf("405 Allow %q", a)
	}
}

// TestOperatorAPIProtobuf: application/x-protobuf requests and answers
// (the Content-Type and Accept the master also serves), decoded by
// mesos-go's own protobuf types.
func TestOperatorAPIProtobuf(t *testing.T) {
	ms := newMesos(t)
	call, _ := calls.GetAgents().Marshal()
	cases := []struct {
		name, ctype, accept, body, wantType string
	}{
		{"protobuf in, protobuf out", mesosProtobuf, mesosProtobuf, string(call), mesosProtobuf},
		{"protobuf in, JSON out without an Accept", mesosProtobuf, "", string(call), jsonType},
		{"JSON in, protobuf out", jsonType, mesosProtobuf, `{"type":"GET_AGENTS"}`, mesosProtobuf},
	}
	for _, tc := range cases {
		hdr := map[string]string{"Content-Type": tc.ctype}
		if tc.accept != "" {
			hdr["Accept"] = tc.accept
		}
		r := send(t, ms.URL, "POST", "/api/v1", hdr, tc.body)
		if r.code != 200 || r.hdr.Get("Content-Type") != tc.wantType {
			t.Errorf("%s: %d %q %q", tc.name, r.code, r.hdr.Get("Content-Type"), r.body)
			continue
		}
		var resp master.Response
		var err error
		if tc.wantType == mesosProtobuf {
			err = resp.Unmarshal(r.body)
		} else {
			err = resp.UnmarshalJSON(r.body)
		}
		if err != nil || resp.GetType() != master.Response_GET_AGENTS || len(resp.GetGetAgents().Agents) != 3 {
			t.Errorf("%s: %v %v", tc.name, err, resp.GetType())
		}
	}
	if r := send(t, ms.URL, "POST", "/api/v1", map[string]string{"Content-Type": mesosProtobuf}, "\xff\xff"); r.code != http.StatusBadRequest ||
		string(r.body) != "Failed to parse body into Call protobuf" {
		t.Errorf("bad protobuf: %d %q", r.code, r.body)
	}
}
