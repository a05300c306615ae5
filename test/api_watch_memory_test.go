package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rssMiB is a process's resident set size from /proc, in MiB.
func rssMiB(t testing.TB, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading the server's RSS: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// peakRSS samples the RSS every 100ms for d and returns the largest.
func peakRSS(t testing.TB, pid int, d time.Duration) float64 {
	peak := 0.0
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		peak = max(peak, rssMiB(t, pid))
	}
	return peak
}

// stuckWatch opens a watch over a raw connection with a small receive
// buffer and never reads its answer: the client that cost the server
// 3.9 GB.
func stuckWatch(t testing.TB, s *Server, path string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	c, err := d.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatalf("dialing a watch: %v", err)
	}
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: minka\r\n\r\n", path); err != nil {
		t.Fatalf("sending a watch: %v", err)
	}
	return c
}

// createBig creates n Deployments big-000… of about size bytes each, 8
// at a time.
func createBig(t *testing.T, s *Server, n, size int) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if r := call(t, s, "POST", deploys, "", deployWithEnv(fmt.Sprintf("big-%03d", i), size)); r.code != 201 {
				t.Errorf("create big-%03d: %d %.200s", i, r.code, r.raw)
			}
		}()
	}
	wg.Wait()
}

const watchGauge = `apiserver_longrunning_requests{resource="deployments",verb="watch"}`

// TestWatchMemoryIsBounded is issue 12's figure: with about 8 MB stored,
// 500 watches that never read once took the server from 85 MB to 3.9 GB
// RSS, 2.9 GB after they closed. Each watch without a resourceVersion
// listed and decoded every object for itself and held it until its client
// read. Served from one shared cache, the server stays under 300 MB and
// returns near its baseline once they close. The server is built without
// the race detector, which multiplies memory.
func TestWatchMemoryIsBounded(t *testing.T) {
	const (
		watchers = 500
		objects  = 160
		objBytes = 50_000 // 160 × 50 KB = 8 MB stored
		limitMiB = 300
	)
	s := startServerBin(t, plainBinary(t), "--controllers", "none", "--max-watches-per-client", strconv.Itoa(watchers))
	createBig(t, s, objects, objBytes)
	if t.Failed() {
		t.FailNow()
	}
	pid := s.Pid()
	time.Sleep(2 * time.Second)
	base := peakRSS(t, pid, time.Second)

	conns := make([]net.Conn, watchers)
	for i := range conns {
		conns[i] = stuckWatch(t, s, deploys+"?watch=true")
	}
	waitMetric(t, s, watchGauge, watchers, 60*time.Second)
	peak := peakRSS(t, pid, 5*time.Second)
	for _, c := range conns {
		c.Close()
	}
	waitMetric(t, s, watchGauge, 0, 60*time.Second)
	after := peakRSS(t, pid, 10*time.Second)
	after = min(after, rssMiB(t, pid))

	t.Logf("%d objects, %.1f MB stored; RSS: baseline %.0f MiB, with %d stuck watches %.0f MiB, 10 s after they closed %.0f MiB",
		objects, float64(objects*objBytes)/1e6, base, watchers, peak, after)
	if peak > limitMiB {
		t.Errorf("RSS with %d stuck watches: %.0f MiB, want under %d MiB", watchers, peak, limitMiB)
	}
	if after > base+50 {
		t.Errorf("RSS 10 s after the watches closed: %.0f MiB, want within 50 MiB of the %.0f MiB baseline", after, base)
	}
}

// TestSlowWatchersAreEnded: a watcher that reads nothing while changes
// keep coming is ended once its queue stays full (its connection is
// closed at once, though its handler is blocked writing to it), and
// counted; a watcher beside it that reads gets every change.
func TestSlowWatchersAreEnded(t *testing.T) {
	const (
		objects  = 300
		objBytes = 50_000
	)
	s := startServerBin(t, plainBinary(t), "--controllers", "none")
	reader := watchLines(t, s)
	stuck := stuckWatch(t, s, deploys+"?watch=true")
	defer stuck.Close()
	waitMetric(t, s, watchGauge, 2, 10*time.Second)
	// The reader reads as the changes come, beside the writers.
	seenc := make(chan map[string]bool, 1)
	go func() {
		seen := map[string]bool{}
		defer func() { seenc <- seen }()
		for deadline := time.After(60 * time.Second); len(seen) < objects; {
			select {
			case l, ok := <-reader:
				if !ok {
					return
				}
				var ev struct {
					Type   string
					Object struct{ Metadata struct{ Name string } }
				}
				if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Type != "ADDED" {
					t.Errorf("reading watch: %.200s (%v)", l, err)
					return
				}
				seen[ev.Object.Metadata.Name] = true
			case <-deadline:
				return
			}
		}
	}()
	createBig(t, s, objects, objBytes)
	waitMetric(t, s, `minka_apiserver_terminated_watchers_total{resource="deployments"}`, 1, 30*time.Second)
	waitMetric(t, s, watchGauge, 1, 10*time.Second)
	// The stuck client's socket holds what was written, then its end.
	_ = stuck.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, err := io.Copy(io.Discard, stuck)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the ended watcher's connection is still open after 30s (%d bytes read)", n)
	}
	if seen := <-seenc; len(seen) != objects {
		t.Fatalf("the reading watch saw %d of %d objects", len(seen), objects)
	}
	t.Logf("%d changes of %d KB: the stuck watcher was ended after %d bytes reached its socket; the reader saw all %d",
		objects, objBytes/1000, n, objects)
}
