package marathon

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEventsServlet: /v2/events is Jetty's EventSourceServlet
// (jetty-servlets EventSourceServlet.java; Marathon's
// HttpEventStreamServlet): it streams only for an Accept header that is
// exactly text/event-stream, else HttpServlet's 405 "HTTP method GET is
// not supported by this URL" through Jetty's ErrorHandler (an HTML page
// when Accept admits text/html; reference README item 16 and
// d2iq-archive/marathon#1801 report the same 405).
func TestEventsServlet(t *testing.T) {
	_, hs, _ := newSim(t)
	cases := []struct {
		name, method string
		hdr          map[string]string
		code         int
		ctype, body  string
	}{
		{"no Accept: an HTML page", "GET", nil, 405, "text/html;charset=ISO-8859-1", "HTTP method GET is not supported by this URL"},
		{"a browser", "GET", map[string]string{"Accept": "text/html,*/*;q=0.8"}, 405, "text/html;charset=ISO-8859-1", "<h2>HTTP ERROR 405</h2>"},
		{"JSON only: no page", "GET", map[string]string{"Accept": "application/json"}, 405, "", ""},
		{"not exactly text/event-stream", "GET", map[string]string{"Accept": "text/event-stream, */*"}, 405, "text/html;charset=ISO-8859-1", "Problem accessing /v2/events."},
		{"POST", "POST", nil, 405, "text/html;charset=ISO-8859-1", "HTTP method POST is not supported by this URL"},
		{"DELETE: no page for other methods", "DELETE", nil, 405, "", ""},
		{"PATCH is not a servlet method", "PATCH", nil, 501, "", ""},
		{"OPTIONS", "OPTIONS", nil, 200, "", ""},
	}
	for _, tc := range cases {
		r := send(t, hs.URL, tc.method, "/v2/events", tc.hdr, "")
		if r.code != tc.code || r.hdr.Get("Content-Type") != tc.ctype || !strings.Contains(string(r.body), tc.body) {
			t.Errorf("%s: %d %q %q, want %d %q containing %q", tc.name, r.code, r.hdr.Get("Content-Type"), r.body, tc.code, tc.ctype, tc.body)
		}
		if tc.body == "" && len(r.body) != 0 {
			t.Errorf("%s: body %q, want none", tc.name, r.body)
		}
	}
	if a := send(t, hs.URL, "OPTIONS", "/v2/events", nil, "").hdr.Get("Allow"); a != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS Allow %q", a)
	}
	// HttpServlet answers a GET it does not support over HTTP/1.0 with 400.
	conn, err := net.Dial("tcp", strings.TrimPrefix(hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET /v2/events HTTP/1.0\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("HTTP/1.0 GET: %v %v, want 400", err, resp)
	}
}

// TestEventStreamFraming: the stream's headers, CRLF-terminated frames
// (EventSourceEmitter writes "\r\n") and the CRLF heartbeat.
func TestEventStreamFraming(t *testing.T) {
	c, hs, _ := newSim(t)
	c.heartbeat = 20 * time.Millisecond
	req, _ := http.NewRequest("GET", hs.URL+"/v2/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream;charset=UTF-8" || !resp.Close {
		t.Fatalf("stream: %d %q close=%v", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Close)
	}
	if resp.Header.Get("X-Marathon-Leader") == "" || resp.Header.Get("Cache-Control") == "" {
		t.Errorf("the servlet is behind the filters too: %v", resp.Header)
	}
	br := bufio.NewReader(resp.Body)
	want := []string{"event: event_stream_attached\r\n", "data: {", "\r\n", "\r\n"}
	for i, w := range want {
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, w) || !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("line %d: %q %v, want %q…\\r\\n", i, line, err, w)
		}
		if i == 1 && !strings.Contains(line, `"remoteAddress":"127.0.0.1"`) {
			t.Errorf("attached event %q: remoteAddress is getRemoteAddr, the IP alone", line)
		}
	}
}

// TestWebJarServlet: the UI paths are WebJarServlet's, not Jersey's:
// redirects as it sets them, and its 404 for UI files (not simulated).
func TestWebJarServlet(t *testing.T) {
	_, hs, _ := newSim(t)
	cases := []struct {
		method, path string
		code         int
		location     string
	}{
		{"GET", "/", 302, "ui/"},
		{"GET", "/help", 302, "api-console/index.html"},
		{"GET", "/ui", 302, "/ui/"},
		{"GET", "/ui/fonts", 302, "/ui/fonts/"},
		{"GET", "/ui/", 404, ""},
		{"POST", "/", 405, ""},
	}
	for _, tc := range cases {
		r := send(t, hs.URL, tc.method, tc.path, nil, "")
		if r.code != tc.code || r.hdr.Get("Location") != tc.location {
			t.Errorf("%s %s: %d Location %q, want %d %q", tc.method, tc.path, r.code, r.hdr.Get("Location"), tc.code, tc.location)
		}
		if tc.code >= 400 && !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: Content-Type %q, want Jetty's error page", tc.method, tc.path, r.hdr.Get("Content-Type"))
		}
	}
}
