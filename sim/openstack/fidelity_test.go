package openstack

// Fidelity: the simulator's JSON against testdata/reference/openstack
// (provenance and licence in its README.md), field names and JSON types,
// recursively (jsonshape.Diff; values may differ).
//
// Covered: keystone/versions.json, keystone/auth-tokens-response.gophercloud-fixture.json,
// keystone/auth-tokens-response-project-scoped.json,
// keystone/auth-tokens-response-project-scoped-full-catalog.json, keystone/errors.synthesized.json,
// nova/versions.json, nova/version-v2.1.json, nova/servers-create-response.json,
// nova/servers-get-response.json, nova/servers-detail-response.json, nova/servers-list-response.json,
// nova/servers-ips-response.json, nova/servers-get-response-with-fault.gophercloud-fixture.json,
// nova/flavors-detail-response.json, nova/limits-response.json, nova/keypairs-list-response.json,
// nova/volume-attachments-create-response.json, nova/errors.synthesized.json (every entry),
// glance/versions.json, glance/images-list-response.json, cinder/versions.json,
// cinder/volumes-create-response.json, cinder/volumes-show-response.json,
// cinder/errors.synthesized.json (every entry).
// Not covered, so not copied into testdata (requests, not responses; the
// gophercloud tests send them):
// keystone/auth-tokens-request-project-name-password.json,
// nova/servers-create-request.json, nova/volume-attachments-create-request.json,
// cinder/volumes-create-request.json, gophercloud-v2.15.0-http-exchanges.json
// (prose; followed by the gophercloud tests).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minka/sim/internal/jsonshape"
)

// refDir holds the OpenStack references; a missing file fails the test.
const refDir = "testdata/reference/openstack"

func readRef(t *testing.T, name string) any {
	t.Helper()
	return jsonshape.Load(t, filepath.Join(refDir, name))
}

// synthesized is one entry of an errors.synthesized.json file.
type synthesized struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
}

func readErrors(t *testing.T, name string) map[string]synthesized {
	raw, err := json.Marshal(readRef(t, name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]synthesized{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// response is what the simulator answered.
type response struct {
	status int
	header http.Header
	body   any
}

func (e env) call(t *testing.T, method, path, body string) response {
	t.Helper()
	tok := ""
	if !strings.HasPrefix(path, "/identity") {
		tok = e.pc.Token()
	}
	return e.do(t, method, path, body, tok)
}

func (e env) do(t *testing.T, method, path, body, tok string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("X-Auth-Token", tok)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return response{resp.StatusCode, resp.Header, v}
}

func field(v any, keys ...string) any {
	for _, k := range keys {
		v = v.(map[string]any)[k]
	}
	return v
}

const tokenRequest = `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"minka","password":"%s",` +
	`"domain":{"name":"Default"}}}},"scope":{"project":{"name":"ci","domain":{"name":"Default"}}}}}`

func TestFidelity(t *testing.T) {
	e := setup(t, Options{Quota: Quota{Instances: 3, Cores: 3, RAM: 5000, Volumes: 2, Gigabytes: 100}})
	nova := "/compute/v2.1"
	cinder := "/volume/v3/" + e.cloud.ProjectID()
	server := `{"server":{"name":"%s","flavorRef":"1","imageRef":"centos7","key_name":"jenkins","metadata":{"k":"v"}}}`
	created := e.call(t, "POST", nova+"/servers", fmt.Sprintf(server, "a"))
	id := field(created.body, "server", "id").(string)
	failed := field(e.call(t, "POST", nova+"/servers", fmt.Sprintf(server, "b")).body, "server", "id").(string)
	if err := e.cloud.FailServer(failed); err != nil {
		t.Fatal(err)
	}
	vol := e.call(t, "POST", cinder+"/volumes", `{"volume":{"name":"v","size":1}}`)
	vid := field(vol.body, "volume", "id").(string)
	e.clk.Add(time.Minute) // booted: addresses filled in
	attach := e.call(t, "POST", nova+"/servers/"+id+"/os-volume_attachments", `{"volumeAttachment":{"volumeId":"`+vid+`","device":"/dev/vdb"}}`)
	cases := []struct {
		name   string
		got    response
		ignore []string
	}{
		{"keystone/versions.json", e.call(t, "GET", "/identity/", ""), nil},
		{"keystone/auth-tokens-response.gophercloud-fixture.json", e.call(t, "POST", "/identity/v3/auth/tokens", fmt.Sprintf(tokenRequest, "secret")), nil},
		{"keystone/auth-tokens-response-project-scoped.json", e.call(t, "POST", "/identity/v3/auth/tokens", fmt.Sprintf(tokenRequest, "secret")), nil},
		{"keystone/auth-tokens-response-project-scoped-full-catalog.json", e.call(t, "POST", "/identity/v3/auth/tokens", fmt.Sprintf(tokenRequest, "secret")), nil},
		{"nova/versions.json", e.call(t, "GET", "/compute/", ""), nil},
		{"nova/version-v2.1.json", e.call(t, "GET", "/compute/v2.1/", ""), nil},
		{"nova/servers-create-response.json", created, nil},
		// metadata keys are the user's data, not fields.
		{"nova/servers-get-response.json", e.call(t, "GET", nova+"/servers/"+id, ""), []string{".server.metadata"}},
		// a server that failed to schedule has no port, so no address; the
		// keys of addresses are network names, data rather than fields.
		{"nova/servers-get-response-with-fault.gophercloud-fixture.json", e.call(t, "GET", nova+"/servers/"+failed, ""),
			[]string{".server.metadata", ".server.addresses"}},
		{"nova/servers-detail-response.json", e.call(t, "GET", nova+"/servers/detail", ""), []string{".servers_links", ".servers[].metadata"}},
		{"nova/servers-list-response.json", e.call(t, "GET", nova+"/servers", ""), []string{".servers_links"}},
		{"nova/servers-ips-response.json", e.call(t, "GET", nova+"/servers/"+id+"/ips", ""), nil},
		{"nova/flavors-detail-response.json", e.call(t, "GET", nova+"/flavors/detail", ""), nil},
		{"nova/limits-response.json", e.call(t, "GET", nova+"/limits", ""), nil},
		{"nova/keypairs-list-response.json", e.call(t, "GET", nova+"/os-keypairs", ""), nil},
		{"nova/volume-attachments-create-response.json", attach, nil},
		{"glance/versions.json", e.call(t, "GET", "/image/", ""), nil},
		{"glance/images-list-response.json", e.call(t, "GET", "/image/v2/images", ""), nil},
		{"cinder/versions.json", e.call(t, "GET", "/volume/", ""), nil},
		{"cinder/volumes-create-response.json", vol, nil},
		{"cinder/volumes-show-response.json", e.call(t, "GET", cinder+"/volumes/"+vid, ""), nil},
	}
	for _, tc := range cases {
		if diffs := jsonshape.Diff(readRef(t, tc.name), tc.got.body, tc.ignore...); len(diffs) > 0 {
			t.Errorf("%s differs from the reference:\n  %s", tc.name, strings.Join(diffs, "\n  "))
		}
	}
	testErrors(t, e, failed, vid)
}

// testErrors provokes each synthesized error and compares status, the
// headers named and the body's shape.
func testErrors(t *testing.T, e env, failed, vid string) {
	nova := "/compute/v2.1"
	cinder := "/volume/v3/" + e.cloud.ProjectID()
	create := func(flavor, extra string) response {
		return e.call(t, "POST", nova+"/servers", `{"server":{"name":"x","flavorRef":"`+flavor+`","imageRef":"centos7"`+extra+`}}`)
	}
	e.cloud.SetQuota(Quota{Instances: 2, Cores: 3, RAM: 5000, Volumes: 2, Gigabytes: 100})
	overInstances := create("1", "")
	e.cloud.SetQuota(Quota{Instances: 9, Cores: 3, RAM: 5000, Volumes: 2, Gigabytes: 100})
	overCores := create("3", "")
	e.cloud.SetQuota(Quota{Instances: 9, Cores: 30, RAM: 5000, Volumes: 2, Gigabytes: 100})
	overRAM := create("3", "")
	overGigabytes := e.call(t, "POST", cinder+"/volumes", `{"volume":{"name":"v","size":1000}}`)
	e.call(t, "POST", cinder+"/volumes", `{"volume":{"name":"v2","size":1}}`)
	overVolumes := e.call(t, "POST", cinder+"/volumes", `{"volume":{"name":"v3","size":1}}`)
	cases := []struct {
		file, key string
		got       response
	}{
		{"nova", "GET /servers/{id} unknown id", e.call(t, "GET", nova+"/servers/nope", "")},
		{"nova", "DELETE /servers/{id} unknown id", e.call(t, "DELETE", nova+"/servers/nope", "")},
		{"nova", "POST /servers over instance quota", overInstances},
		{"nova", "POST /servers over cores quota", overCores},
		{"nova", "POST /servers over ram quota", overRAM},
		{"nova", "POST /servers unknown key_name", create("1", `,"key_name":"nope"`)},
		{"nova", "POST /servers unknown imageRef", e.call(t, "POST", nova+"/servers", `{"server":{"name":"x","flavorRef":"1","imageRef":"nope"}}`)},
		{"nova", "POST /servers unknown flavorRef", create("99", "")},
		{"nova", "POST /servers unknown network uuid", create("1", `,"networks":[{"uuid":"nope"}]`)},
		{"nova", "any request with a missing/expired token (keystonemiddleware)", e.do(t, "GET", nova+"/servers", "", "expired-token")},
		{"nova", "server that failed to schedule (GET /servers/{id} excerpt)", e.call(t, "GET", nova+"/servers/"+failed, "")},
		{"keystone", "POST /v3/auth/tokens wrong password", e.call(t, "POST", "/identity/v3/auth/tokens", fmt.Sprintf(tokenRequest, "wrong"))},
		{"cinder", "POST /volumes over gigabytes quota", overGigabytes},
		{"cinder", "POST /volumes over volume-count quota", overVolumes},
		{"cinder", "GET /volumes/{id} unknown id", e.call(t, "GET", cinder+"/volumes/nope", "")},
	}
	refs := map[string]map[string]synthesized{}
	for f, name := range map[string]string{
		"nova":     "nova/errors.synthesized.json",
		"keystone": "keystone/errors.synthesized.json",
		"cinder":   "cinder/errors.synthesized.json",
	} {
		refs[f] = readErrors(t, name)
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		ref, ok := refs[tc.file][tc.key]
		if !ok {
			t.Fatalf("%s: no entry %q", tc.file, tc.key)
		}
		covered[tc.file+"/"+tc.key] = true
		if tc.got.status != ref.Status {
			t.Errorf("%s %q: status %d, want %d", tc.file, tc.key, tc.got.status, ref.Status)
		}
		for h := range ref.Headers {
			if tc.got.header.Get(h) == "" {
				t.Errorf("%s %q: no %s header", tc.file, tc.key, h)
			}
		}
		if diffs := jsonshape.Diff(ref.Body, tc.got.body); len(diffs) > 0 {
			t.Errorf("%s %q differs from the reference:\n  %s", tc.file, tc.key, strings.Join(diffs, "\n  "))
		}
	}
	for f, entries := range refs {
		for k := range entries {
			if !covered[f+"/"+k] {
				t.Errorf("%s/errors.synthesized.json %q is not tested", f, k)
			}
		}
	}
}
