package openstack

// Fidelity: the simulator's JSON against ../shared/reference/openstack,
// field names and JSON types (jsonshape.Diff).
//
// Covered: keystone/versions.json, keystone/auth-tokens-response.gophercloud-fixture.json,
// nova/servers-create-response.json, nova/servers-get-response.json,
// nova/servers-detail-response.json, nova/servers-list-response.json,
// nova/flavors-detail-response.json, nova/limits-response.json,
// nova/keypairs-list-response.json, nova/volume-attachments-create-response.json,
// glance/versions.json, glance/images-list-response.json, cinder/versions.json,
// cinder/volumes-create-response.json, cinder/volumes-show-response.json,
// and the Nova quota (403) and not-found (404) bodies of nova/errors.synthesized.json.
// Not covered: keystone/auth-tokens-response-project-scoped*.json (the
// simulator's catalog is the fixture's shape), nova/versions.json and
// version-v2.1.json (gophercloud never asks: the catalog URL is versioned),
// nova/servers-ips-response.json, the server-with-fault fixture (checked by
// a behaviour test instead), keystone/cinder error files.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minka/sim/internal/jsonshape"
)

const refDir = "../../../shared/reference/openstack"

func readRef(t *testing.T, name string) any { return jsonshape.Load(t, filepath.Join(refDir, name)) }

func TestFidelity(t *testing.T) {
	c, pc, clk, base := setup(t, Options{Quota: Quota{Instances: 2, Cores: 40, RAM: 81920, Volumes: 5, Gigabytes: 100}})
	tok := pc.Token()
	call := func(method, path, body string) (int, any) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("X-Auth-Token", tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var v any
		_ = json.NewDecoder(bytes.NewReader(b)).Decode(&v)
		return resp.StatusCode, v
	}
	nova := "/compute/v2.1/" + c.ProjectID()
	cinder := "/volume/v3/" + c.ProjectID()
	_, created := call("POST", nova+"/servers", `{"server":{"name":"a","flavorRef":"1","imageRef":"ubuntu-trusty","key_name":"jenkins","metadata":{"k":"v"}}}`)
	id := created.(map[string]any)["server"].(map[string]any)["id"].(string)
	_, _ = call("POST", nova+"/servers", `{"server":{"name":"b","flavorRef":"1","imageRef":"ubuntu-trusty"}}`)
	_, vol := call("POST", cinder+"/volumes", `{"volume":{"name":"v","size":1}}`)
	vid := vol.(map[string]any)["volume"].(map[string]any)["id"].(string)
	clk.Add(time.Minute) // booted: addresses filled in
	_, quota := call("POST", nova+"/servers", `{"server":{"name":"c","flavorRef":"1","imageRef":"ubuntu-trusty"}}`)
	_, missing := call("GET", nova+"/servers/nope", "")
	_, token := tokenBody(t, base)
	errs := readRef(t, "nova/errors.synthesized.json").(map[string]any)
	cases := []struct {
		ref    any
		name   string
		got    any
		ignore []string
	}{
		{name: "keystone/versions.json", got: get(t, base+"/identity/", "")},
		{name: "keystone/auth-tokens-response.gophercloud-fixture.json", got: token},
		{name: "nova/servers-create-response.json", got: created},
		// metadata keys are the user's data, not fields.
		{name: "nova/servers-get-response.json", got: get(t, base+nova+"/servers/"+id, tok), ignore: []string{".server.metadata"}},
		{name: "nova/servers-detail-response.json", got: get(t, base+nova+"/servers/detail", tok), ignore: []string{".servers_links", ".servers[].metadata"}},
		{name: "nova/servers-list-response.json", got: get(t, base+nova+"/servers", tok), ignore: []string{".servers_links"}},
		{name: "nova/flavors-detail-response.json", got: get(t, base+nova+"/flavors/detail", tok)},
		{name: "nova/limits-response.json", got: get(t, base+nova+"/limits", tok)},
		{name: "nova/keypairs-list-response.json", got: get(t, base+nova+"/os-keypairs", tok)},
		{name: "nova/volume-attachments-create-response.json", got: func() any {
			_, v := call("POST", nova+"/servers/"+id+"/os-volume_attachments", `{"volumeAttachment":{"volumeId":"`+vid+`","device":"/dev/vdb"}}`)
			return v
		}()},
		{name: "glance/versions.json", got: get(t, base+"/image/", tok)},
		{name: "glance/images-list-response.json", got: get(t, base+"/image/v2/images", tok)},
		{name: "cinder/versions.json", got: get(t, base+"/volume/", tok)},
		{name: "cinder/volumes-create-response.json", got: vol},
		{name: "cinder/volumes-show-response.json", got: get(t, base+cinder+"/volumes/"+vid, tok)},
		{name: "nova/errors.synthesized.json: quota", ref: errs["POST /servers over instance quota"].(map[string]any)["body"], got: quota},
		{name: "nova/errors.synthesized.json: 404", ref: errs["GET /servers/{id} unknown id"].(map[string]any)["body"], got: missing},
	}
	for _, tc := range cases {
		ref := tc.ref
		if ref == nil {
			ref = readRef(t, tc.name)
		}
		if diffs := jsonshape.Diff(ref, tc.got, tc.ignore...); len(diffs) > 0 {
			t.Errorf("%s differs from the reference:\n  %s", tc.name, strings.Join(diffs, "\n  "))
		}
	}
}

func get(t *testing.T, url, tok string) any {
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("X-Auth-Token", tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return v
}

func tokenBody(t *testing.T, base string) (string, any) {
	body := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"minka","password":"secret","domain":{"name":"Default"}}}},"scope":{"project":{"name":"ci","domain":{"name":"Default"}}}}}`
	resp, err := http.Post(base+"/identity/v3/auth/tokens", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.Header.Get("X-Subject-Token"), v
}
