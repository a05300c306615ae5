package test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"minka/store/storetest"
)

// slowBody is a raw connection that sends a request's headers with a
// Content-Length, then trickles the body a byte at a time: a client that
// would hold a handler (and an in-flight slot) for as long as it likes.
type slowBody struct {
	conn    net.Conn
	started time.Time // before the dial: the server cannot start the clock earlier
	stop    chan struct{}
	done    chan slowResult
}

// slowResult is how the server ended a slowBody's request: its answer's
// status ("" for a connection closed without one), after how long, and
// when the connection was closed (an EOF, or a reset when the close met a
// trickled byte) or found still open (a timeout of the client's deadline).
type slowResult struct {
	status    string
	answered  time.Duration
	closed    time.Duration
	stillOpen bool
}

func startSlowBody(t *testing.T, s *Server, method, path string, every time.Duration) *slowBody {
	t.Helper()
	b := &slowBody{started: time.Now(), stop: make(chan struct{}), done: make(chan slowResult, 1)}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatalf("dialing the server: %v", err)
	}
	b.conn = conn
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second)) // a test that fails does not hang
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: minka\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", method, path)
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatalf("sending headers: %v", err)
	}
	go b.trickle(every)
	go b.read()
	return b
}

// trickle writes one byte every interval until stopped or refused.
func (b *slowBody) trickle(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-tick.C:
			if _, err := b.conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}
}

// read waits for the answer, then for the connection's end.
func (b *slowBody) read() {
	var r slowResult
	br := bufio.NewReader(b.conn)
	if resp, err := http.ReadResponse(br, nil); err == nil {
		r.status, r.answered = resp.Status, time.Since(b.started)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	_, err := br.ReadByte() // the server closes after it: nothing else comes
	var ne net.Error
	r.closed, r.stillOpen = time.Since(b.started), err == nil || errors.As(err, &ne) && ne.Timeout()
	b.done <- r
}

// close ends the client side.
func (b *slowBody) close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	_ = b.conn.Close()
}

// metricValue is metric (deployment_ops_test.go) as a number, 0 when absent.
func metricValue(t *testing.T, s *Server, series string) float64 {
	t.Helper()
	v := metric(t, s, series)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("metric %s: %q: %v", series, v, err)
	}
	return f
}

// waitMetric polls a series until it reaches want, within d.
func waitMetric(t *testing.T, s *Server, series string, want float64, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got := metricValue(t, s, series)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v after %v, want %v", series, got, d, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// watchLines opens a watch on deploys and returns its lines.
func watchLines(t *testing.T, s *Server) <-chan string {
	t.Helper()
	resp, err := http.Get(s.URL + deploys + "?watch=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("watch: %s", resp.Status)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

const mutatingInflight = `minka_apiserver_current_inflight_requests{request_kind="mutating"}`

// TestLimitsSlowBodiesAreCut: 200 connections that send their headers and
// then a body at 1 byte/s are each answered and closed once the read
// timeout is past; meanwhile a normal client's GETs are served, and a
// watch opened before them outlives the read timeout.
func TestLimitsSlowBodiesAreCut(t *testing.T) {
	const (
		conns       = 200
		readTimeout = 2 * time.Second
		margin      = 5 * time.Second
	)
	s := StartServer(t, "--controllers", "none", "--request-read-timeout", readTimeout.String())
	call(t, s, "GET", "/readyz", "", "")
	watch := watchLines(t, s)
	watchOpened := time.Now()

	slow := make([]*slowBody, conns)
	for i := range slow {
		slow[i] = startSlowBody(t, s, "POST", deploys, time.Second)
		defer slow[i].close()
	}
	first := slow[0].started
	// Each holds a handler and a mutating slot (the default limit is 200).
	waitMetric(t, s, mutatingInflight, conns, readTimeout/2)
	held := time.Since(first)

	gets, slowest := 0, time.Duration(0)
	for time.Since(first) < readTimeout {
		began := time.Now()
		if r := call(t, s, "GET", deploys, "", ""); r.code != 200 {
			t.Fatalf("a normal GET among the slow bodies: %d %s", r.code, r.raw)
		}
		gets++
		slowest = max(slowest, time.Since(began))
		time.Sleep(50 * time.Millisecond)
	}

	var answered, closed []time.Duration
	statuses := map[string]int{}
	for i, b := range slow {
		select {
		case r := <-b.done:
			statuses[r.status]++
			if r.status != "" {
				answered = append(answered, r.answered)
			}
			if r.status != "" && r.status != "408 Request Timeout" {
				t.Errorf("slow body %d was answered %q, want 408 Request Timeout (the client was slow, its request not malformed)", i, r.status)
			}
			closed = append(closed, r.closed)
			if r.stillOpen {
				t.Errorf("slow body %d: the server did not close the connection", i)
			}
			if r.closed < readTimeout*9/10 {
				t.Errorf("slow body %d was cut after %v, before the read timeout (%v)", i, r.closed, readTimeout)
			}
			if r.closed > readTimeout+margin {
				t.Errorf("slow body %d was cut after %v, want within %v", i, r.closed, readTimeout+margin)
			}
		case <-time.After(time.Until(b.started.Add(readTimeout + margin))):
			t.Fatalf("slow body %d still open after %v (read timeout %v)", i, readTimeout+margin, readTimeout)
		}
	}
	slices.Sort(answered)
	slices.Sort(closed)
	t.Logf("%d slow bodies (1 byte/s, --request-read-timeout %v): all %d held a mutating slot %v after the first dial; "+
		"answers %v; answered after %v (min) .. %v (max); closed after %v .. %v",
		conns, readTimeout, conns, held.Round(time.Millisecond), statuses,
		pick(answered, 0).Round(time.Millisecond), pick(answered, -1).Round(time.Millisecond), pick(closed, 0).Round(time.Millisecond), pick(closed, -1).Round(time.Millisecond))
	t.Logf("meanwhile %d normal GETs answered 200, the slowest in %v", gets, slowest.Round(time.Millisecond))

	waitMetric(t, s, mutatingInflight, 0, margin)
	time.Sleep(time.Until(watchOpened.Add(readTimeout + time.Second))) // well past the watch's read timeout
	if r := call(t, s, "POST", deploys, "", webJSON("after", "nginx:1", 1)); r.code != 201 {
		t.Fatalf("a create once the slow bodies are gone: %d %s", r.code, r.raw)
	}
	for {
		select {
		case l, ok := <-watch:
			if !ok {
				t.Fatalf("the watch ended (it was opened %v ago; the read timeout must not cut it)", time.Since(watchOpened))
			}
			if strings.Contains(l, `"ADDED"`) && strings.Contains(l, `"name":"after"`) {
				t.Logf("the watch opened %v before still streams: ADDED after", time.Since(watchOpened).Round(time.Millisecond))
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the watch opened before the slow bodies did not see the create within 10s")
		}
	}
}

// pick returns the i-th duration, counting from the end when negative.
func pick(ds []time.Duration, i int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	if i < 0 {
		i += len(ds)
	}
	return ds[i]
}

// TestLimitsMutatingInFlight: with --max-mutating-requests-inflight 2 and
// two slow bodies holding the slots, further writes are answered 429 at
// once, with Retry-After and details.retryAfterSeconds, while GETs are
// served; the slots come back when the slow bodies go.
func TestLimitsMutatingInFlight(t *testing.T) {
	s := StartServer(t, "--controllers", "none", "--max-mutating-requests-inflight", "2", "--request-read-timeout", "20s")
	if r := call(t, s, "POST", deploys, "", webJSON("web", "nginx:1", 1)); r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.raw)
	}
	holds := []*slowBody{
		startSlowBody(t, s, "POST", deploys, time.Second),
		startSlowBody(t, s, "PUT", deploys+"/web", time.Second),
	}
	for _, b := range holds {
		defer b.close()
	}
	waitMetric(t, s, mutatingInflight, 2, 5*time.Second)

	writes := []struct{ method, path, body string }{
		{"POST", deploys, webJSON("api", "nginx:1", 1)},
		{"PUT", deploys + "/web", webJSON("web", "nginx:2", 1)},
		{"DELETE", deploys + "/web", ""},
		{"PUT", deploys + "/web/scale", `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","namespace":"ci"},"spec":{"replicas":3}}`},
	}
	const rounds = 10
	refused, gets, slowest := 0, 0, time.Duration(0)
	for i := range rounds * len(writes) {
		w := writes[i%len(writes)]
		began := time.Now()
		r, hdr := callWithHeader(t, s, w.method, w.path, "", w.body)
		took := time.Since(began)
		slowest = max(slowest, took)
		switch {
		case r.code != http.StatusTooManyRequests:
			t.Errorf("%s %s with the mutating slots full: %d, want 429\n%s", w.method, w.path, r.code, r.raw)
		case hdr.Get("Retry-After") != "1":
			t.Errorf("%s %s: 429 with Retry-After %q, want 1", w.method, w.path, hdr.Get("Retry-After"))
		case r.str("kind") != "Status" || r.str("reason") != "TooManyRequests" || r.str("details", "retryAfterSeconds") != "1":
			t.Errorf("%s %s: the 429 is not a TooManyRequests Status with retryAfterSeconds 1: %s", w.method, w.path, r.raw)
		default:
			refused++
		}
		if g := call(t, s, "GET", deploys+"/web", "", ""); g.code != 200 {
			t.Errorf("a GET with the mutating slots full: %d %s", g.code, g.raw)
		} else {
			gets++
		}
	}
	if got := metricValue(t, s, `minka_apiserver_dropped_requests_total{request_kind="mutating"}`); got != float64(refused) {
		t.Errorf("minka_apiserver_dropped_requests_total{mutating} = %v, want %d", got, refused)
	}
	if got := metricValue(t, s, `minka_apiserver_dropped_requests_total{request_kind="readOnly"}`); got != 0 {
		t.Errorf("minka_apiserver_dropped_requests_total{readOnly} = %v, want 0", got)
	}
	t.Logf("2 slow bodies holding the 2 mutating slots: %d of %d writes answered 429 (Retry-After: 1), the slowest in %v; %d GETs answered 200",
		refused, rounds*len(writes), slowest.Round(time.Microsecond), gets)

	for _, b := range holds {
		b.close()
	}
	waitMetric(t, s, mutatingInflight, 0, 5*time.Second)
	if r := call(t, s, "POST", deploys, "", webJSON("api", "nginx:1", 1)); r.code != 201 {
		t.Errorf("a create once the slow bodies are gone: %d %s", r.code, r.raw)
	}
}

// TestLimitsIdleConnectionsAreClosed: a keep-alive connection that sends
// no further request is closed after --idle-timeout.
func TestLimitsIdleConnectionsAreClosed(t *testing.T) {
	const idle = time.Second
	s := StartServer(t, "--controllers", "none", "--idle-timeout", idle.String())
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	for i := range 2 { // the connection is kept alive between requests
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: minka\r\n\r\n"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on the kept-alive connection: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	answered := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("reading the idle connection: %v, want EOF", err)
	}
	took := time.Since(answered)
	if took < idle*9/10 || took > idle+4*time.Second {
		t.Errorf("the idle connection was closed after %v, want about %v", took, idle)
	}
	t.Logf("idle keep-alive connection closed %v after its last answer (--idle-timeout %v)", took.Round(time.Millisecond), idle)
}

// TestAPIReadyzHidesEtcdError: once etcd is gone /readyz answers 503
// within about its 2 s probe timeout, saying only that etcd is not ready;
// the reason is in the server's log.
func TestAPIReadyzHidesEtcdError(t *testing.T) {
	e := storetest.Etcd(t)
	s := StartServer(t, "--etcd-endpoints", e.Endpoints[0], "--controllers", "none")
	if r := call(t, s, "GET", "/readyz", "", ""); r.code != 200 {
		t.Fatalf("/readyz with etcd up: %d %s", r.code, r.raw)
	}
	e.Close()
	lost := time.Now()
	var r reply
	for {
		r = call(t, s, "GET", "/readyz", "", "")
		if r.code == http.StatusServiceUnavailable {
			break
		}
		if time.Since(lost) > 10*time.Second {
			t.Fatalf("/readyz still %d 10s after etcd stopped", r.code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(lost)
	if took > 3*time.Second {
		t.Errorf("/readyz went 503 %v after etcd stopped, want within about 2s", took)
	}
	if r.raw != "etcd: not ready\n" {
		t.Errorf("/readyz body %q, want only %q", r.raw, "etcd: not ready\n")
	}
	_ = s.Stop(t) // the log is complete once the process is gone
	if !strings.Contains(s.Logs(), "readyz: etcd not ready") {
		t.Errorf("the reason is not in the log:\n%s", s.Logs())
	}
	t.Logf("/readyz 503 %q %v after etcd stopped", r.raw, took.Round(time.Millisecond))
}
