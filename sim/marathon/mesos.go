package marathon

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/mesos/mesos-go/api/v1/lib/master"
)

// The Mesos master operator API (POST /api/v1, JSON), over the same
// agents and tasks Marathon places.

const frameworkID = "e1f2a3b4-0000-4000-8000-000000000000-0000"

// Mesos is the Mesos master's HTTP handler (mesos_http.go).
func (c *Cluster) Mesos() http.Handler { return c.mesos }

// serveOperatorAPI is Master::Http::api (src/master/http.cpp at 1.10.0):
// POST only; Content-Type exactly application/json or
// application/x-protobuf; the call parsed and validated; Accept allowing
// JSON (first) or protobuf. Errors are libprocess's plain text.
func (c *Cluster) serveOperatorAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		plain(w, http.StatusMethodNotAllowed, "405 Method Not Allowed. Expecting one of { 'POST' }, but received '"+r.Method+"'.")
		return
	}
	ct, hasCT := r.Header["Content-Type"]
	if !hasCT || len(ct) == 0 {
		plain(w, http.StatusBadRequest, "Expecting 'Content-Type' to be present")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var call map[string]any
	switch ct[0] {
	case mesosProtobuf:
		var pb master.Call
		if err := pb.Unmarshal(body); err != nil {
			plain(w, http.StatusBadRequest, "Failed to parse body into Call protobuf")
			return
		}
		js, _ := json.Marshal(&pb)
		_ = json.Unmarshal(js, &call)
	case jsonType:
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			plain(w, http.StatusBadRequest, "Failed to parse body into JSON: "+err.Error())
			return
		}
		var msg string
		if call, msg = jsonCall(v); msg != "" {
			plain(w, http.StatusBadRequest, "Failed to convert JSON into Call protobuf: "+msg)
			return
		}
	default:
		plain(w, http.StatusUnsupportedMediaType, "Expecting 'Content-Type' of application/json or application/x-protobuf")
		return
	}
	typ, _ := call["type"].(string)
	if msg := validateCall(typ, call); msg != "" {
		plain(w, http.StatusBadRequest, "Failed to validate master::Call: "+msg)
		return
	}
	accept := ""
	switch {
	case acceptsMediaType(r, jsonType):
		accept = jsonType
	case acceptsMediaType(r, mesosProtobuf):
		accept = mesosProtobuf
	default:
		plain(w, http.StatusNotAcceptable, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'")
		return
	}
	if typ == "UNKNOWN" {
		plain(w, http.StatusNotImplemented, "501 Not Implemented.")
		return
	}
	c.mu.Lock()
	c.advance()
	resp, ok := c.mesosCall(typ)
	c.mu.Unlock()
	if !ok {
		plain(w, http.StatusNotImplemented, "Not simulated: "+typ)
		return
	}
	// The envelope as stout writes it: fields in proto order, type first.
	inner, _ := json.Marshal(resp)
	out := []byte(fmt.Sprintf(`{"type":%q,%q:%s}`, typ, strings.ToLower(typ), inner))
	if accept == mesosProtobuf {
		var pb master.Response
		if err := pb.UnmarshalJSON(out); err != nil {
			plain(w, http.StatusInternalServerError, err.Error())
			return
		}
		out, _ = pb.Marshal()
	}
	w.Header().Set("Content-Type", accept)
	_, _ = w.Write(out)
}

func (c *Cluster) mesosCall(typ string) (any, bool) {
	switch typ {
	case "GET_HEALTH":
		return map[string]any{"healthy": true}, true
	case "GET_VERSION":
		return map[string]any{"version_info": map[string]any{"version": "1.10.0", "build_date": "2020-05-28 12:00:00",
			"build_time": 1590667200.0, "build_user": "root"}}, true
	case "GET_AGENTS":
		return c.getAgents(), true
	case "GET_TASKS":
		return c.getTasks(), true
	case "GET_FRAMEWORKS":
		return c.getFrameworks(), true
	case "GET_STATE":
		return map[string]any{"get_tasks": c.getTasks(), "get_executors": map[string]any{"executors": []any{}, "orphan_executors": []any{}},
			"get_frameworks": c.getFrameworks(), "get_agents": c.getAgents()}, true
	}
	return nil, false
}

func scalar(name string, v float64) map[string]any {
	return map[string]any{"name": name, "type": "SCALAR", "scalar": map[string]any{"value": v}, "role": "*"}
}

func portRanges(lo, hi int) map[string]any {
	return map[string]any{"name": "ports", "type": "RANGES", "role": "*",
		"ranges": map[string]any{"range": []any{map[string]any{"begin": lo, "end": hi}}}}
}

const bootNanos = int64(1764000000000000000) // a fixed registration time

func (c *Cluster) getAgents() map[string]any {
	agents := []any{}
	for i, ag := range c.agents {
		res := []any{scalar("cpus", ag.Cpus), scalar("mem", ag.Mem), scalar("disk", ag.Disk), portRanges(ag.PortsLo, ag.PortsHi)}
		uc, um, ud, up := c.used(ag)
		allocated := []any{scalar("cpus", uc), scalar("mem", um), scalar("disk", ud)}
		if len(up) > 0 {
			var ranges []any
			for _, p := range sortedPorts(up) {
				ranges = append(ranges, map[string]any{"begin": p, "end": p})
			}
			allocated = append(allocated, map[string]any{"name": "ports", "type": "RANGES", "role": "*", "ranges": map[string]any{"range": ranges}})
		}
		info := map[string]any{"hostname": ag.Hostname, "port": 5051, "id": map[string]any{"value": ag.ID}, "resources": res}
		if len(ag.Attributes) > 0 {
			var attrs []any
			for _, k := range sortedKeys(ag.Attributes) {
				attrs = append(attrs, map[string]any{"name": k, "type": "TEXT", "text": map[string]any{"value": ag.Attributes[k]}})
			}
			info["attributes"] = attrs
		}
		agents = append(agents, map[string]any{
			"active": true, "deactivated": false, "version": "1.10.0", "pid": fmt.Sprintf("slave(1)@%s:5051", ag.Hostname),
			"agent_info": info, "registered_time": map[string]any{"nanoseconds": bootNanos + int64(i)}, "total_resources": res,
			"allocated_resources": allocated,
		})
	}
	return map[string]any{"agents": agents, "recovered_agents": []any{}}
}

func (c *Cluster) getTasks() map[string]any {
	tasks := []any{}
	for _, a := range sortedApps(c.apps) {
		for _, t := range a.tasks {
			state := "TASK_STAGING"
			if !t.started.IsZero() {
				state = "TASK_RUNNING"
			}
			res := []any{scalar("cpus", t.cpus), scalar("mem", t.mem), scalar("disk", t.disk)}
			if len(t.ports) > 0 {
				res = append(res, portRanges(t.ports[0], t.ports[len(t.ports)-1]))
			}
			status := map[string]any{"agent_id": map[string]any{"value": t.agentID}, "task_id": map[string]any{"value": t.id},
				"executor_id": map[string]any{"value": t.id}, "source": "SOURCE_EXECUTOR", "state": state,
				"timestamp": float64(c.opts.Now().UnixNano()) / 1e9, "uuid": "ycLTRBo8TjKFTrh4vsBERg==",
				"container_status": map[string]any{"network_infos": []any{map[string]any{"ip_addresses": []any{map[string]any{"ip_address": t.host}}}}}}
			tasks = append(tasks, map[string]any{"name": strings.TrimPrefix(a.id, "/"), "task_id": map[string]any{"value": t.id},
				"framework_id": map[string]any{"value": frameworkID}, "executor_id": map[string]any{"value": t.id},
				"agent_id": map[string]any{"value": t.agentID}, "state": state, "resources": res,
				"status_update_state": state, "status_update_uuid": "ycLTRBo8TjKFTrh4vsBERg==", "statuses": []any{status}})
		}
	}
	return map[string]any{"tasks": tasks, "unreachable_tasks": []any{}, "completed_tasks": []any{}}
}

func (c *Cluster) getFrameworks() map[string]any {
	return map[string]any{"frameworks": []any{map[string]any{"active": true, "connected": true,
		"framework_info": map[string]any{"checkpoint": true, "failover_timeout": 604800.0, "hostname": "marathon.sim",
			"id": map[string]any{"value": frameworkID}, "name": "marathon", "principal": "marathon", "role": "*", "user": "root"},
		"registered_time": map[string]any{"nanoseconds": bootNanos}, "reregistered_time": map[string]any{"nanoseconds": bootNanos}}},
		"completed_frameworks": []any{}}
}

func sortedPorts(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
