package openstack

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"minka/sim/internal/jsonshape"
)

// libcloudVolume is the body Apache libcloud's OpenStack driver sends for
// create_volume(size, name) (libcloud/compute/drivers/openstack.py).
const libcloudVolume = `{"volume": {"display_name": "mita-vol", "display_description": "mita-vol", "size": 10,` +
	` "metadata": {"contents": "mita-vol"}}}`

// TestNovaProxyAPIsByMicroversion: the image and volume proxies answer at
// 2.1 up to MAX_PROXY_API_SUPPORT_VERSION (2.35), through either version
// header; from 2.36 the method is "simply not implemented": a 404
// itemNotFound fault that still carries the version headers
// (nova/api/openstack/wsgi.py Resource.dispatch, api_version_request.py).
// Image metadata goes at 2.39 instead.
func TestNovaProxyAPIsByMicroversion(t *testing.T) {
	e := setup(t, Options{Quota: Quota{Instances: 5, Cores: 40, RAM: 81920, Volumes: 50, Gigabytes: 1000}})
	image := "70a599e0-31e7-49b7-b260-868f441e862b"
	versions := []struct {
		h      hdr
		served string // the version the response reports
		proxy  bool   // images and os-volumes exist
		meta   bool   // images/{id}/metadata exists
	}{
		{nil, "2.1", true, true},
		{hdr{"X-OpenStack-Nova-API-Version": "2.1"}, "2.1", true, true},
		{hdr{"OpenStack-API-Version": "compute 2.35"}, "2.35", true, true},
		{hdr{"X-OpenStack-Nova-API-Version": "2.35"}, "2.35", true, true},
		{hdr{"X-OpenStack-Nova-API-Version": "2.36"}, "2.36", false, true},
		{hdr{"OpenStack-API-Version": "compute 2.38"}, "2.38", false, true},
		{hdr{"OpenStack-API-Version": "compute 2.39"}, "2.39", false, false},
		{hdr{"OpenStack-API-Version": "compute latest"}, "2.104", false, false},
	}
	for _, v := range versions {
		vid := str(e.send(t, "POST", "/compute/v2.1/os-volumes", libcloudVolume, nil).body, "volume", "id")
		calls := []struct {
			method, path, body string
			exists             bool
			status             int
		}{
			{"GET", "/compute/v2.1/images/detail", "", v.proxy, 200},
			{"GET", "/compute/v2.1/images", "", v.proxy, 200},
			{"GET", "/compute/v2.1/images/" + image, "", v.proxy, 200},
			{"GET", "/compute/v2.1/images/" + image + "/metadata", "", v.meta, 200},
			{"GET", "/compute/v2.1/os-volumes", "", v.proxy, 200},
			{"GET", "/compute/v2.1/os-volumes/detail", "", v.proxy, 200},
			{"GET", "/compute/v2.1/os-volumes/" + vid, "", v.proxy, 200},
			{"POST", "/compute/v2.1/os-volumes", libcloudVolume, v.proxy, 200},
			{"DELETE", "/compute/v2.1/os-volumes/" + vid, "", v.proxy, 202},
		}
		for _, call := range calls {
			r := e.send(t, call.method, call.path, call.body, v.h)
			what := call.method + " " + call.path + " at " + v.served
			if call.exists && r.status != call.status {
				t.Errorf("%s: %d %s, want %d", what, r.status, r.raw, call.status)
			}
			if !call.exists {
				wantFault(t, what, r, 404, "itemNotFound", "The resource could not be found.")
			}
			if got := r.header.Get("OpenStack-API-Version"); got != "compute "+v.served || r.header.Get("X-OpenStack-Nova-API-Version") != v.served ||
				strings.Join(r.header.Values("Vary"), ",") != "OpenStack-API-Version,X-OpenStack-Nova-API-Version" {
				t.Errorf("%s: version headers %q %q Vary %q", what, got, r.header.Get("X-OpenStack-Nova-API-Version"), r.header.Values("Vary"))
			}
		}
	}
	// The legacy /v2 endpoint drops the headers both ways: proxies served, none reported.
	r := e.send(t, "GET", "/compute/v2/images/detail", "", hdr{"X-OpenStack-Nova-API-Version": "2.50"})
	if r.status != 200 || r.header.Get("OpenStack-API-Version") != "" || len(r.header.Values("Vary")) != 0 {
		t.Errorf("legacy v2 images/detail: %d %v", r.status, r.header)
	}
}

// TestNovaVolumeProxyIsCinder: libcloud's volume calls through Nova and
// Cinder's own API see one volume: created through os-volumes, attached
// through os-volume_attachments (device null, as libcloud sends "auto"),
// shown on the server, in Cinder and in os-volumes; refused deletion while
// attached; detached; deleted. Shapes as nova/os-volumes-*.json and
// nova/volume-attachments-*.json.
func TestNovaVolumeProxyIsCinder(t *testing.T) {
	e := setup(t, Options{})
	cinder := "/volume/v3/" + e.cloud.ProjectID() + "/volumes/"
	srv := str(e.send(t, "POST", "/compute/v2.1/servers",
		`{"server":{"name":"mita-1","flavorRef":"1","imageRef":"centos7"}}`, nil).body, "server", "id")
	e.clk.Add(time.Minute) // ACTIVE: attachable
	created := e.send(t, "POST", "/compute/v2.1/os-volumes", libcloudVolume, nil)
	vid := str(created.body, "volume", "id")
	if created.status != 200 || created.header.Get("Location") != e.base+"/compute/v2.1/os-volumes/"+vid ||
		str(created.body, "volume", "status") != "creating" || !jsonEq(get(created.body, "volume", "attachments"), []any{map[string]any{}}) {
		t.Fatalf("POST os-volumes: %d %v %s", created.status, created.header, created.raw)
	}
	// The sample's volume is attached; this one is not yet ([{}], checked above).
	shape(t, "nova/os-volumes-create-response.json", created.body, ".volume.attachments")
	cv := e.send(t, "GET", cinder+vid, "", nil)
	if str(cv.body, "volume", "name") != "mita-vol" || str(cv.body, "volume", "description") != "mita-vol" ||
		str(cv.body, "volume", "metadata", "contents") != "mita-vol" || get(cv.body, "volume", "size") != 10.0 ||
		str(cv.body, "volume", "status") != "available" {
		t.Fatalf("Cinder's view of the proxied volume: %s", cv.raw)
	}
	att := e.send(t, "POST", "/compute/v2.1/servers/"+srv+"/os-volume_attachments",
		`{"volumeAttachment": {"volumeId": "`+vid+`", "device": null}}`, nil)
	if att.status != 200 || str(att.body, "volumeAttachment", "device") != "/dev/vdb" {
		t.Fatalf("attach: %d %s", att.status, att.raw)
	}
	shape(t, "nova/volume-attachments-create-response.json", att.body)
	server := e.send(t, "GET", "/compute/v2.1/servers/"+srv, "", nil)
	if a := get(server.body, "server", "os-extended-volumes:volumes_attached"); !jsonEq(a, []any{map[string]any{"id": vid}}) {
		t.Errorf("server at 2.1: volumes_attached %v, want the volume without delete_on_termination", a)
	}
	server = e.send(t, "GET", "/compute/v2.1/servers/"+srv, "", hdr{"X-OpenStack-Nova-API-Version": "2.3"})
	if a := get(server.body, "server", "os-extended-volumes:volumes_attached"); !jsonEq(a,
		[]any{map[string]any{"id": vid, "delete_on_termination": false}}) {
		t.Errorf("server at 2.3: volumes_attached %v", a)
	}
	cv = e.send(t, "GET", cinder+vid, "", nil)
	ca := get(cv.body, "volume", "attachments", "0")
	if str(cv.body, "volume", "status") != "in-use" || str(ca, "server_id") != srv || str(ca, "device") != "/dev/vdb" ||
		str(ca, "attachment_id") == "" || str(ca, "attachment_id") == vid {
		t.Errorf("Cinder's view of the attachment: %s", cv.raw)
	}
	pv := e.send(t, "GET", "/compute/v2.1/os-volumes/"+vid, "", nil)
	if !jsonEq(get(pv.body, "volume", "attachments"), []any{map[string]any{"id": vid, "volumeId": vid, "serverId": srv,
		"device": "/dev/vdb"}}) || str(pv.body, "volume", "status") != "in-use" || str(pv.body, "volume", "displayName") != "mita-vol" {
		t.Errorf("os-volumes view of the attachment: %s", pv.raw)
	}
	shape(t, "nova/os-volumes-get-response.json", pv.body)
	shape(t, "nova/os-volumes-list-response.json", e.send(t, "GET", "/compute/v2.1/os-volumes", "", nil).body)
	shape(t, "nova/os-volumes-detail-response.json", e.send(t, "GET", "/compute/v2.1/os-volumes/detail", "", nil).body)
	shape(t, "nova/volume-attachments-list-response.json",
		e.send(t, "GET", "/compute/v2.1/servers/"+srv+"/os-volume_attachments", "", nil).body)
	shape(t, "nova/volume-attachments-get-response.json",
		e.send(t, "GET", "/compute/v2.1/servers/"+srv+"/os-volume_attachments/"+vid, "", nil).body)
	r := e.send(t, "DELETE", "/compute/v2.1/os-volumes/"+vid, "", nil)
	if r.status != 400 || !strings.HasPrefix(str(r.body, "badRequest", "message"), "Invalid input received: Invalid volume: ") ||
		!strings.Contains(str(r.body, "badRequest", "message"), "(HTTP 400) (Request-ID: req-") {
		t.Errorf("deleting an attached volume through Nova: %d %s", r.status, r.raw)
	}
	// libcloud's detach_volume: DELETE .../os-volume_attachments/<attachments[].id>.
	if r := e.send(t, "DELETE", "/compute/v2.1/servers/"+srv+"/os-volume_attachments/"+vid, "", nil); r.status != 202 {
		t.Fatalf("detach: %d %s", r.status, r.raw)
	}
	if cv := e.send(t, "GET", cinder+vid, "", nil); str(cv.body, "volume", "status") != "available" ||
		!jsonEq(get(cv.body, "volume", "attachments"), []any{}) {
		t.Errorf("Cinder after detach: %s", cv.raw)
	}
	if s := e.send(t, "GET", "/compute/v2.1/servers/"+srv, "", nil); !jsonEq(get(s.body, "server", "os-extended-volumes:volumes_attached"), []any{}) {
		t.Errorf("server after detach: %s", s.raw)
	}
	if r := e.send(t, "DELETE", "/compute/v2.1/os-volumes/"+vid, "", nil); r.status != 202 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	wantFault(t, "Cinder after the proxy's delete", e.send(t, "GET", cinder+vid, "", nil), 404, "itemNotFound",
		"Volume "+vid+" could not be found.")
	if n := e.cloud.Volumes(); n != 0 {
		t.Errorf("%d volumes left", n)
	}
}

// TestNovaImageProxy: libcloud's list_images (GET /images/detail) and the
// other image proxy calls show Glance's images in Nova's view
// (views/images.py; nova/images-*.json), filtered as Glance filters, and
// a delete through Nova is gone from Glance.
func TestNovaImageProxy(t *testing.T) {
	e := setup(t, Options{})
	id := "70a599e0-31e7-49b7-b260-868f441e862b"
	detail := e.send(t, "GET", "/compute/v2.1/images/detail", "", nil)
	// metadata is each image's properties (data, not fields); OS-DCF:diskConfig
	// appears only for an image with auto_disk_config, which these lack.
	shape(t, "nova/images-detail-response.json", detail.body, ".images[].metadata", ".images[].OS-DCF:diskConfig")
	first := get(detail.body, "images", "0")
	if str(first, "id") != id || str(first, "status") != "ACTIVE" || get(first, "progress") != 100.0 ||
		str(first, "links", "0", "href") != e.base+"/compute/v2.1/images/"+id ||
		str(first, "links", "1", "href") != e.base+"/compute/images/"+id ||
		str(first, "links", "2", "href") != e.base+"/image/images/"+id || str(first, "links", "2", "type") != "application/vnd.openstack.image" {
		t.Errorf("images/detail: %s", detail.raw)
	}
	shape(t, "nova/images-list-response.json", e.send(t, "GET", "/compute/v2.1/images", "", nil).body)
	shape(t, "nova/images-get-response.json", e.send(t, "GET", "/compute/v2.1/images/"+id, "", nil).body,
		".image.metadata", ".image.OS-DCF:diskConfig")
	// With the project in the URL, the links carry it (ViewBuilder._get_project_id).
	withProject := e.send(t, "GET", "/compute/v2.1/"+e.cloud.ProjectID()+"/images/"+id, "", nil)
	if str(withProject.body, "image", "links", "0", "href") != e.base+"/compute/v2.1/"+e.cloud.ProjectID()+"/images/"+id {
		t.Errorf("links with the project: %s", withProject.raw)
	}
	for _, tc := range []struct {
		query string
		n     int
	}{{"?name=centos7", 1}, {"?name=nope", 0}, {"?status=ACTIVE", 2}, {"?status=saving", 0}, {"?minRam=512", 0},
		{"?minDisk=0", 2}, {"?type=snapshot", 0}, {"?property-os_distro=centos", 0}} {
		r := e.send(t, "GET", "/compute/v2.1/images/detail"+tc.query, "", nil)
		if n := len(get(r.body, "images").([]any)); r.status != 200 || n != tc.n {
			t.Errorf("images/detail%s: %d images, want %d", tc.query, n, tc.n)
		}
	}
	wantFault(t, "unknown image", e.send(t, "GET", "/compute/v2.1/images/nope", "", nil), 404, "itemNotFound", "Image not found.")
	wantFault(t, "metadata of an unknown image", e.send(t, "GET", "/compute/v2.1/images/nope/metadata", "", nil), 404,
		"itemNotFound", "Image not found.")
	if r := e.send(t, "GET", "/compute/v2.1/images/"+id+"/metadata", "", nil); r.status != 200 || !jsonEq(r.body,
		map[string]any{"metadata": map[string]any{}}) {
		t.Errorf("image metadata: %d %s", r.status, r.raw)
	}
	if r := e.send(t, "DELETE", "/compute/v2.1/images/"+id, "", nil); r.status != 204 {
		t.Fatalf("DELETE images/{id}: %d %s", r.status, r.raw)
	}
	if r := e.send(t, "GET", "/image/v2/images/"+id, "", hdr{"Accept": "application/json"}); r.status != 404 {
		t.Errorf("Glance after Nova's delete: %d", r.status)
	}
}

// TestVolumeAttachmentsByMicroversion: os-volume_attachments is no proxy
// API; real Nova serves it at every microversion, its view changing
// (compute/volume_attachments.py; nova/volume-attachments-create-response-v2.79.json,
// nova/volume-attachments-list-response-v2.89.json). So at 2.36 and
// later attaching still works; at 2.101 the create answers 202, no body.
func TestVolumeAttachmentsByMicroversion(t *testing.T) {
	e := setup(t, Options{Quota: Quota{Instances: 5, Cores: 40, RAM: 81920, Volumes: 20, Gigabytes: 1000}})
	srv := str(e.send(t, "POST", "/compute/v2.1/servers", `{"server":{"name":"a","flavorRef":"1","imageRef":"centos7"}}`, nil).body,
		"server", "id")
	e.clk.Add(time.Minute)
	newVol := func() string {
		return str(e.send(t, "POST", "/volume/v3/"+e.cloud.ProjectID()+"/volumes", `{"volume":{"size":1}}`, nil).body, "volume", "id")
	}
	path := "/compute/v2.1/servers/" + srv + "/os-volume_attachments"
	cases := []struct {
		version, body string
		status        int
		keys          []string // the attachment's keys, sorted
		ref           string
	}{
		{"2.1", `{"volumeAttachment":{"volumeId":"%s"}}`, 200, []string{"device", "id", "serverId", "volumeId"}, ""},
		{"2.36", `{"volumeAttachment":{"volumeId":"%s"}}`, 200, []string{"device", "id", "serverId", "volumeId"}, ""},
		{"2.79", `{"volumeAttachment":{"volumeId":"%s","tag":"foo","delete_on_termination":true}}`, 200,
			[]string{"delete_on_termination", "device", "id", "serverId", "tag", "volumeId"}, "nova/volume-attachments-create-response-v2.79.json"},
		{"2.101", `{"volumeAttachment":{"volumeId":"%s"}}`, 202, nil, ""},
	}
	for _, tc := range cases {
		vid := newVol()
		r := e.send(t, "POST", path, strings.Replace(tc.body, "%s", vid, 1), hdr{"X-OpenStack-Nova-API-Version": tc.version})
		if r.status != tc.status || !reflect.DeepEqual(keys(get(r.body, "volumeAttachment")), tc.keys) || (tc.keys == nil && r.raw != "") {
			t.Errorf("attach at %s: %d %s, want %d with %v", tc.version, r.status, r.raw, tc.status, tc.keys)
		}
		if tc.ref != "" {
			shape(t, tc.ref, r.body)
		}
	}
	list := e.send(t, "GET", path, "", hdr{"OpenStack-API-Version": "compute 2.89"})
	shape(t, "nova/volume-attachments-list-response-v2.89.json", list.body)
	for _, a := range get(list.body, "volumeAttachments").([]any) {
		if has(a, "id") || str(a, "attachment_id") == "" || str(a, "bdm_uuid") == "" {
			t.Errorf("2.89 attachment: %v", a)
		}
	}
	// The 2.79 attach asked for delete_on_termination: the server's delete takes that volume.
	if n := e.cloud.Volumes(); n != 4 {
		t.Fatalf("%d volumes before the server's delete", n)
	}
	if r := e.send(t, "DELETE", "/compute/v2.1/servers/"+srv, "", nil); r.status != 204 {
		t.Fatal(r.raw)
	}
	if n := e.cloud.Volumes(); n != 3 {
		t.Errorf("%d volumes after the server's delete, want 3 (one was delete_on_termination)", n)
	}
}

// TestNovaVolumeErrors: bad input to os-volumes and os-volume_attachments
// gets the fault Nova answers (nova/api/validation/validators.py messages
// over schemas/volumes.py and schemas/volume_attachments.py; the
// controllers' NotFound and state errors; Cinder's quota refusal as 403).
func TestNovaVolumeErrors(t *testing.T) {
	e := setup(t, Options{Quota: Quota{Instances: 5, Cores: 40, RAM: 81920, Volumes: 3, Gigabytes: 20}})
	srv := str(e.send(t, "POST", "/compute/v2.1/servers", `{"server":{"name":"a","flavorRef":"1","imageRef":"centos7"}}`, nil).body,
		"server", "id")
	e.clk.Add(time.Minute)
	building2 := str(e.send(t, "POST", "/compute/v2.1/servers", `{"server":{"name":"c","flavorRef":"1","imageRef":"centos7"}}`, nil).body,
		"server", "id")
	vid := str(e.send(t, "POST", "/compute/v2.1/os-volumes", `{"volume":{"size":1}}`, nil).body, "volume", "id")
	used := str(e.send(t, "POST", "/compute/v2.1/os-volumes", `{"volume":{"size":1}}`, nil).body, "volume", "id")
	e.send(t, "POST", "/compute/v2.1/servers/"+srv+"/os-volume_attachments", `{"volumeAttachment":{"volumeId":"`+used+`"}}`, nil)
	missing := "0e44cc9c-e052-415d-afbf-469b0d384170"
	att := "/compute/v2.1/servers/" + srv + "/os-volume_attachments"
	cases := []struct {
		name, method, path, body string
		h                        hdr
		status                   int
		faultName, msg           string
	}{
		{"size 0", "POST", "/compute/v2.1/os-volumes", `{"volume":{"size":0}}`, nil, 400, "badRequest",
			"Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1"},
		{"size not a number", "POST", "/compute/v2.1/os-volumes", `{"volume":{"size":"ten"}}`, nil, 400, "badRequest",
			"Invalid input for field/attribute size. Value: ten. 'ten' does not match '^[0-9]+$'"},
		{"no size", "POST", "/compute/v2.1/os-volumes", `{"volume":{"display_name":"x"}}`, nil, 400, "badRequest",
			"Invalid input for field/attribute volume. Value: {'display_name': 'x'}. 'size' is a required property"},
		{"Cinder's field name", "POST", "/compute/v2.1/os-volumes", `{"volume":{"size":1,"name":"x"}}`, nil, 400, "badRequest",
			"Invalid input for field/attribute volume. Value: {'name': 'x', 'size': 1}. Additional properties are not allowed ('name' was unexpected)"},
		{"no volume", "POST", "/compute/v2.1/os-volumes", `{}`, nil, 400, "badRequest", "'volume' is a required property"},
		{"empty body", "POST", "/compute/v2.1/os-volumes", ``, nil, 400, "badRequest", "None is not of type 'object'"},
		{"not JSON", "POST", "/compute/v2.1/os-volumes", `{"volume":`, nil, 400, "badRequest", "Malformed request body"},
		{"not an object", "POST", "/compute/v2.1/os-volumes", `[1]`, nil, 400, "badRequest", "[1] is not of type 'object'"},
		{"over the gigabytes quota", "POST", "/compute/v2.1/os-volumes", `{"volume":{"size":100}}`, nil, 403, "forbidden",
			"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 100G, quota is 20G and 2G has been consumed."},
		{"unknown volume", "GET", "/compute/v2.1/os-volumes/" + missing, "", nil, 404, "itemNotFound",
			"Volume " + missing + " could not be found."},
		{"delete unknown volume", "DELETE", "/compute/v2.1/os-volumes/" + missing, "", nil, 404, "itemNotFound",
			"Volume " + missing + " could not be found."},
		{"attach: volumeId not a uuid", "POST", att, `{"volumeAttachment":{"volumeId":"abc"}}`, nil, 400, "badRequest",
			"Invalid input for field/attribute volumeId. Value: abc. 'abc' is not a 'uuid'"},
		{"attach: bad device", "POST", att, `{"volumeAttachment":{"volumeId":"` + vid + `","device":"sdb"}}`, nil, 400, "badRequest",
			"Invalid input for field/attribute device. Value: sdb. 'sdb' does not match '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'"},
		{"attach: tag before 2.49", "POST", att, `{"volumeAttachment":{"volumeId":"` + vid + `","tag":"t"}}`, nil, 400, "badRequest",
			"Invalid input for field/attribute volumeAttachment. Value: {'tag': 't', 'volumeId': '" + vid +
				"'}. Additional properties are not allowed ('tag' was unexpected)"},
		{"attach: unknown volume", "POST", att, `{"volumeAttachment":{"volumeId":"` + missing + `"}}`, nil, 404, "itemNotFound",
			"Volume " + missing + " could not be found."},
		{"attach: in use", "POST", att, `{"volumeAttachment":{"volumeId":"` + used + `"}}`, nil, 400, "badRequest",
			"Invalid volume: volume " + used + " status must be available or downloading to reserve, but the current status is in-use."},
		{"attach: server building", "POST", "/compute/v2.1/servers/" + building2 + "/os-volume_attachments",
			`{"volumeAttachment":{"volumeId":"` + vid + `"}}`, nil, 409, "conflictingRequest",
			"Cannot 'attach_volume' instance " + building2 + " while it is in vm_state building"},
		{"attach: unknown server", "POST", "/compute/v2.1/servers/" + missing + "/os-volume_attachments",
			`{"volumeAttachment":{"volumeId":"` + vid + `"}}`, nil, 404, "itemNotFound", "Instance " + missing + " could not be found."},
		{"show: not attached", "GET", att + "/" + vid, "", nil, 404, "itemNotFound",
			"Instance " + srv + " is not attached to volume " + vid},
		{"detach: not attached", "DELETE", att + "/" + vid, "", nil, 404, "itemNotFound",
			"Instance " + srv + " is not attached to volume " + vid},
		{"detach: unknown volume", "DELETE", att + "/" + missing, "", nil, 404, "itemNotFound",
			"Volume " + missing + " could not be found."},
		{"list: bad limit", "GET", "/compute/v2.1/os-volumes?limit=x", "", nil, 400, "badRequest",
			"Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantFault(t, tc.method+" "+tc.path, e.send(t, tc.method, tc.path, tc.body, tc.h), tc.status, tc.faultName, tc.msg)
		})
	}
}

// shape compares a body with a reference's field names and types.
func shape(t *testing.T, ref string, got any, ignore ...string) {
	t.Helper()
	if d := jsonshape.Diff(readRef(t, ref), got, ignore...); len(d) > 0 {
		t.Errorf("differs from %s:\n  %s", ref, strings.Join(d, "\n  "))
	}
}
