package marathon

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// serveMarathon is Marathon's servlet chain (api/MarathonRestModule.scala):
// every response carries what CacheDisablingFilter and LeaderProxyFilter
// add; /v2/events is its own servlet, matched exactly, the UI paths are
// WebJarServlet's (webjar.go); everything else is Jersey's.
func (c *Cluster) serveMarathon(w http.ResponseWriter, r *http.Request) {
	if r.URL.Host != "" { // absolute-form: a proxy request for a task
		c.serveTaskProxy(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
	h.Set("X-Marathon-Leader", "http://"+leaderHostPort)
	if r.URL.EscapedPath() == "/v2/events" {
		c.serveEvents(w, r) // long-lived: it must not hold the lock
		return
	}
	if webJar(w, r) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	c.serveAPI(w, r)
}

// leaderHostPort is this Marathon, the leader (/v2/info, /v2/leader).
const leaderHostPort = "marathon.sim:8080"

// groupApps is AppsResource's and AppTasksResource's "<group>/*" id.
var groupApps = regexp.MustCompile(`^((?:.+/)|)\*$`)

// appEmbeds are InfoEmbedResolver.resolveApp's: each embed parameter,
// with or without its "apps."/"app."/"group.apps." prefix.
func appEmbeds(r *http.Request) map[string]bool {
	out := map[string]bool{}
	for _, e := range r.URL.Query()["embed"] {
		for _, p := range []string{"group.apps.", "apps.", "app."} {
			if strings.HasPrefix(e, p) {
				e = strings.TrimPrefix(e, p)
				break
			}
		}
		switch e {
		case "tasks":
			out["tasks"] = true
		case "failures": // deprecated: tasks and lastTaskFailure
			out["tasks"], out["lastTaskFailure"] = true, true
		case "lastTaskFailure", "readiness", "taskStats":
			out[e] = true
		}
	}
	return out
}

// appInfo is an app as AppsResource answers it: counts and deployments
// always, the rest as embedded.
func (c *Cluster) appInfo(a *app, embed map[string]bool) map[string]any {
	m := c.appJSON(a, embed["tasks"])
	if embed["lastTaskFailure"] && a.lastFailure != nil {
		m["lastTaskFailure"] = a.lastFailure
	}
	if embed["readiness"] {
		m["readinessCheckResults"] = []any{}
	}
	return m
}

// listApps is AppsResource.index: ?cmd and ?id match case-insensitive
// substrings, ?label is a label selector (a bad one is 422).
func (x *exchange) listApps() {
	q := x.r.URL.Query()
	var sel []labelSelector
	if l, ok := q["label"]; ok && len(l) > 0 {
		var err error
		if sel, err = parseLabelSelectors(l[0]); err != nil {
			mapped(x.w, http.StatusUnprocessableEntity, fmt.Sprintf("Can not parse label selector %s. Reason: %v", l[0], err))
			return
		}
	}
	embed := appEmbeds(x.r)
	apps := []any{}
	for _, a := range sortedApps(x.c.apps) {
		if !containsFold(a.spec["cmd"], q, "cmd") || !containsFold(a.id, q, "id") || !matchLabels(sel, a.spec["labels"]) {
			continue
		}
		apps = append(apps, x.c.appInfo(a, embed))
	}
	x.json(http.StatusOK, map[string]any{"apps": apps})
}

func containsFold(v any, q map[string][]string, key string) bool {
	want, ok := q[key]
	if !ok || len(want) == 0 {
		return true
	}
	s, isString := v.(string)
	return isString && strings.Contains(strings.ToLower(s), strings.ToLower(want[0]))
}

// showApp is AppsResource.show: one app (counts, tasks, deployments and
// lastTaskFailure always embedded), or "<group>/*": the apps in a group.
func (x *exchange) showApp() {
	id := x.param(0)
	embed := appEmbeds(x.r)
	embed["tasks"], embed["lastTaskFailure"] = true, true
	if m := groupApps.FindStringSubmatch(id); m != nil {
		gid := rootPath(m[1])
		if !x.c.groupExists(gid) {
			x.message(http.StatusNotFound, fmt.Sprintf("Group '%s' does not exist", gid))
			return
		}
		apps := []any{}
		for _, a := range sortedApps(x.c.apps) {
			if isUnder(a.id, gid) {
				apps = append(apps, x.c.appInfo(a, embed))
			}
		}
		x.json(http.StatusOK, map[string]any{"*": apps})
		return
	}
	a := x.c.apps[rootPath(id)]
	if a == nil {
		x.message(http.StatusNotFound, fmt.Sprintf("App '%s' does not exist", rootPath(id)))
		return
	}
	x.json(http.StatusOK, map[string]any{"app": x.c.appInfo(a, embed)})
}

// groupExists: the root always, else a group some app lies in.
func (c *Cluster) groupExists(gid string) bool {
	if gid == "/" {
		return true
	}
	for id := range c.apps {
		if strings.HasPrefix(id, gid+"/") {
			return true
		}
	}
	return false
}

// appOr404 finds the app of the first template value, answering
// RestResource.unknownApp when there is none.
func (x *exchange) appOr404() *app {
	id := rootPath(x.param(0))
	if a := x.c.apps[id]; a != nil {
		return a
	}
	x.message(http.StatusNotFound, fmt.Sprintf("App '%s' does not exist", id))
	return nil
}

// appVersions is AppVersionsResource.index, newest first.
func (x *exchange) appVersions() {
	a := x.appOr404()
	if a == nil {
		return
	}
	vs := []any{}
	for i := len(a.history) - 1; i >= 0; i-- {
		vs = append(vs, a.history[i]["version"])
	}
	x.json(http.StatusOK, map[string]any{"versions": vs})
}

// appVersion is AppVersionsResource.show: the bare app of that version.
// The version is a Timestamp: any ISO-8601 form of the instant finds it,
// the 404 names it in Marathon's form, and one Joda cannot parse is an
// IllegalArgumentException (422).
func (x *exchange) appVersion() {
	id, raw := rootPath(x.param(0)), x.param(1)
	v, ok := parseTimestamp(raw)
	if !ok {
		mapped(x.w, http.StatusUnprocessableEntity, fmt.Sprintf("Invalid format: %q", raw))
		return
	}
	if a := x.c.apps[id]; a != nil {
		for _, h := range a.history {
			if h["version"] == v {
				x.json(http.StatusOK, x.c.planApp(a, h))
				return
			}
		}
	}
	x.message(http.StatusNotFound, fmt.Sprintf("App '%s' does not exist in version %s", id, v))
}

// parseTimestamp reads an ISO-8601 instant as Marathon's Timestamp does
// and gives it back in Marathon's form (UTC, milliseconds).
func parseTimestamp(s string) (string, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return timestamp(t), true
		}
	}
	return "", false
}

// deployments is DeploymentsResource.running.
func (x *exchange) deployments() {
	out := []any{}
	for _, a := range sortedApps(x.c.apps) {
		if a.deploy != nil {
			out = append(out, x.c.deploymentJSON(a))
		}
	}
	x.json(http.StatusOK, out)
}

// boolParam reads a boolean query parameter as Jersey does
// (Boolean.valueOf: "true" in any case is true, anything else false).
func boolParam(r *http.Request, name string, def bool) bool {
	v, ok := r.URL.Query()[name]
	if !ok || len(v) == 0 {
		return def
	}
	return strings.EqualFold(v[0], "true")
}

// deploymentResult is RestResource.deploymentResult.
func (x *exchange) deploymentResult(code int, d *deployment) {
	x.w.Header().Set("Marathon-Deployment-Id", d.id)
	x.json(code, map[string]any{"version": d.version, "deploymentId": d.id})
}

// location is where JAX-RS puts a relative Location of a 201: the
// request's absolute path with the id appended (ContainerResponse
// setHeaders at jersey 1.18.5), so POST /v2/apps gives …/v2/apps/<id>.
func location(r *http.Request, id string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + strings.TrimSuffix(r.URL.EscapedPath(), "/") + id
}
