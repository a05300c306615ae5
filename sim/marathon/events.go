package marathon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
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
	frame := []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", eventType, data))
	for s := range c.subscribers {
		if len(s.filter) > 0 && !s.filter[eventType] {
			continue
		}
		select {
		case s.ch <- frame:
		default:
			close(s.ch)
			delete(c.subscribers, s)
		}
	}
}

func (c *Cluster) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok || !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		message(w, http.StatusNotAcceptable, "the event stream needs Accept: text/event-stream")
		return
	}
	s := &subscriber{ch: make(chan []byte, 256), filter: map[string]bool{}}
	for _, t := range r.URL.Query()["event_type"] {
		s.filter[t] = true
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		message(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	c.subscribers[s] = struct{}{}
	c.publishTo(s, "event_stream_attached", map[string]any{"remoteAddress": r.RemoteAddr})
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if _, ok := c.subscribers[s]; ok {
			delete(c.subscribers, s)
		}
		c.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	for {
		select {
		case frame, ok := <-s.ch:
			if !ok {
				return
			}
			if _, err := w.Write(frame); err != nil {
				return
			}
			flusher.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

func (c *Cluster) publishTo(s *subscriber, eventType string, payload map[string]any) {
	payload["eventType"], payload["timestamp"] = eventType, timestamp(c.opts.Now())
	data, _ := json.Marshal(payload)
	s.ch <- []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", eventType, data))
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
