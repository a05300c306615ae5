package openstack

import (
	"strings"
	"testing"
)

// TestComputeDiscovery: Nova's version documents at every URL its
// api-paste.ini serves them, without a token (nova/api/openstack/compute/
// versions.py, versionsV21.py, views/versions.py; unit tests
// test_versions.py: 200 at /, /v2/, /v2.1/; 300 choices at /servers and
// /images/1). Shapes: nova/versions.json, nova/version-v2.1.json,
// nova/version-v2.0.json.
func TestComputeDiscovery(t *testing.T) {
	e := setup(t, Options{})
	nova := e.base + "/compute"
	none := hdr{"X-Auth-Token": ""}
	cases := []struct {
		path   string
		h      hdr
		status int
		ref    string
		check  func(r reply) string
	}{
		{"/compute/", none, 200, "nova/versions.json", func(r reply) string {
			return want(str(r.body, "versions", "0", "links", "0", "href") == nova+"/v2/" &&
				str(r.body, "versions", "1", "links", "0", "href") == nova+"/v2.1/" && r.header.Get("OpenStack-API-Version") == "",
				"v2.0 at /v2/, v2.1 at /v2.1/, no microversion headers")
		}},
		{"/compute/v2.1", none, 200, "nova/version-v2.1.json", func(r reply) string {
			return want(str(r.body, "version", "links", "0", "href") == nova+"/v2.1/" &&
				str(r.body, "version", "links", "1", "rel") == "describedby" && str(r.body, "version", "version") == "2.104" &&
				r.header.Get("OpenStack-API-Version") == "compute 2.1", "self, describedby, max 2.104, version headers")
		}},
		{"/compute/v2.1/", none, 200, "nova/version-v2.1.json", nil},
		{"/compute/v2.1/", hdr{"X-Auth-Token": "", "X-OpenStack-Nova-API-Version": "2.50"}, 200, "nova/version-v2.1.json",
			func(r reply) string {
				return want(r.header.Get("X-OpenStack-Nova-API-Version") == "2.50", "the version asked for")
			}},
		{"/compute/v2", none, 200, "nova/version-v2.0.json", func(r reply) string {
			return want(str(r.body, "version", "id") == "v2.0" && str(r.body, "version", "status") == "DEPRECATED" &&
				str(r.body, "version", "links", "0", "href") == nova+"/v2/", "the deprecated v2.0 document")
		}},
		{"/compute/v2/", none, 200, "nova/version-v2.0.json", nil},
		{"/compute/servers", none, 300, "", func(r reply) string {
			return want(str(r.body, "choices", "0", "links", "0", "href") == nova+"/v2/compute/servers" &&
				str(r.body, "choices", "1", "id") == "v2.1" && str(r.body, "choices", "1", "links", "0", "href") == nova+"/v2.1/compute/servers",
				"choices linking each version to the path (url_join(prefix, version, req.path))")
		}},
		{"/compute/v2.1/" + e.cloud.ProjectID() + "/", nil, 200, "nova/version-v2.1.json", nil},
		{"/compute/v2.1/" + e.cloud.ProjectID() + "/", none, 401, "", nil},
		{"/compute/v2.1/versions/v2.0", nil, 200, "nova/version-v2.0.json", nil},
		{"/compute/v2.1/versions/v3", nil, 404, "", func(r reply) string {
			return want(str(r.body, "itemNotFound", "message") == "The resource could not be found.", "a 404 fault")
		}},
		{"/compute/v2.1", hdr{"X-Auth-Token": "", "OpenStack-API-Version": "compute 3.0"}, 406, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := e.send(t, "GET", tc.path, "", tc.h)
			if r.status != tc.status || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s, want %d: %s", r.status, r.header.Get("Content-Type"), tc.status, r.raw)
			}
			if tc.ref != "" {
				shape(t, tc.ref, r.body)
			}
			if tc.check != nil {
				if msg := tc.check(r); msg != "" {
					t.Errorf("want %s; got %s %v", msg, r.raw, r.header)
				}
			}
		})
	}
}

// TestComputeMicroversions: microversion_parse.get_version's reading of
// both headers and Nova's answers (nova/api/openstack/wsgi.py
// Request.set_api_version_request, Resource.__call__;
// api_version_request.py; exception.py messages).
func TestComputeMicroversions(t *testing.T) {
	e := setup(t, Options{})
	cases := []struct {
		name   string
		h      hdr
		status int
		served string // "" for no version headers
		msg    string // the fault message, when status is not 200
	}{
		{"none", nil, 200, "2.1", ""},
		{"legacy header", hdr{"X-OpenStack-Nova-API-Version": "2.5"}, 200, "2.5", ""},
		{"standard header", hdr{"OpenStack-API-Version": "compute 2.60"}, 200, "2.60", ""},
		{"standard wins over legacy", hdr{"OpenStack-API-Version": "compute 2.7", "X-OpenStack-Nova-API-Version": "2.9"}, 200, "2.7", ""},
		{"other services named", hdr{"OpenStack-API-Version": "volume 3.0, compute 2.8"}, 200, "2.8", ""},
		{"no compute in standard: legacy used", hdr{"OpenStack-API-Version": "volume 3.0", "X-OpenStack-Nova-API-Version": "2.11"},
			200, "2.11", ""},
		{"latest", hdr{"X-OpenStack-Nova-API-Version": "latest"}, 200, "2.104", ""},
		{"max", hdr{"OpenStack-API-Version": "compute 2.104"}, 200, "2.104", ""},
		{"Latest is not latest", hdr{"X-OpenStack-Nova-API-Version": "Latest"}, 400, "",
			"API Version String Latest is of invalid format. Must be of format MajorNum.MinorNum."},
		{"leading zero", hdr{"OpenStack-API-Version": "compute 2.01"}, 400, "",
			"API Version String 2.01 is of invalid format. Must be of format MajorNum.MinorNum."},
		{"above the max", hdr{"OpenStack-API-Version": "compute 2.105"}, 406, "",
			"Version 2.105 is not supported by the API. Minimum is 2.1 and maximum is 2.104."},
		{"v3", hdr{"X-OpenStack-Nova-API-Version": "3.0"}, 406, "",
			"Version 3.0 is not supported by the API. Minimum is 2.1 and maximum is 2.104."},
		{"below the min", hdr{"X-OpenStack-Nova-API-Version": "2.0"}, 406, "",
			"Version 2.0 is not supported by the API. Minimum is 2.1 and maximum is 2.104."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(t, "GET", "/compute/v2.1/flavors/detail", "", tc.h)
			switch {
			case tc.status == 200 && r.status != 200:
				t.Fatalf("%d %s", r.status, r.raw)
			case tc.status != 200:
				wantFault(t, tc.name, r, tc.status, faultName(tc.status), tc.msg)
			}
			if got := r.header.Get("X-OpenStack-Nova-API-Version"); got != tc.served ||
				(tc.served != "" && r.header.Get("OpenStack-API-Version") != "compute "+tc.served) {
				t.Errorf("served at %q (%q), want %q", got, r.header.Get("OpenStack-API-Version"), tc.served)
			}
		})
	}
	// The views follow the version: keypair type at 2.2, flavor description
	// at 2.55, network quotas gone from /limits at 2.36.
	views := []struct {
		path, version string
		path2         []string
		key           string
		present       bool
	}{
		{"/compute/v2.1/os-keypairs", "2.1", []string{"keypairs", "0", "keypair"}, "type", false},
		{"/compute/v2.1/os-keypairs", "2.2", []string{"keypairs", "0", "keypair"}, "type", true},
		{"/compute/v2.1/flavors/detail", "2.54", []string{"flavors", "0"}, "description", false},
		{"/compute/v2.1/flavors/detail", "2.55", []string{"flavors", "0"}, "description", true},
		{"/compute/v2.1/flavors/detail", "2.60", []string{"flavors", "0"}, "extra_specs", false},
		{"/compute/v2.1/flavors/detail", "2.61", []string{"flavors", "0"}, "extra_specs", true},
		{"/compute/v2.1/limits", "2.35", []string{"limits", "absolute"}, "maxSecurityGroups", true},
		{"/compute/v2.1/limits", "2.36", []string{"limits", "absolute"}, "maxSecurityGroups", false},
		{"/compute/v2.1/limits", "2.38", []string{"limits", "absolute"}, "maxImageMeta", true},
		{"/compute/v2.1/limits", "2.39", []string{"limits", "absolute"}, "maxImageMeta", false},
		{"/compute/v2.1/limits", "2.57", []string{"limits", "absolute"}, "maxPersonality", false},
	}
	for _, v := range views {
		r := e.send(t, "GET", v.path, "", hdr{"X-OpenStack-Nova-API-Version": v.version})
		if has(r.body, v.key, v.path2...) != v.present {
			t.Errorf("%s at %s: %q present %v, want %v", v.path, v.version, v.key, !v.present, v.present)
		}
	}
}

// TestComputeRouting: what Nova's router and Resource answer for paths,
// methods, bodies and content types (paste URLMap merges slashes; Routes
// matches exactly, so a trailing slash is WebOb's bare 404 in the type
// the Accept header prefers; project ids in the URL must be the token's;
// wsgi.py's 415 and "Malformed request body").
func TestComputeRouting(t *testing.T) {
	e := setup(t, Options{})
	p := e.cloud.ProjectID()
	server := `{"server":{"name":"a","flavorRef":"1","imageRef":"centos7"}}`
	cases := []struct {
		name, method, path, body string
		h                        hdr
		status                   int
		ctype                    string
		check                    func(r reply) string
	}{
		{"trailing slash", "GET", "/compute/v2.1/servers/", "", nil, 404, "text/plain; charset=UTF-8", func(r reply) string {
			return want(r.raw == "404 Not Found\n\nThe resource could not be found.\n\n   ", "WebOb's plain page")
		}},
		{"trailing slash, JSON wanted", "GET", "/compute/v2.1/flavors/detail/", "", hdr{"Accept": "application/json"}, 404,
			"application/json", func(r reply) string {
				return want(str(r.body, "code") == "404 Not Found" && str(r.body, "title") == "Not Found" &&
					strings.HasPrefix(str(r.body, "message"), "The resource could not be found."), "WebOb's JSON page")
			}},
		{"trailing slash, HTML wanted", "GET", "/compute/v2.1/limits/", "", hdr{"Accept": "text/html,*/*;q=0.8"}, 404,
			"text/html; charset=UTF-8", func(r reply) string { return want(strings.Contains(r.raw, "<h1>404 Not Found</h1>"), "HTML") }},
		{"no such route", "GET", "/compute/v2.1/os-nothing", "", nil, 404, "text/plain; charset=UTF-8", nil},
		{"no such method", "PATCH", "/compute/v2.1/servers", "", nil, 404, "text/plain; charset=UTF-8", nil},
		{"no token before no route", "GET", "/compute/v2.1/os-nothing", "", hdr{"X-Auth-Token": ""}, 401, "application/json", nil},
		{"repeated slashes merged", "GET", "/compute/v2.1//flavors//detail", "", nil, 200, "application/json", nil},
		{"the project in the URL", "GET", "/compute/v2.1/" + p + "/servers", "", nil, 200, "application/json", nil},
		{"another project", "GET", "/compute/v2.1/deadbeef/servers", "", nil, 400, "application/json", func(r reply) string {
			return want(str(r.body, "badRequest", "message") == "Malformed request URL: URL's project_id 'deadbeef' doesn't match "+
				"Context's project_id '"+p+"'", "Malformed request URL")
		}},
		{"a project alone", "GET", "/compute/v2.1/" + p, "", nil, 404, "text/plain; charset=UTF-8", nil},
		{"unsupported Content-Type", "POST", "/compute/v2.1/servers", "<server/>", hdr{"Content-Type": "application/xml"}, 415,
			"application/json", func(r reply) string {
				return want(str(r.body, "badMediaType", "message") == "Unsupported Content-Type" &&
					r.header.Get("X-OpenStack-Nova-API-Version") == "2.1", "badMediaType with the version headers")
			}},
		{"text/plain is no Content-Type", "POST", "/compute/v2.1/servers", server, hdr{"Content-Type": "text/plain"}, 202,
			"application/json", nil},
		{"malformed body", "POST", "/compute/v2.1/servers", `{"server":`, nil, 400, "application/json", func(r reply) string {
			return want(str(r.body, "badRequest", "message") == "Malformed request body", "Malformed request body")
		}},
		{"create: Location", "POST", "/compute/v2.1/servers", server, nil, 202, "application/json", func(r reply) string {
			return want(r.header.Get("Location") == e.base+"/compute/v2.1/servers/"+str(r.body, "server", "id"), "Location: the self link")
		}},
		{"vendor media type", "GET", "/compute/v2.1/flavors", "", hdr{"Accept": "application/vnd.openstack.compute+json"}, 200,
			"application/vnd.openstack.compute+json", nil},
		{"legacy v2: headers ignored and not reported", "GET", "/compute/v2/os-keypairs", "",
			hdr{"X-OpenStack-Nova-API-Version": "2.2"}, 200, "application/json", func(r reply) string {
				return want(!has(r.body, "type", "keypairs", "0", "keypair") && r.header.Get("OpenStack-API-Version") == "" &&
					r.header.Get("Vary") == "", "the 2.1 view, no version headers")
			}},
		{"legacy v2 with the project", "GET", "/compute/v2/" + p + "/servers", "", nil, 200, "application/json", func(r reply) string {
			return want(r.header.Get("X-OpenStack-Nova-API-Version") == "", "no version headers")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(t, tc.method, tc.path, tc.body, tc.h)
			if r.status != tc.status || r.header.Get("Content-Type") != tc.ctype {
				t.Fatalf("%d %q, want %d %q: %s", r.status, r.header.Get("Content-Type"), tc.status, tc.ctype, r.raw)
			}
			if tc.check != nil {
				if msg := tc.check(r); msg != "" {
					t.Errorf("want %s; got %s", msg, r.raw)
				}
			}
		})
	}
}
