package marathon

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Marathon's event bus as server-sent events at /v2/events.

type subscriber struct {
	ch     chan []byte
	filter map[string]bool // event_type query parameters; empty = all
}

// publish queues an event for every subscriber; called with c.mu held. A
// subscriber too slow to keep 256 events is cut off, as Marathon drops
// slow event-stream consumers; the client reconnects.
func (c *Cluster) publish(eventType string, payload map[string]any) {
	payload["eventType"] = eventType
	payload["timestamp"] = timestamp(c.opts.Now())
	data, _ := json.Marshal(payload)
	f := frame(eventType, data)
	for s := range c.subscribers {
		if len(s.filter) > 0 && !s.filter[eventType] {
			continue
		}
		select {
		case s.ch <- f:
		default:
			close(s.ch)
			delete(c.subscribers, s)
		}
	}
}

// serveEvents is Marathon's HttpEventStreamServlet, a Jetty
// EventSourceServlet (jetty-servlets 9.3): GET streams only when an
// Accept header is exactly "text/event-stream"; any other GET is
// HttpServlet's 405 "HTTP method GET is not supported by this URL" (400
// on HTTP/1.0) as Jetty's HTML error page. The stream is
// text/event-stream;charset=UTF-8 with Connection: close, frames end
// lines with CRLF, and a CRLF heartbeat goes every 10 s.
func (c *Cluster) serveEvents(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		return
	case http.MethodTrace:
		servletError(w, r, http.StatusMethodNotAllowed, "")
		return
	case http.MethodPost, http.MethodPut, http.MethodDelete:
		notSupported(w, r)
		return
	default:
		servletError(w, r, http.StatusNotImplemented, "Method "+r.Method+" is not defined in RFC 2068 and is not supported by the Servlet API")
		return
	}
	stream := false
	for _, a := range r.Header.Values("Accept") {
		stream = stream || a == "text/event-stream"
	}
	flusher, ok := w.(http.Flusher)
	if !stream || !ok {
		notSupported(w, r)
		return
	}
	s := &subscriber{ch: make(chan []byte, 256), filter: map[string]bool{}}
	for _, t := range r.URL.Query()["event_type"] {
		s.filter[t] = true
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		servletError(w, r, http.StatusServiceUnavailable, "")
		return
	}
	c.subscribers[s] = struct{}{}
	c.publishTo(s, "event_stream_attached", map[string]any{"remoteAddress": remoteIP(r)})
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if _, ok := c.subscribers[s]; ok {
			delete(c.subscribers, s)
		}
		c.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream;charset=UTF-8")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	if r.Method == http.MethodHead {
		return
	}
	beat := time.NewTicker(c.heartbeat)
	defer beat.Stop()
	for {
		select {
		case f, ok := <-s.ch:
			if !ok {
				return
			}
			if _, err := w.Write(f); err != nil {
				return
			}
			flusher.Flush()
		case <-beat.C:
			if _, err := w.Write([]byte("\r\n")); err != nil {
				return
			}
			flusher.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

// remoteIP is the client address as the servlet's getRemoteAddr gives it.
func remoteIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// frame is one event as EventSourceEmitter writes it.
func frame(eventType string, data []byte) []byte {
	return []byte(fmt.Sprintf("event: %s\r\ndata: %s\r\n\r\n", eventType, data))
}

func (c *Cluster) publishTo(s *subscriber, eventType string, payload map[string]any) {
	payload["eventType"], payload["timestamp"] = eventType, timestamp(c.opts.Now())
	data, _ := json.Marshal(payload)
	s.ch <- frame(eventType, data)
}

func (c *Cluster) taskEvent(a *app, t *task, status string) {
	ports := []any{}
	for _, p := range t.ports {
		ports = append(ports, p)
	}
	c.publish("status_update_event", map[string]any{"slaveId": t.agentID, "taskId": t.id, "taskStatus": status, "message": "",
		"appId": a.id, "host": t.host, "ipAddresses": []any{map[string]any{"ipAddress": t.host, "protocol": "IPv4"}},
		"ports": ports, "version": t.version})
}

// plan is a deployment plan as events carry it: the root group before and
// after, and the steps.
func (c *Cluster) plan(a *app, d *deployment) map[string]any {
	var before, after []map[string]any
	if d.original != nil {
		before = append(before, c.planApp(a, d.original))
	}
	after = append(after, c.planApp(a, a.spec))
	return map[string]any{"id": d.id, "original": groupTree(before, d.version), "target": groupTree(after, d.version),
		"steps": steps(a, d), "version": d.version}
}

func steps(a *app, d *deployment) []any {
	out := []any{}
	for _, action := range d.actions {
		out = append(out, map[string]any{"actions": []any{map[string]any{"action": action, "app": a.id}}})
	}
	return out
}

// planApp is an app definition as plans write it: with its service ports
// and versionInfo.
func (c *Cluster) planApp(a *app, spec map[string]any) map[string]any {
	m := clone(spec)
	m["ports"] = servicePorts(spec)
	m["versionInfo"] = map[string]any{"lastScalingAt": a.scaledAt, "lastConfigChangeAt": a.config}
	return m
}

// groupTree nests apps in Marathon's groups by their paths: /test/my-app
// sits in group /test under the root group /.
func groupTree(apps []map[string]any, version string) map[string]any {
	group := func(id string) map[string]any {
		return map[string]any{"id": id, "apps": []any{}, "pods": []any{}, "groups": []any{}, "dependencies": []any{}, "version": version}
	}
	root := group("/")
	for _, a := range apps {
		g := root
		id, _ := a["id"].(string)
		segs := strings.Split(strings.Trim(id, "/"), "/")
		for i := range segs[:len(segs)-1] {
			gid := "/" + strings.Join(segs[:i+1], "/")
			var next map[string]any
			for _, sub := range g["groups"].([]any) {
				if sub.(map[string]any)["id"] == gid {
					next = sub.(map[string]any)
				}
			}
			if next == nil {
				next = group(gid)
				g["groups"] = append(g["groups"].([]any), next)
			}
			g = next
		}
		g["apps"] = append(g["apps"].([]any), a)
	}
	return root
}
