package jenkins

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// doBuild is ParameterizedJobMixIn.doBuild: 409 if the job is disabled;
// a parameterized job shows its form to a GET and reads the json form
// parameter ({"parameter":[{"name":…,"value":…}]}) from a POST; anything
// but POST is refused by BuildAuthorizationToken.checkPermission (405).
// A new item answers 201 with its absolute URL in Location.
func (s *Server) doBuild(c *call, j *job) {
	if j.disabled {
		jettyError(c.w, c.r, http.StatusConflict, j.name+" is not buildable")
		return
	}
	if j.paramDefs != nil && c.r.Method != http.MethodPost {
		page(c.w, http.StatusOK, j.name, "<h1>This build requires parameters:</h1><form method=\"post\" action=\"build\"></form>")
		return
	}
	if !c.requirePOST() {
		return
	}
	if j.paramDefs == nil {
		it, _ := s.schedule2(j, nil)
		c.queued(it)
		c.redirect(http.StatusCreated, "/"+itemURL(it)) // even if it was there already (JENKINS-66105)
		return
	}
	// ParametersDefinitionProperty._doBuild
	_ = c.r.ParseMultipartForm(1 << 20)
	raw := c.r.FormValue("json")
	if raw == "" {
		msg := "Nothing is submitted"
		if len(c.r.Form) > 0 {
			msg = "This page expects a form submission"
		}
		jettyError(c.w, c.r, http.StatusBadRequest, msg)
		return
	}
	var form struct {
		Parameter  json.RawMessage `json:"parameter"`
		StatusCode *int            `json:"statusCode"`
	}
	if err := json.Unmarshal([]byte(raw), &form); err != nil {
		c.oops()
		return
	}
	var given []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	}
	if len(form.Parameter) > 0 && form.Parameter[0] == '{' {
		form.Parameter = append(append([]byte("["), form.Parameter...), ']') // JSONArray.fromObject
	}
	if len(form.Parameter) > 0 && json.Unmarshal(form.Parameter, &given) != nil {
		c.oops()
		return
	}
	var params []param
	for _, g := range given {
		known := false
		for _, d := range j.paramDefs {
			known = known || d.Name == g.Name
		}
		if !known { // IllegalArgumentException: No such parameter definition
			c.oops()
			return
		}
		params = append(params, param{Name: g.Name, Value: fmt.Sprint(nilOr(g.Value))})
	}
	it, created := s.schedule2(j, withDefaults(j, params))
	c.queued(it)
	if !created {
		c.redirect(http.StatusFound, ".") // Queue.schedule returned null
		return
	}
	code := http.StatusCreated
	if form.StatusCode != nil {
		code = *form.StatusCode
	}
	c.redirect(code, "/"+itemURL(it))
}

// doBuildWithParameters is ParameterizedJobMixIn.doBuildWithParameters:
// each definition's value from the query or form by name, its default if
// absent; 303 to the item already waiting with the same parameters.
func (s *Server) doBuildWithParameters(c *call, j *job) {
	if !c.requirePOST() { // BuildAuthorizationToken.checkPermission
		return
	}
	if j.disabled {
		jettyError(c.w, c.r, http.StatusConflict, j.name+" is not buildable")
		return
	}
	if j.paramDefs == nil {
		jettyError(c.w, c.r, http.StatusBadRequest, j.name+" is not parameterized")
		return
	}
	_ = c.r.ParseMultipartForm(1 << 20)
	var params []param
	for _, d := range j.paramDefs {
		v := d.Value
		if got, ok := c.r.Form[d.Name]; ok && len(got) > 0 {
			v = got[0]
		}
		params = append(params, param{Name: d.Name, Value: v})
	}
	it, created := s.schedule2(j, params)
	c.queued(it)
	if !created {
		c.redirect(http.StatusSeeOther, "/"+itemURL(it))
		return
	}
	c.redirect(http.StatusCreated, "/"+itemURL(it))
}

func nilOr(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// withDefaults completes the given parameters with the job's defaults.
func withDefaults(j *job, given []param) []param {
	var out []param
	for _, d := range j.paramDefs {
		p := d
		for _, g := range given {
			if g.Name == d.Name {
				p = g
			}
		}
		out = append(out, p)
	}
	return out
}

// schedule2 is Queue.schedule2: an identical waiting item is not queued
// twice (ParametersAction.shouldSchedule compares the parameters).
func (s *Server) schedule2(j *job, params []param) (*queueItem, bool) {
	for _, it := range s.queue {
		if it.job == j && paramsString(it.params) == paramsString(params) {
			return it, false
		}
	}
	return s.enqueue(j, params), true
}

func itemURL(it *queueItem) string { return "queue/item/" + strconv.Itoa(it.id) + "/" }

func (s *Server) buildURL(b *build) string {
	return fmt.Sprintf("%s/job/%s/%d/", s.root, b.job.name, b.number)
}

// run dispatches below /job/NAME/N/ (hudson.model.Run).
func (s *Server) run(c *call, b *build) {
	if c.atObject(func() {
		page(c.w, http.StatusOK, fmt.Sprintf("%s #%d", b.job.name, b.number), "<h1>Build #"+strconv.Itoa(b.number)+"</h1>")
	}) {
		return
	}
	if c.view("console") {
		s.consolePage(c, b)
		return
	}
	switch c.next() {
	case "api":
		c.api(func() map[string]any { return s.buildJSON(b) })
	case "consoleText": // Run.doConsoleText
		s.consoleText(c, b)
	case "logText": // Run.getLogText
		s.logText(c, b)
	case "progressiveLog": // Run.doProgressiveLog, deprecated: getLogText().doProgressText
		s.progressive(c, b, false)
	case "stop":
		s.doStop(c, b)
	default:
		c.notFound("")
	}
}

func (s *Server) buildJSON(b *build) map[string]any {
	var result any
	dur := int64(0)
	if !b.building() {
		result, dur = b.result, b.ends.Sub(b.started).Milliseconds()
	}
	return map[string]any{"_class": "hudson.model.FreeStyleBuild", "number": b.number, "id": strconv.Itoa(b.number),
		"url": s.buildURL(b), "building": b.building(), "result": result, "duration": dur,
		"estimatedDuration": b.ends.Sub(b.started).Milliseconds(), "timestamp": b.started.UnixMilli(),
		"displayName": fmt.Sprintf("#%d", b.number), "fullDisplayName": fmt.Sprintf("%s #%d", b.job.name, b.number),
		"description": nil, "builtOn": b.node, "queueId": b.queueID, "keepLog": false,
		"actions":   []any{map[string]any{"_class": "hudson.model.ParametersAction", "parameters": paramsJSON(b.params)}},
		"artifacts": []any{}}
}

// jobJSON is the job's bean. Its builds and permalinks are Runs: at the
// default depth Jenkins shows each as its _class, number and url, but a
// ?tree= reaches any of a Run's exported properties (builds[result,
// actions[parameters[name,value]]]), so with a tree each is the whole
// build bean for the pruner to cut.
func (s *Server) jobJSON(j *job, tree bool) map[string]any {
	m := s.jobRef(j)
	ref := func(b *build) any {
		if b == nil {
			return nil
		}
		if tree {
			return s.buildJSON(b)
		}
		return map[string]any{"_class": "hudson.model.FreeStyleBuild", "number": b.number, "url": s.buildURL(b)}
	}
	builds := []any{}
	for i := len(j.builds) - 1; i >= 0; i-- {
		builds = append(builds, ref(j.builds[i]))
	}
	for name, p := range permalinks {
		m[name] = ref(j.last(p))
	}
	var first *build
	if len(j.builds) > 0 {
		first = j.builds[0]
	}
	var queued any
	inQueue := false
	for _, it := range s.queue {
		if it.job == j {
			inQueue, queued = true, s.itemJSON(it)
			break
		}
	}
	var defs []map[string]any
	for _, d := range j.paramDefs {
		defs = append(defs, map[string]any{"_class": "hudson.model.StringParameterDefinition", "name": d.Name, "type": "StringParameterDefinition",
			"description": "", "defaultParameterValue": map[string]any{"_class": "hudson.model.StringParameterValue", "name": d.Name, "value": d.Value}})
	}
	props := []map[string]any{}
	if defs != nil {
		props = append(props, map[string]any{"_class": "hudson.model.ParametersDefinitionProperty", "parameterDefinitions": defs})
	}
	m["description"], m["displayName"], m["fullName"], m["fullDisplayName"] = j.description, j.name, j.name, j.name
	m["displayNameOrNull"], m["firstBuild"], m["disabled"] = nil, ref(first), j.disabled
	m["buildable"], m["builds"], m["inQueue"], m["queueItem"], m["property"] = !j.disabled, builds, inQueue, queued, props
	m["nextBuildNumber"], m["concurrentBuild"], m["keepDependencies"] = j.nextNumber+1, false, false
	m["labelExpression"] = nilIfEmpty(j.label)
	return m
}
