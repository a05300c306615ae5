package jenkins

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"
)

// What the simulator remembers of the builds asked for and run, for tests
// that count them (per MINKA_BUILD value, say).

// BuildRequest is one request that reached build or buildWithParameters
// of a job, whatever became of it.
type BuildRequest struct {
	Time time.Time
	Job  string
	// Params are the parameters as submitted: the query and form fields
	// (json, delay, token, cause and the crumb aside) and the json form's
	// parameters, defined by the job or not.
	Params map[string]string
	// Code is the status answered: 201 queued, 303 or 302 merged with an
	// identical waiting item, 4xx/5xx refused, 503 while restarting.
	Code int
	// QueueID is the item queued or merged with, 0 if none.
	QueueID int
}

// BuildInfo is one build as the simulator ran it.
type BuildInfo struct {
	Number, QueueID int
	Params          map[string]string // as the build has them: the job's, defaults filled in
	Node            string
	Result          string // "" while running
	Started, Ended  time.Time
	Log             string // the console log so far
}

// notParams are fields of a build request that are not build parameters.
var notParams = map[string]bool{"json": true, "delay": true, "token": true, "cause": true, "Jenkins-Crumb": true}

// buildRequestOf starts the record of r if it is for a job's build or
// buildWithParameters (a web method, whatever follows it); the body is
// parsed now, before anything is answered, as net/http wants.
func (s *Server) buildRequestOf(r *http.Request, toks []string) *BuildRequest {
	if len(toks) < 3 || toks[0] != "job" || (toks[2] != "build" && toks[2] != "buildWithParameters") {
		return nil
	}
	_ = r.ParseMultipartForm(1 << 20)
	params := map[string]string{}
	for k, v := range r.Form {
		if !notParams[k] && len(v) > 0 {
			params[k] = v[0]
		}
	}
	var form struct {
		Parameter json.RawMessage `json:"parameter"`
	}
	if raw := r.Form.Get("json"); raw != "" && json.Unmarshal([]byte(raw), &form) == nil && len(form.Parameter) > 0 {
		if form.Parameter[0] == '{' {
			form.Parameter = append(append([]byte("["), form.Parameter...), ']')
		}
		var given []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		}
		if json.Unmarshal(form.Parameter, &given) == nil {
			for _, g := range given {
				params[g.Name] = fmt.Sprint(nilOr(g.Value))
			}
		}
	}
	return &BuildRequest{Time: s.opts.Now(), Job: toks[1], Params: params}
}

// statusWriter remembers the status answered.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// recordBuildRequest keeps req with the status sw answered.
func (s *Server) recordBuildRequest(req *BuildRequest, sw *statusWriter) {
	req.Code = sw.code
	if req.Code == 0 {
		req.Code = http.StatusOK
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, *req)
}

// queued notes the item a build request queued or was merged with.
func (c *call) queued(it *queueItem) {
	if c.req != nil && it != nil {
		c.req.QueueID = it.id
	}
}

// BuildRequests lists the build requests for job, oldest first.
func (s *Server) BuildRequests(job string) []BuildRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []BuildRequest
	for _, r := range s.requests {
		if r.Job == job {
			r.Params = maps.Clone(r.Params)
			out = append(out, r)
		}
	}
	return out
}

// Builds lists job's builds, oldest first; nil for an unknown job.
func (s *Server) Builds(job string) []BuildInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	j := s.jobs[job]
	if j == nil {
		return nil
	}
	now := s.opts.Now()
	out := make([]BuildInfo, 0, len(j.builds))
	for _, b := range j.builds {
		info := BuildInfo{Number: b.number, QueueID: b.queueID, Params: map[string]string{}, Node: b.node,
			Result: b.result, Started: b.started, Log: b.text(now)}
		for _, p := range b.params {
			info.Params[p.Name] = p.Value
		}
		if !b.building() {
			info.Ended = b.ends
		}
		out = append(out, info)
	}
	return out
}
