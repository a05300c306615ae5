package marathon

import (
	_ "embed"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The smaller resources of Marathon 1.4.13: SystemResource (/ping,
// /metrics), InfoResource, LeaderResource, QueueResource,
// GroupsResource (reads), PodsResource (reads; the simulator runs no
// pods), SchemaResource and EventSubscriptionsResource.

// ping is SystemResource.ping: Request.selectVariant over text/plain,
// text/html, application/json, text/*; JSON is the string "pong", text
// is pong (text/plain for a wildcard), nothing acceptable is a 204.
func (x *exchange) ping() {
	variants := []mediaType{{typ: "text", sub: "plain"}, {typ: "text", sub: "html"}, {typ: "application", sub: "json"}, {typ: "text", sub: "*"}}
	for _, a := range parseAccept(x.r.Header.Values("Accept")) {
		if a.q <= 0 {
			continue
		}
		for _, v := range variants {
			if !a.compatible(v) {
				continue
			}
			body, ct := "pong", v.typ+"/"+v.sub
			switch {
			case v.sub == "json":
				body = `"pong"`
			case v.wildcard():
				ct = "text/plain"
			}
			x.w.Header().Set("Content-Type", ct)
			_, _ = x.w.Write([]byte(body))
			return
		}
	}
	x.w.WriteHeader(http.StatusNoContent)
}

// metrics is SystemResource.metrics: the Dropwizard registry as
// metrics-json writes it (the simulator keeps no metrics).
func (x *exchange) metrics() {
	x.json(http.StatusOK, map[string]any{"version": "3.0.0", "gauges": map[string]any{}, "counters": map[string]any{},
		"histograms": map[string]any{}, "meters": map[string]any{}, "timers": map[string]any{}})
}

func (x *exchange) info() { x.json(http.StatusOK, x.c.info()) }

// leader is LeaderResource.index; abdicate its DELETE (this simulated
// Marathon is elected again at once).
func (x *exchange) leader() { x.json(http.StatusOK, map[string]any{"leader": leaderHostPort}) }
func (x *exchange) abdicate() {
	x.json(http.StatusOK, map[string]any{"message": "Leadership abdicated"})
}

// noCallbacks is NoopHttpCallbackSubscriptionService: this Marathon runs
// without --event_subscriber (its /v2/info says event_subscriber null).
func noCallbacks(x *exchange) {
	mapped(x.w, http.StatusBadRequest, "http event callback system is not running on this Marathon instance. Please re-start this instance with\n\"--event_subscriber http_callback\".")
}

// offerReasons is NoOfferMatchReason.reasonFunnel (mesos/NoOfferMatchReason.scala).
var offerReasons = []string{"UnfulfilledRole", "UnfulfilledConstraint", "NoCorrespondingReservationFound",
	"InsufficientCpus", "InsufficientMemory", "InsufficientDisk", "InsufficientGpus", "InsufficientPorts"}

// queued are the apps with instances left to launch.
func (c *Cluster) queued() []*app {
	var out []*app
	for _, a := range sortedApps(c.apps) {
		if len(a.tasks) < a.instances() {
			out = append(out, a)
		}
	}
	return out
}

// queue is QueueResource.index (raml/QueueInfoConversion.scala): the
// simulator makes no offers, so the offer summary counts are zero.
func (x *exchange) queue() {
	now := x.c.opts.Now()
	steps := func() []any {
		out := []any{}
		for _, r := range offerReasons {
			out = append(out, map[string]any{"reason": r, "declined": 0, "processed": 0})
		}
		return out
	}
	items := []any{}
	for _, a := range x.c.queued() {
		left := int64(a.delayUntil.Sub(now) / time.Second)
		item := map[string]any{"count": a.instances() - len(a.tasks),
			"delay": map[string]any{"timeLeftSeconds": max(left, 0), "overdue": left < 0},
			"since": timestamp(x.c.launchSince(a)),
			"processedOffersSummary": map[string]any{"processedOffersCount": 0, "unusedOffersCount": 0,
				"rejectSummaryLastOffers": steps(), "rejectSummaryLaunchAttempt": steps()},
			"app": x.c.planApp(a, a.spec)}
		if contains(x.r.URL.Query()["embed"], "lastUnusedOffers") {
			item["lastUnusedOffers"] = []any{}
		}
		items = append(items, item)
	}
	x.json(http.StatusOK, map[string]any{"queue": items})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// launchSince is when the app's current launch attempt began.
func (c *Cluster) launchSince(a *app) time.Time {
	if a.deploy != nil {
		return a.deploy.started
	}
	return c.opts.Now()
}

// resetDelay is QueueResource.resetDelay: 204, or 404 for an app not in
// the queue.
func (x *exchange) resetDelay() {
	id := rootPath(x.param(0))
	for _, a := range x.c.queued() {
		if a.id == id {
			a.delayUntil, a.settled = time.Time{}, false
			x.w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if x.ctype == "" {
		x.ctype = "text/plain" // a String entity negotiated against */*
	}
	x.message(http.StatusNotFound, fmt.Sprintf("Application %s not found in tasks queue.", id))
}

// group is GroupsResource.group: "<id>/apps", "<id>/versions",
// "<id>/versions/<v>" or a group, apps, groups and pods embedded.
func (x *exchange) group() {
	id := "/"
	if len(x.params) > 0 {
		id = x.param(0)
	}
	trimmed := strings.Trim(id, "/")
	switch {
	case trimmed == "apps" || strings.HasSuffix(trimmed, "/apps"):
		gid := rootPath(strings.TrimSuffix(trimmed, "apps"))
		apps := []any{}
		for _, a := range sortedApps(x.c.apps) {
			if isUnder(a.id, gid) {
				apps = append(apps, x.c.planApp(a, a.spec))
			}
		}
		x.json(http.StatusOK, apps)
		return
	case trimmed == "versions" || strings.HasSuffix(trimmed, "/versions"):
		gid := rootPath(strings.TrimSuffix(trimmed, "versions"))
		if !x.c.groupExists(gid) {
			x.message(http.StatusNotFound, fmt.Sprintf("Group '%s' does not exist", gid))
			return
		}
		x.json(http.StatusOK, []any{x.c.rootVersion()})
		return
	}
	gid := rootPath(id)
	var apps []map[string]any
	for _, a := range sortedApps(x.c.apps) {
		apps = append(apps, x.c.planApp(a, a.spec))
	}
	tree := groupTree(apps, x.c.rootVersion())
	if g := findGroup(tree, gid); g != nil {
		x.json(http.StatusOK, g)
		return
	}
	x.message(http.StatusNotFound, fmt.Sprintf("Group '%s' does not exist", gid))
}

func findGroup(g map[string]any, id string) map[string]any {
	if g["id"] == id {
		return g
	}
	for _, sub := range g["groups"].([]any) {
		if f := findGroup(sub.(map[string]any), id); f != nil {
			return f
		}
	}
	return nil
}

// rootVersion is the root group's version: its latest change.
func (c *Cluster) rootVersion() string {
	v := timestamp(time.Unix(0, 0))
	for _, a := range c.apps {
		if a.version > v {
			v = a.version
		}
	}
	return v
}

// appDefinitionSchema is Marathon 1.4.13's
// docs/docs/rest-api/public/api/v2/schema/AppDefinition.json (a byte
// copy, Apache License 2.0), which it serves from its jar.
//
//go:embed schema/AppDefinition.json
var appDefinitionSchema []byte

// appSchema is SchemaResource.index: schema/AppDefinition.json.
func (x *exchange) appSchema() {
	x.w.Header().Set("Content-Type", x.ctype)
	_, _ = x.w.Write(appDefinitionSchema)
}

func emptyList(x *exchange) { x.json(http.StatusOK, []any{}) }

// unknownPod is RestResource.unknownPod.
func (x *exchange) unknownPod() {
	x.message(http.StatusNotFound, fmt.Sprintf("Pod '%s' does not exist", rootPath(x.param(0))))
}

// podNotFound is PodsResource.find's 404, whose message is itself a JSON
// text (it passes a JSON string to RestResource.notFound).
func (x *exchange) podNotFound() {
	x.message(http.StatusNotFound, fmt.Sprintf(`{"message": "pod with %s does not exist"}`, rootPath(x.param(0))))
}
