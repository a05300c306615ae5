package test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/store/storetest"
)

// outcome is one answered (or unanswered) request during the outage test.
type outcome struct {
	name       string
	code       int // 0: no answer
	took       time.Duration
	retryAfter bool
	reason     string
	phase      string // before, down, after
}

// TestEtcdOutageAnswersEveryRequest: an external etcd goes away for 20 s
// (every connection to it blackholed) under 4 writers and a reader. Every
// request is answered within 5 s: 503 or 504 with Retry-After while etcd
// is gone; writes succeed again by themselves after it returns; every 201
// is stored, nothing is stored twice, and one watch sees each stored
// object once.
func TestEtcdOutageAnswersEveryRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("a 40 s outage test")
	}
	e := storetest.Etcd(t)
	target, _ := url.Parse(e.Endpoints[0])
	proxy := startEtcdProxy(t, target.Host)
	s := StartServer(t, "--etcd-endpoints", proxy.URL(), "--controllers", "none")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := map[string]int{}
	var seenMu sync.Mutex
	watchDone := make(chan struct{})
	go func() { defer close(watchDone); watchCreates(ctx, t, s, seen, &seenMu) }()

	var mu sync.Mutex
	var outcomes []outcome
	phase := "before"
	client := &http.Client{Timeout: 30 * time.Second}
	do := func(method, path, body, name string) {
		mu.Lock()
		ph := phase
		mu.Unlock()
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		o := outcome{name: name, took: time.Since(start), phase: ph}
		if err == nil {
			var st struct{ Reason string }
			_ = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			o.code, o.retryAfter, o.reason = resp.StatusCode, resp.Header.Get("Retry-After") != "", st.Reason
		}
		mu.Lock()
		outcomes = append(outcomes, o)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-%d", w, n)
				do("POST", "/apis/minka.dev/v1alpha1/namespaces/ci/deployments", fmt.Sprintf(
					`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":%q,"namespace":"ci"},"spec":{"image":"web:1","replicas":1,"cpus":0.1,"mem":32}}`, name), name)
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			do("GET", "/apis/minka.dev/v1alpha1/namespaces/ci/deployments/w0-0", "", "")
		}
	}()
	setPhase := func(p string) { mu.Lock(); phase = p; mu.Unlock() }
	time.Sleep(3 * time.Second)
	setPhase("down")
	proxy.Down()
	time.Sleep(20 * time.Second)
	proxy.Up()
	setPhase("after")
	time.Sleep(12 * time.Second)
	close(stop)
	wg.Wait()

	// What etcd holds, read directly.
	resp, err := e.Client.Get(context.Background(), "/minka/deployments/ci/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, kv := range resp.Kvs {
		stored[strings.TrimPrefix(string(kv.Key), "/minka/deployments/ci/")] = true
	}
	time.Sleep(time.Second) // the watch catches up
	cancel()
	<-watchDone

	byCode := map[string]int{}
	var slow []string
	created, recovered := 0, false
	for _, o := range outcomes {
		key := fmt.Sprintf("%s %d", o.phase, o.code)
		if o.code >= 300 {
			key += " " + o.reason
		}
		byCode[key]++
		if o.took > 5*time.Second || o.code == 0 {
			slow = append(slow, fmt.Sprintf("%s %s: %d after %v", o.phase, o.name, o.code, o.took.Round(time.Millisecond)))
		}
		if o.phase == "down" && o.code >= 500 && !o.retryAfter {
			t.Errorf("down: %d %s without Retry-After", o.code, o.reason)
		}
		if o.code == 201 {
			created++
			if !stored[o.name] {
				t.Errorf("%s answered 201 but is not stored: lost", o.name)
			}
			if o.phase == "after" {
				recovered = true
			}
		}
	}
	seenMu.Lock()
	for name := range stored {
		if seen[name] != 1 {
			t.Errorf("the watch saw %s %d times, want once", name, seen[name])
		}
	}
	seenMu.Unlock()
	keys := make([]string, 0, len(byCode))
	for k := range byCode {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var summary []string
	for _, k := range keys {
		summary = append(summary, fmt.Sprintf("%s×%d", k, byCode[k]))
	}
	t.Logf("answers by phase and code: %s; %d created (201), %d stored", strings.Join(summary, ", "), created, len(stored))
	if t.Failed() {
		t.Logf("server log:\n%s", tail(s.Logs(), 40))
	}
	if len(slow) > 0 {
		t.Errorf("%d requests answered after more than 5 s or not at all, e.g. %v", len(slow), slow[:min(5, len(slow))])
	}
	if !recovered {
		t.Error("no create succeeded after etcd returned")
	}
}

// watchCreates counts ADDED events by name on a watch of ci's
// Deployments, reconnecting from the last revision seen until ctx ends.
func watchCreates(ctx context.Context, t *testing.T, s *Server, seen map[string]int, mu *sync.Mutex) {
	rv := ""
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/apis/minka.dev/v1alpha1/namespaces/ci/deployments?watch=true&resourceVersion="+rv, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var ev struct {
				Type   string
				Object struct {
					Metadata struct{ Name, ResourceVersion string }
				}
			}
			if json.Unmarshal(sc.Bytes(), &ev) != nil {
				continue
			}
			if ev.Object.Metadata.ResourceVersion != "" {
				rv = ev.Object.Metadata.ResourceVersion
			}
			if ev.Type == "ADDED" {
				mu.Lock()
				seen[ev.Object.Metadata.Name]++
				mu.Unlock()
			}
		}
		resp.Body.Close()
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
