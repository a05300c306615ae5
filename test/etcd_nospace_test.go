package test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestEtcdOutOfSpace is issue 12's point 6: an etcd whose database reached
// its quota refused every write with a 500 "mvcc: database space
// exceeded" while /readyz said ready. Now: writes are 507
// InsufficientStorage naming the way back, reads and deletes work,
// /readyz is 503 "etcd: out of space", minka_etcd_alarm{alarm="NOSPACE"}
// is 1, disarming too early is refused, and `minka admin etcd recover`
// (compact, defragment, disarm) brings writes back without losing an
// object.
func TestEtcdOutOfSpace(t *testing.T) {
	const quota = 16 << 20
	s := StartServer(t, "--controllers", "none", "--etcd-quota-backend-bytes", fmt.Sprint(quota))
	if r := call(t, s, "POST", deploys, "", webJSON("small", "nginx:1", 1)); r.code != 201 {
		t.Fatalf("create small: %d %s", r.code, r.raw)
	}
	if r := call(t, s, "POST", deploys, "", webJSON("keep", "nginx:1", 1)); r.code != 201 {
		t.Fatalf("create keep: %d %s", r.code, r.raw)
	}
	// Each version of a 1 MB object stays in etcd's history until a
	// compaction: the database grows by about 1 MB a write.
	var full reply
	writes := 0
	for ; writes < 100; writes++ {
		body := strings.Replace(deployWithEnv("big", 1_000_000), `"nginx:1"`, fmt.Sprintf(`"nginx:%d"`, writes), 1)
		method, path := "PUT", deploys+"/big"
		if writes == 0 {
			method, path = "POST", deploys
		}
		if full = call(t, s, method, path, "", body); full.code >= 300 {
			break
		}
	}
	if full.code != 507 || full.str("reason") != "InsufficientStorage" || !strings.Contains(full.str("message"), "minka admin etcd recover") {
		t.Fatalf("after %d writes of 1 MB into a %d MiB quota: %d %.400s, want 507 InsufficientStorage naming 'minka admin etcd recover'",
			writes, quota>>20, full.code, full.raw)
	}
	t.Logf("the %d MiB quota refused write %d: %d %s: %s", quota>>20, writes+1, full.code, full.str("reason"), full.str("message"))

	ready := call(t, s, "GET", "/readyz", "", "")
	if ready.code != 503 || !strings.Contains(ready.raw, "etcd: out of space") {
		t.Errorf("/readyz with NOSPACE: %d %q, want 503 etcd: out of space", ready.code, ready.raw)
	}
	if v := metricValue(t, s, `minka_etcd_alarm{alarm="NOSPACE"}`); v != 1 {
		t.Errorf(`minka_etcd_alarm{alarm="NOSPACE"} = %v, want 1`, v)
	}
	if r := call(t, s, "POST", deploys, "", webJSON("new", "nginx:1", 1)); r.code != 507 {
		t.Errorf("a small create with NOSPACE: %d %.200s, want 507", r.code, r.raw)
	}
	if r := call(t, s, "GET", deploys+"/big", "", ""); r.code != 200 || r.str("spec", "image") != fmt.Sprintf("nginx:%d", writes-1) {
		t.Errorf("GET big with NOSPACE: %d image %q, want 200 and the last stored image nginx:%d", r.code, r.str("spec", "image"), writes-1)
	}
	if r := call(t, s, "DELETE", deploys+"/small", "", ""); r.code != 200 {
		t.Errorf("DELETE small with NOSPACE: %d %.200s, want 200 (etcd takes deletes)", r.code, r.raw)
	}

	out, errOut, code := Minka(t, s, "", "admin", "etcd", "status")
	if code != 0 || !strings.Contains(out, "alarm: NOSPACE on member") || !strings.Contains(out, "16.0 MiB") {
		t.Errorf("minka admin etcd status: exit %d\n%s%s\nwant the NOSPACE alarm and the 16.0 MiB quota", code, out, errOut)
	}
	t.Logf("minka admin etcd status:\n%s", out)
	out, errOut, code = Minka(t, s, "", "admin", "etcd", "disarm")
	if code == 0 || !strings.Contains(errOut, "compact and defragment first") {
		t.Errorf("disarm before freeing space: exit %d\n%s%s\nwant a refusal saying to compact and defragment first", code, out, errOut)
	}

	start := time.Now()
	out, errOut, code = Minka(t, s, "", "admin", "etcd", "recover")
	if code != 0 || !strings.Contains(out, "compacted at revision") || !strings.Contains(out, "defragmented") ||
		!strings.Contains(out, "disarmed NOSPACE on member") || !strings.Contains(out, "alarms: none") {
		t.Fatalf("minka admin etcd recover: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("minka admin etcd recover (%v):\n%s", time.Since(start).Round(time.Millisecond), out)

	if r := call(t, s, "PUT", deploys+"/big", "", strings.Replace(deployWithEnv("big", 1_000_000), `"nginx:1"`, `"nginx:after"`, 1)); r.code != 200 {
		t.Errorf("update big after recover: %d %.300s", r.code, r.raw)
	}
	if r := call(t, s, "POST", deploys, "", webJSON("new", "nginx:1", 1)); r.code != 201 {
		t.Errorf("create after recover: %d %.300s", r.code, r.raw)
	}
	if r := call(t, s, "GET", deploys+"/keep", "", ""); r.code != 200 {
		t.Errorf("GET keep after recover: %d, want the object kept", r.code)
	}
	if r := call(t, s, "GET", "/readyz", "", ""); r.code != 200 {
		t.Errorf("/readyz after recover: %d %q", r.code, r.raw)
	}
	if v := metricValue(t, s, `minka_etcd_alarm{alarm="NOSPACE"}`); v != 0 {
		t.Errorf(`minka_etcd_alarm{alarm="NOSPACE"} after recover = %v, want 0`, v)
	}
}
