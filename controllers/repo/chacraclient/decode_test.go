package chacraclient

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var k = Key{Project: "hello", Ref: "main", SHA1: "0123456789abcdef0123456789abcdef01234567", Distro: "ubuntu", Version: "jammy", Flavor: "default"}

const good = `{"path": null, "distro": "ubuntu", "distro_version": "jammy", "sha1": "0123456789abcdef0123456789abcdef01234567",
 "modified": "2026-11-22 23:49:26.362649", "needs_update": true, "is_updating": false, "is_queued": false, "archs": ["x86_64"]}`

func TestDecodeRepo(t *testing.T) {
	r, err := DecodeRepo([]byte(good), k)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 22, 23, 49, 26, 362649000, time.UTC)
	if !r.Modified.Equal(want) || r.Built() || !r.NeedsUpdate || !r.HasArch("x86_64") {
		t.Fatalf("decoded %+v", r)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"html page", "<html><body>502 Bad Gateway</body></html>", "not a JSON object"},
		{"empty", "", "not a JSON object"},
		{"a list", `["jammy"]`, "not a JSON object"},
		{"truncated", good[:60], "decoding"},
		{"trailing data", good + "{}", "data after"},
		{"flag missing", strings.Replace(good, `"is_queued": false, `, "", 1), "lacks is_queued"},
		{"flag a string", strings.Replace(good, `"is_queued": false`, `"is_queued": "false"`, 1), "decoding"},
		{"modified missing", strings.Replace(good, `"modified": "2026-11-22 23:49:26.362649", `, "", 1), "lacks modified"},
		{"modified with a zone", strings.Replace(good, "23:49:26.362649", "23:49:26+02:00", 1), "not chacra's datetime"},
		{"another distro", strings.Replace(good, `"jammy"`, `"focal"`, 1), "not the requested"},
		{"path a number", strings.Replace(good, `"path": null`, `"path": 3`, 1), "decoding"},
		{"archs not strings", strings.Replace(good, `["x86_64"]`, `[1]`, 1), "decoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeRepo([]byte(tc.body), k)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestDecodeBinaries(t *testing.T) {
	body := `{"a.deb": {"name": "a.deb", "size": 796, "checksum": "ab", "modified": "2026-11-22 23:49:20.853623", "arch": "x86_64"},
	          "b.deb": {"name": "b.deb", "size": 1, "checksum": null, "modified": "2026-11-22 23:49:21", "arch": "x86_64"}}`
	bs, err := DecodeBinaries([]byte(body), k, "x86_64")
	if err != nil || len(bs) != 2 || bs[0].Name != "a.deb" || bs[0].Size != 796 || bs[1].Checksum != "" {
		t.Fatalf("decoded %+v, %v", bs, err)
	}
	if Digest(bs) == "" || Digest(bs) == Digest(bs[:1]) || !Latest(bs).Equal(time.Date(2026, 11, 22, 23, 49, 21, 0, time.UTC)) {
		t.Fatalf("digest or latest wrong")
	}
	for _, tc := range []struct{ name, body, want string }{
		{"name differs", `{"a.deb": {"name": "b.deb", "size": 1, "modified": "2026-11-22 23:49:21"}}`, "different from its key"},
		{"other arch", `{"a.deb": {"name": "a.deb", "size": 1, "modified": "2026-11-22 23:49:21", "arch": "aarch64"}}`, "arch"},
		{"size negative", `{"a.deb": {"name": "a.deb", "size": -1, "modified": "2026-11-22 23:49:21"}}`, "byte count"},
		{"size fractional", `{"a.deb": {"name": "a.deb", "size": 1.5, "modified": "2026-11-22 23:49:21"}}`, "byte count"},
		{"no modified", `{"a.deb": {"name": "a.deb", "size": 1}}`, "modified missing"},
		{"checksum number", `{"a.deb": {"name": "a.deb", "size": 1, "checksum": 5, "modified": "2026-11-22 23:49:21"}}`, "checksum"},
		{"entry not an object", `{"a.deb": "x"}`, "decoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeBinaries([]byte(tc.body), k, "x86_64")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// Every repo JSON and arch listing captured from a real chacra decodes.
func TestDecodeReference(t *testing.T) {
	files, _ := filepath.Glob("../../../sim/chacra/testdata/reference/chacra/chacra__GET__*.json")
	if len(files) == 0 {
		t.Fatal("no reference files")
	}
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var pair struct {
			Request  struct{ URL string }
			Response struct {
				Status int
				Body   json.RawMessage
			}
		}
		if err := json.Unmarshal(raw, &pair); err != nil {
			t.Fatal(f, err)
		}
		segs := strings.Split(strings.Trim(pair.Request.URL, "/"), "/")
		base := filepath.Base(f)
		if pair.Response.Status != 200 {
			continue
		}
		switch {
		case strings.HasPrefix(base, "chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION__") || base == "chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION_flavors_FLAVOR.json":
			rk := Key{Project: segs[1], Ref: segs[2], SHA1: segs[3], Distro: segs[4], Version: segs[5], Flavor: "default"}
			if _, err := DecodeRepo(pair.Response.Body, rk); err != nil {
				t.Errorf("%s: %v", base, err)
			}
			n++
		case base == "chacra__GET__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH.json" || base == "chacra__GET__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_flavors_FLAVOR.json":
			bk := Key{Project: segs[1], Ref: segs[2], SHA1: segs[3], Distro: segs[4], Version: segs[5], Flavor: "default"}
			if bs, err := DecodeBinaries(pair.Response.Body, bk, segs[6]); err != nil || len(bs) == 0 {
				t.Errorf("%s: %v (%d binaries)", base, err, len(bs))
			}
			n++
		}
	}
	t.Logf("%d reference answers decoded", n)
	if n < 5 {
		t.Fatalf("only %d reference answers matched", n)
	}
}

// Garbage never panics and never decodes into a repo without its flags.
func FuzzDecodeRepo(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(`{"needs_update": null}`))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeRepo(body, k)
		if err == nil && r.Modified.IsZero() {
			t.Fatalf("decoded without a modified time: %q", body)
		}
		_, _ = DecodeBinaries(body, k, "x86_64")
	})
}
