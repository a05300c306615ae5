package marathon

import (
	"fmt"
	"math"
	"regexp"
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
	checked                                          bool      // a health result exists
	unhealthySince                                   time.Time // first failed check
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
	// lastFailure is lastTaskFailure as Marathon writes it; failures and
	// delayUntil are the launch backoff after tasks were killed.
	lastFailure map[string]any
	failures    int
	delayUntil  time.Time
	// settled: nothing pending; advance skips the app until a request
	// changes it (a cluster of many apps stays cheap to serve).
	settled bool
}

type deployment struct {
	id, version string
	actions     []string // one action per step
	appID       string
	started     time.Time
	original    map[string]any // the app before, nil for a new one
}

// appDefaults are Marathon 1.4's defaults for fields a request leaves out.
func appDefaults() map[string]any {
	return map[string]any{"cmd": nil, "args": nil, "user": nil, "env": map[string]any{}, "instances": 1.0, "cpus": 1.0, "mem": 128.0,
		"disk": 0.0, "gpus": 0.0, "executor": "", "constraints": []any{}, "uris": []any{}, "fetch": []any{}, "storeUrls": []any{},
		"backoffSeconds": 1.0, "backoffFactor": 1.15, "maxLaunchDelaySeconds": 3600.0, "container": nil, "healthChecks": []any{},
		"readinessChecks": []any{}, "dependencies": []any{}, "upgradeStrategy": map[string]any{"minimumHealthCapacity": 1.0, "maximumOverCapacity": 1.0},
		"labels": map[string]any{}, "ipAddress": nil, "residency": nil, "secrets": map[string]any{}, "taskKillGracePeriodSeconds": nil,
		"unreachableStrategy": map[string]any{"inactiveAfterSeconds": 0.0, "expungeAfterSeconds": 0.0}, "killSelection": "YOUNGEST_FIRST",
		"portDefinitions": []any{map[string]any{"port": 0.0, "protocol": "tcp", "name": "default", "labels": map[string]any{}}}, "requirePorts": false}
}

// idSegment is the pattern every segment of an app id must match.
const idSegment = `^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$`

var idSegmentRE = regexp.MustCompile(`^(?:` + idSegment[1:len(idSegment)-1] + `)$`)

// validate returns Marathon's 422 details ({path, errors}) for a definition.
func validate(spec map[string]any) []any {
	var details []any
	bad := func(path, msg string) { details = append(details, map[string]any{"path": path, "errors": []any{msg}}) }
	id, _ := spec["id"].(string)
	for _, seg := range strings.Split(strings.TrimPrefix(id, "/"), "/") {
		if !idSegmentRE.MatchString(seg) {
			bad("/id", "must fully match regular expression '"+idSegment+"'")
			break
		}
	}
	for _, f := range []string{"cpus", "mem", "disk"} {
		if v, ok := spec[f].(float64); !ok || v < 0 {
			bad("/"+f, "got "+fmt.Sprint(spec[f])+", expected 0.0 or more")
		}
	}
	if v, ok := spec["instances"].(float64); !ok || v < 0 || v != math.Trunc(v) {
		bad("/instances", "got "+fmt.Sprint(spec["instances"])+", expected 0 or more")
	}
	if (spec["cmd"] != nil && spec["args"] != nil) || (spec["cmd"] == nil && spec["args"] == nil && spec["container"] == nil) {
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

// backoff is how long launches wait after the n-th failure:
// backoffSeconds × backoffFactor^(n-1), at most maxLaunchDelaySeconds.
func (a *app) backoff(n int) time.Duration {
	d := num(a.spec["backoffSeconds"]) * math.Pow(num(a.spec["backoffFactor"]), float64(n-1))
	return time.Duration(math.Min(d, num(a.spec["maxLaunchDelaySeconds"])) * float64(time.Second))
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
