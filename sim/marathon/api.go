package marathon

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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
		message(w, http.StatusNotFound, "The requested resource could not be found.")
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
		writeJSON(w, http.StatusOK, map[string]any{"app": c.appJSON(a, true)})
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
				writeJSON(w, http.StatusOK, h)
				return
			}
		}
		message(w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist in version %s", id, v))
	case r.Method == http.MethodDelete && sub == "":
		if c.locked(w, r, a) {
			return
		}
		c.puts++
		a.spec["instances"] = 0.0
		d := c.startDeployment(a, "StopApplication")
		writeJSON(w, http.StatusOK, map[string]any{"deploymentId": d.id, "version": d.version})
	default:
		message(w, http.StatusNotFound, "The requested resource could not be found.")
	}
}

// locked answers 409 when a deployment holds the app and force is not set.
func (c *Cluster) locked(w http.ResponseWriter, r *http.Request, a *app) bool {
	if a.deploy == nil || r.URL.Query().Get("force") == "true" {
		return false
	}
	writeJSON(w, http.StatusConflict, map[string]any{
		"message":     "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
		"deployments": []any{map[string]any{"id": a.deploy.id}}})
	return true
}

func readSpec(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		message(w, http.StatusBadRequest, "Invalid JSON: "+err.Error())
		return nil, false
	}
	return body, true
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
	a, ok := c.define(w, id, nil, body)
	if !ok {
		return
	}
	writeJSON(w, http.StatusCreated, c.appJSON(a, false))
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
	a, ok := c.define(w, id, cur, body)
	if !ok {
		return
	}
	code := http.StatusOK
	if cur == nil {
		code = http.StatusCreated
	}
	writeJSON(w, code, map[string]any{"deploymentId": a.deploy.id, "version": a.version})
}

// define applies a definition to app id (new when cur is nil) and starts
// its deployment.
func (c *Cluster) define(w http.ResponseWriter, id string, cur *app, body map[string]any) (*app, bool) {
	spec := appDefaults()
	if cur != nil {
		spec = clone(cur.spec)
	}
	for k, v := range body {
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
		return nil, false
	}
	c.puts++
	now := timestamp(c.opts.Now())
	a := cur
	scaleOnly := false
	if a == nil {
		a = &app{id: id}
		c.apps[id] = a
	} else {
		scaleOnly = onlyInstancesChanged(cur.spec, spec)
	}
	a.spec, a.version, a.scaledAt = spec, now, now
	if !scaleOnly {
		a.config = now
	}
	a.spec["version"] = now
	a.history = append(a.history, clone(spec))
	action := "RestartApplication"
	switch {
	case cur == nil:
		action = "StartApplication"
	case scaleOnly:
		action = "ScaleApplication"
	}
	c.startDeployment(a, action)
	c.converge(a)
	return a, true
}

func (c *Cluster) startDeployment(a *app, action string) *deployment {
	if a.deploy != nil {
		delete(c.deployments, a.deploy.id)
	}
	d := &deployment{id: uuid(), version: timestamp(c.opts.Now()), action: action, appID: a.id, started: c.opts.Now()}
	a.deploy = d
	c.deployments[d.id] = d
	c.publish("deployment_info", map[string]any{"plan": c.plan(a, d), "currentStep": c.plan(a, d)["steps"].([]any)[0]})
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
	a.deploy = nil
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
	a.spec, a.config, a.version = prev, prev["version"].(string), timestamp(c.opts.Now())
	back := c.startDeployment(a, "RestartApplication")
	c.converge(a)
	writeJSON(w, http.StatusOK, map[string]any{"deploymentId": back.id, "version": back.version})
}

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
