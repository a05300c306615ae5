package jenkins

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (j *job) color() string {
	last := ""
	running := false
	for _, b := range j.builds {
		if b.building() {
			running = true
		} else {
			last = b.result
		}
	}
	c := map[string]string{"SUCCESS": "blue", "UNSTABLE": "yellow", "FAILURE": "red", "ABORTED": "aborted", "NOT_BUILT": "notbuilt"}[last]
	if c == "" {
		c = "notbuilt"
	}
	if running {
		c += "_anime"
	}
	return c
}

// estimate is the last completed build's duration, as Jenkins estimates.
func (j *job) estimate() time.Duration {
	for i := len(j.builds) - 1; i >= 0; i-- {
		if b := j.builds[i]; !b.building() {
			return b.ends.Sub(b.started)
		}
	}
	return 0
}

func (j *job) resultOr(def string) string {
	if j.result != "" {
		return j.result
	}
	return def
}

func (j *job) durationOr(def time.Duration) time.Duration {
	if j.duration > 0 {
		return j.duration
	}
	return def
}

// config is what the simulator reads of a job's config.xml.
type config struct {
	Description  string
	AssignedNode string
	Params       []param
}

// parseConfig walks config.xml for the description, <assignedNode> and
// every *ParameterDefinition's name and defaultValue, whatever the
// project type.
func parseConfig(r io.Reader) (config, error) {
	var cfg config
	data, err := io.ReadAll(r)
	if err != nil {
		return cfg, fmt.Errorf("reading config.xml: %w", err)
	}
	// Jenkins writes XML 1.1 declarations, which encoding/xml refuses;
	// nothing in a job config needs 1.1's extra characters.
	if rest, ok := bytes.CutPrefix(bytes.TrimSpace(data), []byte("<?xml")); ok {
		if end := bytes.Index(rest, []byte("?>")); end >= 0 {
			data = rest[end+2:]
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var path []string
	var cur *param
	for {
		t, err := dec.Token()
		if err == io.EOF {
			return cfg, nil
		}
		if err != nil {
			return cfg, fmt.Errorf("reading config.xml: %w", err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if strings.HasSuffix(t.Name.Local, "ParameterDefinition") {
				cfg.Params = append(cfg.Params, param{})
				cur = &cfg.Params[len(cfg.Params)-1]
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		case xml.CharData:
			text := string(t)
			switch {
			case len(path) == 2 && path[1] == "description":
				cfg.Description = text
			case len(path) == 2 && path[1] == "assignedNode":
				cfg.AssignedNode = strings.TrimSpace(text)
			case cur != nil && len(path) > 0 && path[len(path)-1] == "name":
				cur.Name = text
			case cur != nil && len(path) > 0 && path[len(path)-1] == "defaultValue":
				cur.Value = text
			}
		}
	}
}

// createItem is POST /createItem?name=X with a config.xml body.
func (s *Server) createItem(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" || strings.ContainsAny(name, "?*/\\%!@#$^&|<>[]:;") {
		fail(w, http.StatusBadRequest, "‘%s’ is an unsafe character", name)
		return
	}
	if s.jobs[name] != nil {
		w.Header().Set("X-Error", "A job already exists with the name "+name)
		fail(w, http.StatusBadRequest, "A job already exists with the name ‘%s’", name)
		return
	}
	cfg, err := parseConfig(r.Body)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	j := &job{name: name, description: cfg.Description, paramDefs: cfg.Params}
	if cfg.AssignedNode != "" {
		e, err := parseLabel(cfg.AssignedNode)
		if err != nil {
			fail(w, http.StatusBadRequest, "%v", err)
			return
		}
		j.expr, j.label = e, e.String()
	}
	s.jobs[name] = j
	w.WriteHeader(http.StatusOK)
}

func (s *Server) serveJob(w http.ResponseWriter, r *http.Request, rest string) {
	name, sub, _ := strings.Cut(rest, "/")
	j := s.jobs[name]
	if j == nil {
		http.NotFound(w, r)
		return
	}
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case get && sub == "api/json":
		writeJSON(w, s.jobJSON(j))
	case post && (sub == "build" || sub == "buildWithParameters"):
		s.buildJob(w, r, j)
	case post && sub == "doDelete":
		delete(s.jobs, name)
		http.Redirect(w, r, s.root+"/", http.StatusFound)
	default:
		s.serveBuild(w, r, j, sub)
	}
}

// buildJob queues a build: 201 with the queue item's URL in Location. An
// identical item already waiting is not queued twice, as in Jenkins.
func (s *Server) buildJob(w http.ResponseWriter, r *http.Request, j *job) {
	if err := r.ParseForm(); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	var params []param
	for _, d := range j.paramDefs {
		v := d.Value
		if got, ok := r.Form[d.Name]; ok && len(got) > 0 {
			v = got[0]
		}
		params = append(params, param{Name: d.Name, Value: v})
	}
	it := s.waiting(j, params)
	if it == nil {
		it = s.enqueue(j, params)
	}
	w.Header().Set("Location", fmt.Sprintf("%s/queue/item/%d/", s.root, it.id))
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) waiting(j *job, params []param) *queueItem {
	for _, it := range s.queue {
		if it.job == j && paramsString(it.params) == paramsString(params) {
			return it
		}
	}
	return nil
}

func (s *Server) jobJSON(j *job) map[string]any {
	m := s.jobRef(j)
	var builds []map[string]any
	var last, lastDone, lastOK, lastFailed any
	for i := len(j.builds) - 1; i >= 0; i-- {
		b := j.builds[i]
		ref := map[string]any{"_class": "hudson.model.FreeStyleBuild", "number": b.number, "url": s.buildURL(b)}
		builds = append(builds, ref)
		last = firstNonNil(last, ref)
		if !b.building() {
			lastDone = firstNonNil(lastDone, ref)
			if b.result == "SUCCESS" {
				lastOK = firstNonNil(lastOK, ref)
			} else {
				lastFailed = firstNonNil(lastFailed, ref)
			}
		}
	}
	if builds == nil {
		builds = []map[string]any{}
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
	m["displayNameOrNull"] = nil
	m["buildable"], m["builds"], m["inQueue"], m["queueItem"], m["property"] = true, builds, inQueue, queued, props
	m["lastBuild"], m["lastCompletedBuild"], m["lastSuccessfulBuild"], m["lastFailedBuild"] = last, lastDone, lastOK, lastFailed
	m["nextBuildNumber"], m["concurrentBuild"] = j.nextNumber+1, false
	m["labelExpression"] = nilIfEmpty(j.label)
	return m
}

func (s *Server) buildURL(b *build) string {
	return fmt.Sprintf("%s/job/%s/%d/", s.root, b.job.name, b.number)
}

func (s *Server) serveBuild(w http.ResponseWriter, r *http.Request, j *job, sub string) {
	numText, rest, _ := strings.Cut(sub, "/")
	n, err := strconv.Atoi(numText)
	if err != nil || n < 1 || n > len(j.builds) || rest != "api/json" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	b := j.builds[n-1]
	var result any
	dur := int64(0)
	if !b.building() {
		result, dur = b.result, b.ends.Sub(b.started).Milliseconds()
	}
	writeJSON(w, map[string]any{"_class": "hudson.model.FreeStyleBuild", "number": b.number, "id": strconv.Itoa(b.number),
		"url": s.buildURL(b), "building": b.building(), "result": result, "duration": dur,
		"estimatedDuration": b.ends.Sub(b.started).Milliseconds(), "timestamp": b.started.UnixMilli(),
		"displayName": fmt.Sprintf("#%d", b.number), "fullDisplayName": fmt.Sprintf("%s #%d", j.name, b.number),
		"description": nil, "builtOn": b.node, "queueId": b.queueID, "keepLog": false,
		"actions":   []any{map[string]any{"_class": "hudson.model.ParametersAction", "parameters": paramsJSON(b.params)}},
		"artifacts": []any{}})
}

func firstNonNil(cur, v any) any {
	if cur != nil {
		return cur
	}
	return v
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
