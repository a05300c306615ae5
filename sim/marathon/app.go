package marathon

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

type task struct {
	id, appID, agentID, host, version, configVersion string
	image                                            string
	ports                                            []int
	staged, started                                  time.Time
	cpus, mem, disk                                  float64
	healthy                                          bool
	checked                                          bool // a health result exists
}

type app struct {
	id       string
	spec     map[string]any // the app definition as Marathon returns it, less the computed fields
	version  string
	config   string // version of the last config change (tasks of older configs are replaced)
	scaledAt string
	history  []map[string]any // specs by version, oldest first
	tasks    []*task
	deploy   *deployment
	waiting  int // tasks that fit nowhere right now
}

type deployment struct {
	id, version, action string
	appID               string
	started             time.Time
}

// appDefaults are Marathon 1.4's defaults for fields a request leaves out.
func appDefaults() map[string]any {
	return map[string]any{"cmd": nil, "args": nil, "user": nil, "env": map[string]any{}, "instances": 1.0, "cpus": 1.0, "mem": 128.0,
		"disk": 0.0, "gpus": 0.0, "executor": "", "constraints": []any{}, "uris": []any{}, "fetch": []any{}, "storeUrls": []any{},
		"backoffSeconds": 1.0, "backoffFactor": 1.15, "maxLaunchDelaySeconds": 3600.0, "container": nil, "healthChecks": []any{},
		"readinessChecks": []any{}, "dependencies": []any{}, "upgradeStrategy": map[string]any{"minimumHealthCapacity": 1.0, "maximumOverCapacity": 1.0},
		"labels": map[string]any{}, "ipAddress": nil, "residency": nil, "secrets": map[string]any{}, "taskKillGracePeriodSeconds": nil,
		"unreachableStrategy": map[string]any{"inactiveAfterSeconds": 300.0, "expungeAfterSeconds": 600.0}, "killSelection": "YOUNGEST_FIRST",
		"portDefinitions": []any{map[string]any{"port": 0.0, "protocol": "tcp", "name": "default", "labels": map[string]any{}}}, "requirePorts": false}
}

// validate returns Marathon's 422 details ({path, errors}) for a definition.
func validate(spec map[string]any) []any {
	var details []any
	bad := func(path, msg string) { details = append(details, map[string]any{"path": path, "errors": []any{msg}}) }
	if id, _ := spec["id"].(string); id == "" || strings.Contains(id, "//") || strings.ToLower(id) != id {
		bad("/id", "path contains invalid characters (allowed: lowercase letters, digits, hyphens, \".\", \"..\")")
	}
	for _, f := range []string{"cpus", "mem", "disk"} {
		if v, ok := spec[f].(float64); !ok || v < 0 {
			bad("/"+f, "got "+fmt.Sprint(spec[f])+", expected 0.0 or more")
		}
	}
	if v, ok := spec["instances"].(float64); !ok || v < 0 || v != math.Trunc(v) {
		bad("/instances", "got "+fmt.Sprint(spec["instances"])+", expected 0 or more")
	}
	if spec["cmd"] != nil && spec["args"] != nil {
		bad("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")
	}
	return details
}

func (a *app) instances() int { return int(num(a.spec["instances"])) }
func (a *app) resources() (float64, float64, float64) {
	return num(a.spec["cpus"]), num(a.spec["mem"]), num(a.spec["disk"])
}

// image is the docker image, "" for a command app.
func (a *app) image() string {
	c, _ := a.spec["container"].(map[string]any)
	d, _ := c["docker"].(map[string]any)
	s, _ := d["image"].(string)
	return s
}

// portCount is how many host ports each task needs.
func (a *app) portCount() int {
	c, _ := a.spec["container"].(map[string]any)
	d, _ := c["docker"].(map[string]any)
	if pm, ok := d["portMappings"].([]any); ok && len(pm) > 0 {
		return len(pm)
	}
	pd, _ := a.spec["portDefinitions"].([]any)
	return len(pd)
}

func (a *app) hasHealthChecks() bool {
	hc, _ := a.spec["healthChecks"].([]any)
	return len(hc) > 0
}

func (a *app) strategy() (minHealth, maxOver float64) {
	u, _ := a.spec["upgradeStrategy"].(map[string]any)
	return num(u["minimumHealthCapacity"]), num(u["maximumOverCapacity"])
}

func (a *app) constraints() [][]string {
	var out [][]string
	cs, _ := a.spec["constraints"].([]any)
	for _, c := range cs {
		parts, _ := c.([]any)
		var row []string
		for _, p := range parts {
			row = append(row, fmt.Sprint(p))
		}
		out = append(out, row)
	}
	return out
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// taskID is Marathon's: the app id with '/' as '_' (leading one dropped), a dot, a uuid.
func taskID(appID, uuid string) string {
	return strings.ReplaceAll(strings.TrimPrefix(appID, "/"), "/", "_") + "." + uuid
}

func sortedApps(m map[string]*app) []*app {
	out := make([]*app, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}
