package chacra

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	debRepo = "/repos/hello/main/" + sha + "/ubuntu/jammy/"
	rpmRepo = "/repos/hello/main/" + sha + "/centos/9/"
)

// TestFidelity replays the captured session: uploads, the repo states
// before and after a build, every listing, the writes, and the
// callbacks they cause.
func TestFidelity(t *testing.T) {
	sh := newShaman(t)
	e := setup(t, Options{Name: "127.0.0.1:8443", PollInterval: time.Hour, QuietTime: time.Millisecond,
		BuildTime: time.Millisecond, CallbackURL: sh.srv.URL + "/api/repos", HealthPingURL: sh.srv.URL + "/api/nodes",
		CallbackUser: "callback_user", CallbackKey: "callback_key"})
	covered := map[string]bool{}
	defer reportUncovered(t, covered)
	step := func(file string) {
		t.Helper()
		covered[file] = true
		ex := loadExchange(t, file)
		e.compare(t, file, ex, e.replay(t, ex))
	}
	build := func(repo string) {
		t.Helper()
		e.node.Poll()
		eventually(t, repo+" ready", func() bool {
			s := e.repoState(t, repo)
			return s["path"] != nil && s["is_updating"] == false && s["needs_update"] == false
		})
	}
	for _, f := range []string{
		"chacra__POST__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH__401_noauth.json",
		"chacra__POST__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH__201_created.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION__deb_needs_update.json",
		"chacra__POST__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH__400_exists_no_force.json",
		"chacra__POST__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH__200_force.json",
		"chacra__POST__binaries_PROJECT_REF_SHA1_centos_9_noarch__201_rpm.json",
		"chacra__POST__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_flavors_FLAVOR__201.json",
	} {
		step(f)
	}
	build(debRepo)
	build(rpmRepo)
	build(debRepo + "flavors/notcmalloc/")
	for _, f := range []string{
		"chacra__GET__root.json",
		"chacra__GET__binaries.json",
		"chacra__GET__binaries_PROJECT.json",
		"chacra__GET__binaries_PROJECT_REF.json",
		"chacra__GET__binaries_PROJECT_REF_SHA1.json",
		"chacra__GET__binaries_PROJECT_REF_SHA1_DISTRO.json",
		"chacra__GET__binaries_PROJECT_REF_SHA1_DISTRO_VERSION.json",
		"chacra__GET__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH.json",
		"chacra__GET__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_flavors.json",
		"chacra__GET__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_flavors_FLAVOR.json",
		"chacra__GET__binaries_PROJECT__404.json",
		"chacra__HEAD__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_NAME__200.json",
		"chacra__HEAD__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_NAME__404.json",
		"chacra__GET__repos.json",
		"chacra__GET__repos_PROJECT.json",
		"chacra__GET__repos_PROJECT_REF.json",
		"chacra__GET__repos_PROJECT_REF_SHA1.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION__404.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION__deb_ready.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION__rpm_ready.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION_flavors.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION_flavors_FLAVOR.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION_repo__deb.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION_repo__rpm.json",
		"chacra__GET__search__name.json",
		"chacra__GET__search__name-has_distro.json",
		"chacra__GET__search__405_invalid_param.json",
		"chacra__GET__health.json",
		"chacra__POST__repos_PROJECT_REF_SHA1_DISTRO_VERSION_extra.json",
		"chacra__POST__repos_PROJECT_REF_SHA1_DISTRO_VERSION_update.json",
		"chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION_update__405.json",
		"chacra__POST__repos_PROJECT_REF_SHA1_DISTRO_VERSION__update_fields.json",
		"chacra__POST__repos_PROJECT_REF_SHA1_DISTRO_VERSION__400_schema.json",
		"chacra__POST__repos_PROJECT_REF_SHA1_DISTRO_VERSION_recreate.json",
		"chacra__PUT__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_NAME__200.json",
		"chacra__PUT__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_NAME__500_missing.json",
	} {
		step(f)
	}
	// rawproj: a file of no known type, then POST type raw and update.
	raw := "/binaries/rawproj/main/" + sha + "/centos/9/x86_64/"
	if a := e.upload(t, "POST", raw, "admin:secret", "rawproj-1.0.tar.gz", []byte("x"), nil); a.code != 201 {
		t.Fatalf("raw upload: %d", a.code)
	}
	step("chacra__POST__repos_PROJECT_REF_SHA1_DISTRO_VERSION__type_raw.json")
	step("chacra__POST__repos_PROJECT_REF_SHA1_DISTRO_VERSION_update__raw.json")
	step("chacra__DELETE__repos_PROJECT_REF_SHA1_DISTRO_VERSION__500_bug.json")
	// broken: a bad .rpm still builds "ready"; then it is deleted.
	bad := "/binaries/broken/main/" + sha + "/centos/9/x86_64/"
	if a := e.upload(t, "POST", bad, "admin:secret", "broken-1.0-1.x86_64.rpm", []byte("garbage"), nil); a.code != 201 {
		t.Fatalf("broken upload: %d", a.code)
	}
	build("/repos/broken/main/" + sha + "/centos/9/")
	step("chacra__GET__repos_PROJECT_REF_SHA1_DISTRO_VERSION__rpm_bad_package_still_ready.json")
	step("chacra__DELETE__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_NAME__401_noauth.json")
	step("chacra__DELETE__binaries_PROJECT_REF_SHA1_DISTRO_VERSION_ARCH_NAME__204.json")
	for _, f := range checkCallbacks(t, sh) {
		covered[f] = true
	}
}

// reportUncovered fails for each reference file no step compared.
func reportUncovered(t *testing.T, covered map[string]bool) {
	files, err := filepath.Glob(filepath.Join(refDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no reference files in %s: %v", refDir, err)
	}
	var missing []string
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			missing = append(missing, filepath.Base(f))
		}
	}
	if len(missing) > 0 {
		t.Errorf("reference files not compared:\n  %s", strings.Join(missing, "\n  "))
	}
}

// checkCallbacks compares what the fake shaman received with the
// captured callbacks, matched by status, project, distro and flavor.
func checkCallbacks(t *testing.T, sh *shaman) []string {
	t.Helper()
	files := []string{
		"chacra-callback__POST__shaman_api_nodes_HOST__health_ping.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__queued_deb.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__queued_rpm.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__building_deb.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__building_rpm.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__ready_deb.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__ready_rpm.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__ready_raw.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__requested_deb.json",
		"chacra-callback__POST__shaman_api_repos_PROJECT__requested_rpm.json",
	}
	eventually(t, "the requested and raw callbacks", func() bool { return len(sh.received()) >= 15 })
	for _, f := range files {
		ex := loadExchange(t, f)
		want, _ := ex.Request.JSON.(map[string]any)
		var got *received
		for _, r := range sh.received() {
			if r.Path == ex.Request.URL && r.Body["status"] == want["status"] && r.Body["distro"] == want["distro"] &&
				r.Body["flavor"] == want["flavor"] {
				got = &r
				break
			}
		}
		if got == nil {
			t.Errorf("%s: no callback %v to %s", f, want["status"], ex.Request.URL)
			continue
		}
		if auth := "basic " + got.User + ":" + got.Key; auth != ex.Request.Auth {
			t.Errorf("%s: auth %q, want %q", f, auth, ex.Request.Auth)
		}
		if got.ContentType != ex.Request.ContentType {
			t.Errorf("%s: Content-Type %q, want %q", f, got.ContentType, ex.Request.ContentType)
		}
		shapeDiff(t, f, want, got.Body)
		if u, _ := got.Body["url"].(string); want["url"] != nil && !strings.Contains(u, "/r/"+got.Body["project_name"].(string)+"/") {
			t.Errorf("%s: url %q", f, u)
		}
	}
	return files
}
