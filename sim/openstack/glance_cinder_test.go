package openstack

import (
	"strings"
	"testing"
)

// TestImageRouting: Glance's version negotiation runs before the token is
// checked (etc/glance-api-paste.ini; middleware/version_negotiation.py:
// /versions is 200, an unknown version 300, v2 and v2.x in the URL
// accepted, as glance/tests/unit/test_versions.py asserts); the v2 router
// matches exactly and refuses other methods with 405 and Allow
// (glance/api/v2/router.py); errors are WebOb's pages. Shapes:
// glance/versions.json, glance/images-get-response.json.
func TestImageRouting(t *testing.T) {
	e := setup(t, Options{})
	id := "70a599e0-31e7-49b7-b260-868f441e862b"
	none := hdr{"X-Auth-Token": ""}
	js := hdr{"Accept": "application/json"}
	cases := []routeCase{
		{"root, no token", "GET", "/image/", none, 300, "glance/versions.json", func(r reply) string {
			return want(str(r.body, "versions", "0", "id") == "v2.18" && str(r.body, "versions", "0", "status") == "CURRENT" &&
				str(r.body, "versions", "0", "links", "0", "href") == e.base+"/image/v2/", "v2.18 CURRENT first, linking /v2/")
		}},
		{"/versions", "GET", "/image/versions", none, 200, "glance/versions.json", nil},
		{"an unknown version", "GET", "/image/v3/images", none, 300, "glance/versions.json", nil},
		{"no version at all", "GET", "/image/images", none, 300, "glance/versions.json", nil},
		{"v2 without a token", "GET", "/image/v2/images", none, 401, "", nil},
		{"v2.9 in the URL", "GET", "/image/v2.9/images", nil, 200, "", func(r reply) string {
			return want(len(get(r.body, "images").([]any)) == 2, "both images")
		}},
		{"v2.19 is unknown", "GET", "/image/v2.19/images", nil, 300, "", nil},
		{"show", "GET", "/image/v2/images/" + id, nil, 200, "glance/images-get-response.json", nil},
		{"trailing slash", "GET", "/image/v2/images/", js, 404, "", func(r reply) string {
			return want(str(r.body, "code") == "404 Not Found", "WebOb's JSON 404")
		}},
		{"v2 root", "GET", "/image/v2/", js, 404, "", nil},
		{"unknown image", "GET", "/image/v2/images/nope", js, 404, "", func(r reply) string {
			return want(strings.HasPrefix(str(r.body, "message"), "No image found with ID nope"), "the repository's message")
		}},
		{"PUT images", "PUT", "/image/v2/images", js, 405, "", func(r reply) string {
			return want(r.header.Get("Allow") == "GET, POST" &&
				strings.HasPrefix(str(r.body, "message"), "The method PUT is not allowed for this resource."), "405 with Allow")
		}},
		{"POST image", "POST", "/image/v2/images/" + id, js, 405, "", func(r reply) string {
			return want(r.header.Get("Allow") == "GET, PATCH, DELETE", "405 with Allow")
		}},
		{"an unknown method", "PROPFIND", "/image/v2/nothing", js, 501, "", nil},
		{"repeated slashes", "GET", "/image//v2//images", nil, 200, "", nil},
	}
	runRouteCases(t, e, cases)
}

// TestVolumeRouting: Cinder's root is its 300 version list without a
// token; /v3/ is the v3 router's own version list (200); volumes are
// served with or without the project (cinder/api/v3/router.py
// ProjectMapper), exactly; the Resource reads OpenStack-API-Version
// "volume X.Y" (cinder/api/openstack/wsgi.py). Shapes:
// cinder/versions.json, cinder/version-v3.json.
func TestVolumeRouting(t *testing.T) {
	e := setup(t, Options{})
	p := e.cloud.ProjectID()
	vid := str(e.send(t, "POST", "/volume/v3/"+p+"/volumes", `{"volume":{"size":1,"name":"v"}}`, nil).body, "volume", "id")
	cases := []routeCase{
		{"root, no token", "GET", "/volume/", hdr{"X-Auth-Token": ""}, 300, "cinder/versions.json", func(r reply) string {
			return want(str(r.body, "versions", "0", "links", "0", "rel") == "describedby" &&
				str(r.body, "versions", "0", "links", "1", "href") == e.base+"/volume/v3/" && str(r.body, "versions", "0", "version") == "3.71",
				"describedby then self, max 3.71")
		}},
		{"/v3/", "GET", "/volume/v3/", nil, 200, "cinder/version-v3.json", func(r reply) string {
			return want(r.header.Get("OpenStack-API-Version") == "volume 3.0" && r.header.Get("Vary") == "OpenStack-API-Version",
				"version headers")
		}},
		{"/v3 redirects", "GET", "/volume/v3", nil, 302, "", func(r reply) string {
			return want(r.header.Get("Location") == e.base+"/volume/v3/", "to /v3/")
		}},
		{"/v3/ needs a token", "GET", "/volume/v3/", hdr{"X-Auth-Token": ""}, 401, "", nil},
		{"no project", "GET", "/volume/v3/volumes/" + vid, nil, 200, "", func(r reply) string {
			return want(str(r.body, "volume", "links", "0", "href") == e.base+"/volume/v3/volumes/"+vid &&
				str(r.body, "volume", "links", "1", "href") == e.base+"/volume/volumes/"+vid, "self and bookmark without the project")
		}},
		{"summary list", "GET", "/volume/v3/" + p + "/volumes", nil, 200, "", func(r reply) string {
			return want(strings.Join(keys(get(r.body, "volumes", "0")), ",") == "id,links,name", "id, name, links only")
		}},
		{"another project", "GET", "/volume/v3/deadbeef/volumes", nil, 400, "", func(r reply) string {
			return want(str(r.body, "badRequest", "message") == "Malformed request url", "Malformed request url")
		}},
		{"trailing slash", "GET", "/volume/v3/" + p + "/volumes/", hdr{"Accept": "application/json"}, 404, "", func(r reply) string {
			return want(str(r.body, "title") == "Not Found", "WebOb's 404")
		}},
		{"microversion", "GET", "/volume/v3/volumes/detail", hdr{"OpenStack-API-Version": "volume 3.71"}, 200, "", func(r reply) string {
			return want(r.header.Get("OpenStack-API-Version") == "volume 3.71", "served at 3.71")
		}},
		{"latest", "GET", "/volume/v3/volumes/detail", hdr{"OpenStack-API-Version": "volume latest"}, 200, "", func(r reply) string {
			return want(r.header.Get("OpenStack-API-Version") == "volume 3.71", "latest is 3.71")
		}},
		{"too new", "GET", "/volume/v3/volumes/detail", hdr{"OpenStack-API-Version": "volume 4.0"}, 406, "", func(r reply) string {
			return want(str(r.body, "computeFault", "message") == "Version 4.0 is not supported by the API. Minimum is 3.0 and maximum is 3.71.",
				"406 (Cinder's Fault has no name for it)")
		}},
		{"bad format", "GET", "/volume/v3/volumes/detail", hdr{"OpenStack-API-Version": "volume 3.x"}, 400, "", func(r reply) string {
			return want(str(r.body, "badRequest", "message") == "API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.",
				"400")
		}},
		{"no volume in the header", "GET", "/volume/v3/volumes/detail", hdr{"OpenStack-API-Version": "compute 2.1"}, 400, "", nil},
		{"another service's root", "GET", "/volume/v2/volumes", nil, 404, "", nil},
	}
	runRouteCases(t, e, cases)
}
