package marathon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// The app writes of AppsResource (v1.4.13): create, replace (PUT,
// create-or-update), patch, delete and restart. Exceptions Marathon
// throws (locked, exists, unknown app on a write, bad JSON) are answered
// as MarathonExceptionMapper answers them, application/json; validation
// failures (withValid, assumeValid) as the resource's own 422.

// locked answers AppLockedException (409) when a deployment holds the app
// and force is not set.
func (x *exchange) locked(a *app, force bool) bool {
	if a.deploy == nil || force {
		return false
	}
	mappedJSON(x.w, http.StatusConflict, map[string]any{
		"message":     lockedMessage,
		"deployments": []any{map[string]any{"id": a.deploy.id}}})
	return true
}

// createApp is AppsResource.create: the body's id is required and made
// canonical (relative ids resolve against the root, empty segments and
// "." / ".." go), as AppDefinition.withCanonizedIds does.
func (x *exchange) createApp() {
	body, ok := x.readSpec()
	if !ok {
		return
	}
	raw, has := body["id"].(string)
	switch {
	case !has:
		invalidJSON(x.w, []any{pathError("/id", "error.path.missing")})
		return
	case raw == "":
		invalidJSON(x.w, []any{pathError("/id", "error.minLength")})
		return
	case rootPath(raw) == "/" && len(pathSegments(raw)) == 0:
		invalidJSON(x.w, []any{pathError("/id", "error.invalid")})
		return
	}
	id := rootPath(raw)
	spec, ok := x.c.definition(x, id, nil, body, true)
	if !ok {
		return
	}
	if x.c.apps[id] != nil {
		mapped(x.w, http.StatusConflict, fmt.Sprintf("An app with id [%s] already exists.", id))
		return
	}
	x.c.puts++
	a, d := x.c.apply(id, nil, spec, false)
	x.w.Header().Set("Location", location(x.r, id))
	x.w.Header().Set("Marathon-Deployment-Id", d.id)
	m := x.c.appJSON(a, true)
	delete(m, "versionInfo") // not stored yet when Marathon answers
	x.json(http.StatusCreated, m)
}

// putApp is AppsResource.replace: create-or-update of the URL's app (the
// body's id is ignored); ?partialUpdate=false replaces the definition.
func (x *exchange) putApp() { x.update(true) }

// patchApp is AppsResource.patch: a partial update of an existing app.
func (x *exchange) patchApp() { x.update(false) }

func (x *exchange) update(allowCreation bool) {
	id := rootPath(x.param(0))
	body, ok := x.readSpec()
	if !ok {
		return
	}
	partial := !allowCreation || boolParam(x.r, "partialUpdate", true)
	cur := x.c.apps[id]
	if cur == nil && !allowCreation {
		mapped(x.w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist", id))
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
			mapped(x.w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist", id))
			return
		}
		body, partial = found, true
	}
	spec, ok := x.c.definition(x, id, cur, body, partial)
	if !ok {
		return
	}
	if cur != nil && x.locked(cur, boolParam(x.r, "force", false)) {
		return
	}
	x.c.puts++
	a, d := x.c.apply(id, cur, spec, false)
	code := http.StatusOK
	if cur == nil {
		code = http.StatusCreated
		x.w.Header().Set("Location", location(x.r, id))
	}
	d.version = a.version
	x.deploymentResult(code, d)
}

// deleteApp is AppsResource.delete: force defaults to true.
func (x *exchange) deleteApp() {
	id := rootPath(x.param(0))
	a := x.c.apps[id]
	if a == nil {
		mapped(x.w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist", id))
		return
	}
	if x.locked(a, boolParam(x.r, "force", true)) {
		return
	}
	original := clone(a.spec)
	a.spec["instances"] = 0.0
	a.settled = false
	x.deploymentResult(http.StatusOK, x.c.startDeployment(a, original, "StopApplication"))
}

// restartApp is AppsResource.restart: a new config version of the same
// definition, so every task is replaced.
func (x *exchange) restartApp() {
	id := rootPath(x.param(0))
	a := x.c.apps[id]
	if a == nil {
		mapped(x.w, http.StatusNotFound, fmt.Sprintf("App '%s' does not exist", id))
		return
	}
	if x.locked(a, boolParam(x.r, "force", false)) {
		return
	}
	_, d := x.c.apply(id, a, clone(a.spec), true)
	x.deploymentResult(http.StatusOK, d)
}

// definition merges a body into the app's definition (partialUpdate:
// absent or null keys keep the stored value) and validates it, answering
// the 422 the resource answers.
func (c *Cluster) definition(x *exchange, id string, cur *app, body map[string]any, partial bool) (map[string]any, bool) {
	spec := appDefaults()
	if cur != nil && partial {
		spec = clone(cur.spec)
	}
	for k, v := range body {
		if v == nil || readOnly[k] {
			continue
		}
		spec[k] = v
	}
	spec["id"] = id
	if deps, ok := spec["dependencies"].([]any); ok {
		for i, d := range deps {
			if s, ok := d.(string); ok {
				deps[i] = childPath(id, s)
			}
		}
	}
	if container, ok := spec["container"].(map[string]any); ok && container["docker"] != nil {
		if _, set := body["portDefinitions"]; !set {
			spec["portDefinitions"] = []any{}
		}
	}
	if details := validate(spec); len(details) > 0 {
		x.json(http.StatusUnprocessableEntity, map[string]any{"message": "Object is not valid", "details": details})
		return nil, false
	}
	return spec, true
}

// apply stores a validated definition as the app's new version and
// starts its deployment; restart forces a new config.
func (c *Cluster) apply(id string, cur *app, spec map[string]any, restart bool) (*app, *deployment) {
	var before []any
	if cur != nil {
		before = servicePorts(cur.spec)
	}
	c.assignServicePorts(spec, before)
	now := timestamp(c.opts.Now())
	a := cur
	scaleOnly := false
	var original map[string]any
	if a == nil {
		a = &app{id: id}
		c.apps[id] = a
	} else {
		scaleOnly = !restart && onlyInstancesChanged(cur.spec, spec)
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
	return a, d
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

// cancelDeployment is DeploymentsResource.cancel: a rollback to the
// previous definition, or with force=true (202, no body) a stop where it
// is.
func (x *exchange) cancelDeployment() {
	c, id := x.c, x.param(0)
	d := c.deployments[id]
	if d == nil {
		x.message(http.StatusNotFound, fmt.Sprintf("DeploymentPlan %s does not exist", id))
		return
	}
	a := c.apps[d.appID]
	delete(c.deployments, id)
	a.deploy, a.settled = nil, false
	c.publish("deployment_failed", map[string]any{"id": d.id, "plan": c.plan(a, d)})
	if boolParam(x.r, "force", false) {
		x.w.WriteHeader(http.StatusAccepted)
		return
	}
	if len(a.history) < 2 {
		delete(c.apps, a.id) // rolling back a creation removes the app
		x.deploymentResult(http.StatusOK, &deployment{id: uuid(), version: timestamp(c.opts.Now())})
		return
	}
	prev := clone(a.history[len(a.history)-2])
	original := a.spec
	a.spec, a.config, a.version = prev, prev["version"].(string), timestamp(c.opts.Now())
	a.failures, a.delayUntil = 0, time.Time{}
	back := c.startDeployment(a, original, "RestartApplication")
	c.converge(a)
	x.deploymentResult(http.StatusOK, back)
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
