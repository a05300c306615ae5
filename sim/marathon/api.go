package marathon

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; qs=2")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func message(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"message": msg})
}

func (c *Cluster) serveMarathon(w http.ResponseWriter, r *http.Request) {
	if r.URL.Host != "" { // absolute-form: a proxy request for a task
		c.serveTaskProxy(w, r)
		return
	}
	if strings.TrimSuffix(r.URL.Path, "/") == "/v2/events" {
		c.serveEvents(w, r) // long-lived: it must not hold the lock
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case p == "/ping":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "pong\n")
	case p == "/v2/info" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, c.info())
	case p == "/v2/apps" && r.Method == http.MethodGet:
		apps := []any{}
		for _, a := range sortedApps(c.apps) {
			apps = append(apps, c.appJSON(a, strings.Contains(r.URL.Query().Get("embed"), "tasks")))
		}
		writeJSON(w, http.StatusOK, map[string]any{"apps": apps})
	case p == "/v2/apps" && r.Method == http.MethodPost:
		c.createApp(w, r)
	case strings.HasPrefix(p, "/v2/apps/"):
		c.serveApp(w, r, strings.TrimPrefix(p, "/v2/apps"))
	case p == "/v2/deployments" && r.Method == http.MethodGet:
		out := []any{}
		for _, a := range sortedApps(c.apps) {
			if a.deploy != nil {
				out = append(out, c.deploymentJSON(a))
			}
		}
		writeJSON(w, http.StatusOK, out)
	case strings.HasPrefix(p, "/v2/deployments/") && r.Method == http.MethodDelete:
		c.cancelDeployment(w, r, strings.TrimPrefix(p, "/v2/deployments/"))
	case p == "/v2/tasks" && r.Method == http.MethodGet:
		out := []any{}
		for _, a := range sortedApps(c.apps) {
			for _, t := range a.tasks {
				tj := c.taskJSON(a, t)
				tj["servicePorts"] = servicePorts(a.spec)
				out = append(out, tj)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
	default:
		message(w, http.StatusNotFound, "URI not found: "+r.URL.Path)
	}
}

func (c *Cluster) serveApp(w http.ResponseWriter, r *http.Request, rest string) {
	id, sub := rest, ""
	for _, s := range []string{"/tasks", "/versions"} {
		if i := strings.Index(rest, s); i > 0 && c.apps[rest[:i]] != nil {
			id, sub = rest[:i], rest[i:]
		}
	}
	a := c.apps[id]
	switch {
	case r.Method == http.MethodPut && sub == "":
		c.putApp(w, r, id)
	case a == nil:
		message(w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist", id))
	case r.Method == http.MethodGet && sub == "":
		m := c.appJSON(a, true)
		if a.lastFailure != nil {
			m["lastTaskFailure"] = a.lastFailure // only GET of one app embeds it
		}
		writeJSON(w, http.StatusOK, map[string]any{"app": m})
	case r.Method == http.MethodGet && sub == "/tasks":
		out := []any{}
		for _, t := range a.tasks {
			out = append(out, c.taskJSON(a, t))
		}
		writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
	case r.Method == http.MethodGet && sub == "/versions":
		vs := []any{}
		for i := len(a.history) - 1; i >= 0; i-- {
			vs = append(vs, a.history[i]["version"])
		}
		writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	case r.Method == http.MethodGet && strings.HasPrefix(sub, "/versions/"):
		v := strings.TrimPrefix(sub, "/versions/")
		for _, h := range a.history {
			if h["version"] == v {
				writeJSON(w, http.StatusOK, c.planApp(a, h))
				return
			}
		}
		message(w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist in version %s", id, v))
	case r.Method == http.MethodDelete && sub == "":
		// force defaults to true here: a delete overrides a deployment.
		original := clone(a.spec)
		a.spec["instances"] = 0.0
		d := c.startDeployment(a, original, "StopApplication")
		w.Header().Set("Marathon-Deployment-Id", d.id)
		writeJSON(w, http.StatusOK, map[string]any{"deploymentId": d.id, "version": d.version})
	default:
		message(w, http.StatusNotFound, "URI not found: "+r.URL.Path)
	}
}

// locked answers 409 when a deployment holds the app and force is not set.
func (c *Cluster) locked(w http.ResponseWriter, r *http.Request, a *app) bool {
	if a.deploy == nil || r.URL.Query().Get("force") == "true" {
		return false
	}
	writeJSON(w, http.StatusConflict, map[string]any{
		"message":     lockedMessage,
		"deployments": []any{map[string]any{"id": a.deploy.id}}})
	return true
}

// readSpec decodes an app definition, answering 400 as Marathon does:
// an empty or unparseable body with details as a string, wrong JSON
// types with details per path.
func readSpec(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		message(w, http.StatusBadRequest, "Invalid JSON")
		return nil, false
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Please specify data in JSON format",
			"details": "No content to map due to end-of-input"})
		return nil, false
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid JSON", "details": err.Error()})
		return nil, false
	}
	if details := typeErrors(body); len(details) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid JSON", "details": details})
		return nil, false
	}
	return body, true
}

// fieldTypes are the JSON types of the app fields Marathon reads.
var fieldTypes = map[string]string{"id": "jsstring", "cmd": "jsstring", "user": "jsstring", "executor": "jsstring",
	"instances": "jsnumber", "cpus": "jsnumber", "mem": "jsnumber", "disk": "jsnumber", "gpus": "jsnumber",
	"backoffSeconds": "jsnumber", "backoffFactor": "jsnumber", "maxLaunchDelaySeconds": "jsnumber",
	"env": "jsobject", "labels": "jsobject", "container": "jsobject", "upgradeStrategy": "jsobject",
	"args": "jsarray", "constraints": "jsarray", "uris": "jsarray", "fetch": "jsarray", "healthChecks": "jsarray",
	"portDefinitions": "jsarray", "dependencies": "jsarray", "requirePorts": "jsboolean"}

func typeErrors(body map[string]any) []any {
	var details []any
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want, v := fieldTypes[k], body[k]
		ok := true
		switch want {
		case "jsstring":
			_, ok = v.(string)
		case "jsnumber":
			_, ok = v.(float64)
		case "jsobject":
			_, ok = v.(map[string]any)
		case "jsarray":
			_, ok = v.([]any)
		case "jsboolean":
			_, ok = v.(bool)
		}
		if !ok && v != nil {
			details = append(details, map[string]any{"path": "/" + k, "errors": []any{"error.expected." + want}})
		}
	}
	return details
}

func (c *Cluster) createApp(w http.ResponseWriter, r *http.Request) {
	body, ok := readSpec(w, r)
	if !ok {
		return
	}
	id, _ := body["id"].(string)
	id = "/" + strings.Trim(id, "/")
	if c.apps[id] != nil {
		writeJSON(w, http.StatusConflict, map[string]any{"message": fmt.Sprintf("An app with id [%s] already exists.", id), "details": []any{}})
		return
	}
	a, d, ok := c.define(w, id, nil, body)
	if !ok {
		return
	}
	w.Header().Set("Location", "/v2/apps"+id)
	w.Header().Set("Marathon-Deployment-Id", d.id)
	m := c.appJSON(a, true)
	delete(m, "versionInfo") // not stored yet when Marathon answers
	writeJSON(w, http.StatusCreated, m)
}

// putApp is create-or-update: unspecified fields keep their values.
func (c *Cluster) putApp(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readSpec(w, r)
	if !ok {
		return
	}
	cur := c.apps[id]
	if cur != nil && c.locked(w, r, cur) {
		return
	}
	if v, ok := body["version"].(string); ok && cur != nil {
		// A body naming a version rolls back to that stored version.
		var found map[string]any
		for _, h := range cur.history {
			if h["version"] == v {
				found = clone(h)
			}
		}
		if found == nil {
			message(w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist in version %s", id, v))
			return
		}
		body = found
	}
	a, d, ok := c.define(w, id, cur, body)
	if !ok {
		return
	}
	code := http.StatusOK
	if cur == nil {
		code = http.StatusCreated
	}
	w.Header().Set("Marathon-Deployment-Id", d.id)
	writeJSON(w, code, map[string]any{"deploymentId": d.id, "version": a.version})
}

// define applies a definition to app id (new when cur is nil) and starts
// its deployment.
func (c *Cluster) define(w http.ResponseWriter, id string, cur *app, body map[string]any) (*app, *deployment, bool) {
	spec := appDefaults()
	if cur != nil {
		spec = clone(cur.spec)
	}
	for k, v := range body {
		// partialUpdate: absent or null keys keep the stored value, and
		// computed fields are not part of a definition.
		if v == nil || readOnly[k] {
			continue
		}
		spec[k] = v
	}
	spec["id"] = id
	if container, ok := spec["container"].(map[string]any); ok && container["docker"] != nil {
		if _, set := body["portDefinitions"]; !set {
			spec["portDefinitions"] = []any{}
		}
	}
	var before []any
	if cur != nil {
		before = servicePorts(cur.spec)
	}
	c.assignServicePorts(spec, before)
	if details := validate(spec); len(details) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Object is not valid", "details": details})
		return nil, nil, false
	}
	c.puts++
	now := timestamp(c.opts.Now())
	a := cur
	scaleOnly := false
	var original map[string]any
	if a == nil {
		a = &app{id: id}
		c.apps[id] = a
	} else {
		scaleOnly = onlyInstancesChanged(cur.spec, spec)
		original = clone(cur.spec)
	}
	a.spec, a.version, a.scaledAt = spec, now, now
	if !scaleOnly {
		// A new config starts with a clean launch backoff, as in Marathon.
		a.config, a.failures, a.delayUntil = now, 0, time.Time{}
	}
	a.spec["version"] = now
	a.history = append(a.history, clone(spec))
	actions := []string{"RestartApplication"}
	switch {
	case cur == nil:
		actions = []string{"StartApplication", "ScaleApplication"}
	case scaleOnly:
		actions = []string{"ScaleApplication"}
	}
	// The deployment may end within converge (nothing to do): the
	// answer still names it.
	d := c.startDeployment(a, original, actions...)
	c.converge(a)
	return a, d, true
}

// startDeployment replaces any deployment of a (force) with one of the
// given steps; original is the app before, nil when it is new.
func (c *Cluster) startDeployment(a *app, original map[string]any, actions ...string) *deployment {
	if a.deploy != nil {
		delete(c.deployments, a.deploy.id)
	}
	d := &deployment{id: uuid(), version: timestamp(c.opts.Now()), actions: actions, appID: a.id, started: c.opts.Now(), original: original}
	a.deploy, a.settled = d, false
	c.deployments[d.id] = d
	plan := c.plan(a, d)
	c.publish("deployment_info", map[string]any{"plan": plan, "currentStep": plan["steps"].([]any)[0]})
	return d
}

// cancelDeployment rolls back to the previous definition, or with
// force=true just stops the deployment where it is.
func (c *Cluster) cancelDeployment(w http.ResponseWriter, r *http.Request, id string) {
	d := c.deployments[id]
	if d == nil {
		message(w, http.StatusNotFound, fmt.Sprintf("DeploymentPlan %s does not exist", id))
		return
	}
	a := c.apps[d.appID]
	delete(c.deployments, id)
	a.deploy, a.settled = nil, false
	c.publish("deployment_failed", map[string]any{"id": d.id, "plan": c.plan(a, d)})
	if r.URL.Query().Get("force") == "true" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if len(a.history) < 2 {
		delete(c.apps, a.id) // rolling back a creation removes the app
		writeJSON(w, http.StatusOK, map[string]any{"deploymentId": uuid(), "version": timestamp(c.opts.Now())})
		return
	}
	prev := clone(a.history[len(a.history)-2])
	original := a.spec
	a.spec, a.config, a.version = prev, prev["version"].(string), timestamp(c.opts.Now())
	a.failures, a.delayUntil = 0, time.Time{}
	back := c.startDeployment(a, original, "RestartApplication")
	c.converge(a)
	writeJSON(w, http.StatusOK, map[string]any{"deploymentId": back.id, "version": back.version})
}

// readOnly are the app fields Marathon computes; a definition's values
// for them are ignored.
var readOnly = map[string]bool{"ports": true, "version": true, "versionInfo": true, "tasks": true, "tasksStaged": true,
	"tasksRunning": true, "tasksHealthy": true, "tasksUnhealthy": true, "deployments": true, "lastTaskFailure": true}

func onlyInstancesChanged(a, b map[string]any) bool {
	for k, v := range b {
		if k == "instances" || k == "version" {
			continue
		}
		x, _ := json.Marshal(v)
		y, _ := json.Marshal(a[k])
		if string(x) != string(y) {
			return false
		}
	}
	return true
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}
