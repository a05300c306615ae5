package marathon

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// legacyTaskID is Task.Id's LegacyTaskIdRegex (core/task/Task.scala):
// the simulator's task ids are "<safePath>.<uuid>".
var legacyTaskID = regexp.MustCompile(`^(.+)[._]([^_.]+)$`)

// Task lists and kills: AppTasksResource, TasksResource (v1.4.13) and the
// text form of both (api/EndpointsHelper.scala).

// appTasks is AppTasksResource.indexJson: the app's tasks, or for
// "<group>/*" the tasks of every app in the group.
func (x *exchange) appTasks() {
	id := x.param(0)
	var apps []*app
	if m := groupApps.FindStringSubmatch(id); m != nil {
		gid := rootPath(m[1])
		if !x.c.groupExists(gid) {
			x.message(http.StatusNotFound, fmt.Sprintf("Group '%s' does not exist", gid))
			return
		}
		for _, a := range sortedApps(x.c.apps) {
			if isUnder(a.id, gid) {
				apps = append(apps, a)
			}
		}
	} else if a := x.appOr404(); a != nil {
		apps = []*app{a}
	} else {
		return
	}
	out := []any{}
	for _, a := range apps {
		for _, t := range a.tasks {
			out = append(out, x.c.taskJSON(a, t))
		}
	}
	x.json(http.StatusOK, map[string]any{"tasks": out})
}

// appTasksText is AppTasksResource.indexTxt.
func (x *exchange) appTasksText() {
	if a := x.appOr404(); a != nil {
		x.text(endpoints([]*app{a}))
	}
}

func (x *exchange) text(s string) {
	x.w.Header().Set("Content-Type", x.ctype)
	_, _ = x.w.Write([]byte(s))
}

// endpoints is EndpointsHelper.appsToEndpointString with a tab: per app
// and service port "<safePath>\t<port>\t<host>:<hostPort>\t…" over its
// running tasks; an app without service ports "<safePath>\t \t<host> …".
func endpoints(apps []*app) string {
	var sb strings.Builder
	for _, a := range apps {
		if a.spec["ipAddress"] != nil && a.image() == "" {
			continue // ip-per-task Mesos containers have no service ports
		}
		id, ports := safePath(a.id), servicePorts(a.spec)
		if len(ports) == 0 {
			sb.WriteString(id + "\t \t")
			for _, t := range a.tasks {
				if !t.started.IsZero() {
					sb.WriteString(t.host + " ")
				}
			}
			sb.WriteString("\n")
			continue
		}
		for i, p := range ports {
			sb.WriteString(id + "\t" + strconv.Itoa(int(num(p))) + "\t")
			for _, t := range a.tasks {
				if t.started.IsZero() {
					continue
				}
				hp := 0
				if i < len(t.ports) {
					hp = t.ports[i]
				}
				sb.WriteString(fmt.Sprintf("%s:%d\t", t.host, hp))
			}
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// tasks is TasksResource.indexJson: ?status= and ?status[]= (running,
// staging; others ignored) filter by state.
func (x *exchange) tasks() {
	q := x.r.URL.Query()
	want := map[string]bool{}
	for _, s := range append(q["status[]"], q["status"]...) {
		switch strings.ToLower(s) {
		case "running":
			want["TASK_RUNNING"] = true
		case "staging":
			want["TASK_STAGING"] = true
		}
	}
	out := []any{}
	for _, a := range sortedApps(x.c.apps) {
		for _, t := range a.tasks {
			tj := x.c.taskJSON(a, t)
			if len(want) > 0 && !want[tj["state"].(string)] {
				continue
			}
			tj["servicePorts"] = servicePorts(a.spec)
			out = append(out, tj)
		}
	}
	x.json(http.StatusOK, map[string]any{"tasks": out})
}

// tasksText is TasksResource.indexTxt (Accept: text/plain).
func (x *exchange) tasksText() { x.text(endpoints(sortedApps(x.c.apps))) }

// killAppTasks is AppTasksResource.deleteMany: every task, or those on
// ?host= ("*" is every host).
func (x *exchange) killAppTasks() {
	host, hasHost := x.r.URL.Query()["host"]
	x.kill(func(t *task) bool { return !hasHost || len(host) == 0 || host[0] == "*" || t.host == host[0] }, false)
}

// killTask is AppTasksResource.deleteOne.
func (x *exchange) killTask() {
	id := x.param(1)
	x.kill(func(t *task) bool { return t.id == id }, true)
}

// kill kills the app's tasks that match, as TaskKiller does: the app
// relaunches them, or with ?scale=true its instances go down by as many
// (a deployment). scale and wipe together are a 400.
func (x *exchange) kill(match func(*task) bool, one bool) {
	scale, wipe := boolParam(x.r, "scale", false), boolParam(x.r, "wipe", false)
	if scale && wipe {
		mapped(x.w, http.StatusBadRequest, "You cannot use scale and wipe at the same time.")
		return
	}
	a := x.appOr404()
	if a == nil {
		return
	}
	var found []*task
	for _, t := range a.tasks {
		if match(t) {
			found = append(found, t)
		}
	}
	if scale {
		if x.locked(a, boolParam(x.r, "force", false)) {
			return
		}
		x.deploymentResult(http.StatusOK, x.c.killAndScale(a, found))
		return
	}
	killed := x.c.killTasks(a, found)
	if !one {
		x.json(http.StatusOK, map[string]any{"tasks": killed})
		return
	}
	if len(killed) == 0 {
		x.message(http.StatusNotFound, fmt.Sprintf("Task '%s' does not exist", x.param(1)))
		return
	}
	x.json(http.StatusOK, map[string]any{"task": killed[0]})
}

// killTasks kills tasks (the app launches replacements) and returns them
// as they were.
func (c *Cluster) killTasks(a *app, ts []*task) []any {
	out := []any{}
	for _, t := range ts {
		out = append(out, c.taskJSON(a, t))
		c.kill(a, t)
	}
	a.settled = false
	return out
}

// killAndScale kills tasks and lowers the app's instances by as many, in
// a ScaleApplication deployment.
func (c *Cluster) killAndScale(a *app, ts []*task) *deployment {
	original := clone(a.spec)
	n := a.instances() - len(ts)
	if n < 0 {
		n = 0
	}
	spec := clone(a.spec)
	spec["instances"] = float64(n)
	for _, t := range ts {
		c.kill(a, t)
	}
	now := timestamp(c.opts.Now())
	a.spec, a.version, a.scaledAt = spec, now, now
	a.spec["version"] = now
	a.history = append(a.history, clone(spec))
	d := c.startDeployment(a, original, "ScaleApplication")
	c.converge(a)
	return d
}

// killTasksByID is TasksResource.killTasks: POST /v2/tasks/delete with
// {"ids": […]}; ids of no task are skipped, an id that names no app is a
// 400.
func (x *exchange) killTasksByID() {
	scale, wipe := boolParam(x.r, "scale", false), boolParam(x.r, "wipe", false)
	if scale && wipe {
		mapped(x.w, http.StatusBadRequest, "You cannot use scale and wipe at the same time.")
		return
	}
	body, ok := x.readJSON()
	if !ok {
		return
	}
	obj, _ := body.(map[string]any)
	raw, has := obj["ids"]
	list, isList := raw.([]any)
	switch {
	case !has:
		invalidJSON(x.w, []any{pathError("", "error.path.missing")})
		return
	case !isList:
		invalidJSON(x.w, []any{pathError("", "error.expected.jsarray")})
		return
	}
	byApp := map[string][]*task{}
	var order []string
	for i, v := range list {
		id, isString := v.(string)
		if !isString {
			invalidJSON(x.w, []any{pathError(fmt.Sprintf("(%d)", i), "error.expected.jsstring")})
			return
		}
		m := legacyTaskID.FindStringSubmatch(id)
		if m == nil {
			mapped(x.w, http.StatusBadRequest, fmt.Sprintf("Invalid task id '%s'. [taskId %s is no valid identifier (of class java.lang.String)]", id, id))
			return
		}
		appID := "/" + strings.ReplaceAll(m[1], "_", "/") // PathId.fromSafePath
		if a := x.c.apps[appID]; a != nil {
			for _, t := range a.tasks {
				if t.id == id {
					if byApp[appID] == nil {
						order = append(order, appID)
					}
					byApp[appID] = append(byApp[appID], t)
				}
			}
		}
	}
	if scale {
		var d *deployment
		for _, id := range order {
			if x.locked(x.c.apps[id], boolParam(x.r, "force", false)) {
				return
			}
		}
		for _, id := range order {
			d = x.c.killAndScale(x.c.apps[id], byApp[id])
		}
		if d == nil {
			d = &deployment{id: uuid(), version: timestamp(x.c.opts.Now())}
		}
		x.deploymentResult(http.StatusOK, d)
		return
	}
	out := []any{}
	for _, id := range order {
		out = append(out, x.c.killTasks(x.c.apps[id], byApp[id])...)
	}
	x.json(http.StatusOK, map[string]any{"tasks": out})
}
