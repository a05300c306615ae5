package apiserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"minka/store"
	"minka/store/storetest"
	"minka/store/watchcache"
)

func newTestServer(t testing.TB, cfg Config) (*httptest.Server, *store.Etcd) {
	t.Helper()
	st, e := storetest.Store(t)
	srv, err := New(st, Options{Config: cfg, Log: logr.Discard(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return hs, e
}

func post(t *testing.T, url, body string) map[string]any {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %v", resp.StatusCode, m)
	}
	return m
}

const poolPath = "/apis/minka.dev/v1alpha1/namespaces/ci/slavepools"

func pool(name string) string {
	return fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"SlavePool","metadata":{"name":%q},"spec":{"labels":["amd64"],"template":{"image":"u","flavor":"f"}}}`, name)
}

// TestWatchFromTooOldRevisionIsGone: a watch from a revision older than
// the watch cache's history gets one ERROR line with a 410 Status and the
// stream ends, as from kube-apiserver ("too old resource version"); the
// client relists. A revision etcd has compacted but the history holds is
// served from it.
func TestWatchFromTooOldRevisionIsGone(t *testing.T) {
	st, e := storetest.Store(t)
	srv, err := New(st, Options{Log: logr.Discard(), WatchCache: watchcache.Options{History: 2}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	rvOf := func(obj map[string]any) string { return obj["metadata"].(map[string]any)["resourceVersion"].(string) }
	first := rvOf(post(t, hs.URL+poolPath, pool("a")))
	second := rvOf(post(t, hs.URL+poolPath, pool("b")))
	post(t, hs.URL+poolPath, pool("c"))
	last := rvOf(post(t, hs.URL+poolPath, pool("d")))
	lines := func(rv string) []string {
		w, err := http.Get(hs.URL + poolPath + "?watch=true&timeoutSeconds=1&resourceVersion=" + rv)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Body.Close()
		var out []string
		for sc := bufio.NewScanner(w.Body); sc.Scan(); {
			out = append(out, sc.Text())
		}
		return out
	}
	lines(last) // a watch from d starts once the cache has d
	ctx := context.Background()
	resp, _ := e.Client.Get(ctx, "/")
	if _, err := e.Client.Compact(ctx, resp.Header.Revision); err != nil {
		t.Fatal(err)
	}
	got := lines(first) // the history holds c and d only
	if len(got) != 1 {
		t.Fatalf("watch from rv %s: %d lines %q, want one ERROR line", first, len(got), got)
	}
	var ev struct {
		Type   string
		Object struct {
			Kind, Reason, Message string
			Code                  int
		}
	}
	if err := json.Unmarshal([]byte(got[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "ERROR" || ev.Object.Kind != "Status" || ev.Object.Code != 410 || ev.Object.Reason != "Expired" ||
		!strings.Contains(ev.Object.Message, "too old resource version: "+first) {
		t.Errorf("watch from rv %s: %s, want ERROR Status 410 Expired, too old resource version", first, got[0])
	}
	if got := lines(second); len(got) != 2 || !strings.Contains(got[0], `"name":"c"`) || !strings.Contains(got[1], `"name":"d"`) {
		t.Errorf("watch from rv %s (compacted in etcd, in the history): %q, want ADDED c, ADDED d", second, got)
	}
}

func TestWatchEndsAtTimeoutSeconds(t *testing.T) {
	hs, _ := newTestServer(t, Config{})
	start := time.Now()
	w, err := http.Get(hs.URL + poolPath + "?watch=true&timeoutSeconds=1")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Body.Close()
	sc := bufio.NewScanner(w.Body)
	for sc.Scan() {
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("watch with timeoutSeconds=1 lasted %v", d)
	}
}

func TestDiscoveryAndMetrics(t *testing.T) {
	hs, _ := newTestServer(t, Config{})
	post(t, hs.URL+poolPath, pool("a"))
	for _, c := range []struct{ path, want string }{
		{"/apis", `"name":"minka.dev"`},
		{"/apis/minka.dev/v1alpha1", `"name":"slavepools/scale"`},
		{"/version", `"gitVersion":"test"`},
		{"/metrics", `apiserver_request_total{code="201",resource="slavepools",subresource="",verb="create"} 1`},
	} {
		resp, err := http.Get(hs.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		resp.Body.Close()
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%s lacks %s:\n%.600s", c.path, c.want, b.String())
		}
	}
}

func TestMergePatch(t *testing.T) {
	hs, _ := newTestServer(t, Config{})
	post(t, hs.URL+poolPath, pool("a"))
	req, _ := http.NewRequest("PATCH", hs.URL+poolPath+"/a", strings.NewReader(`{"spec":{"labels":["amd64","xenial"]}}`))
	req.Header.Set("Content-Type", "application/merge-patch+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		Metadata struct{ Generation int64 }
		Spec     struct{ Labels []string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 200 || len(m.Spec.Labels) != 2 || m.Metadata.Generation != 2 {
		t.Errorf("merge patch: %d %+v", resp.StatusCode, m)
	}
}

// TestConcurrentPatches: patches that name no resourceVersion, sent at
// once, each get applied (the loser of a race is applied again to a fresh
// read, as kube-apiserver does); one that names a stale resourceVersion
// is a 409.
func TestConcurrentPatches(t *testing.T) {
	hs, _ := newTestServer(t, Config{})
	created := post(t, hs.URL+poolPath, pool("a"))
	const n = 8
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"metadata":{"labels":{"l%d":"x"}}}`, i)
			req, _ := http.NewRequest("PATCH", hs.URL+poolPath+"/a", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/merge-patch+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Errorf("a concurrent merge patch answered %d, want 200", c)
		}
	}
	resp, err := http.Get(hs.URL + poolPath + "/a")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metadata struct{ Labels map[string]string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if len(got.Metadata.Labels) != n {
		t.Errorf("after %d concurrent patches the labels are %v: some were lost", n, got.Metadata.Labels)
	}
	stale := created["metadata"].(map[string]any)["resourceVersion"].(string)
	req, _ := http.NewRequest("PATCH", hs.URL+poolPath+"/a", strings.NewReader(`{"metadata":{"resourceVersion":"`+stale+`","labels":{"late":"x"}}}`))
	req.Header.Set("Content-Type", "application/merge-patch+json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("a patch naming a stale resourceVersion answered %d, want 409", resp.StatusCode)
	}
}
