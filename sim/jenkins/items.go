package jenkins

import (
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Jobs: Jenkins.doCreateItem (ItemGroupMixIn.createTopLevelItem),
// /job/NAME/ (Job, AbstractItem, ParameterizedJobMixIn) and its builds.

// createItem is ItemGroupMixIn.createTopLevelItem (@RequirePOST on
// Jenkins.doCreateItem): a config.xml body, or mode=copy&from=.
func (s *Server) createItem(c *call) {
	if !c.requirePOST() {
		return
	}
	ct := c.r.Header.Get("Content-Type")
	_ = c.r.ParseForm() // reads the body only when it is a form
	mode := c.r.Form.Get("mode")
	if ct == "" && mode != "copy" {
		c.failure("No Content-Type header set")
		return
	}
	if !c.r.Form.Has("name") {
		c.failure("Query parameter 'name' is required")
		return
	}
	name := c.r.Form.Get("name")
	if msg := checkGoodName(name); msg != "" {
		c.failure(msg)
		return
	}
	name = strings.TrimSpace(name)
	if s.jobs[name] != nil {
		c.failure("A job already exists with the name ‘" + name + "’")
		return
	}
	var cfg config
	switch {
	case mode == "copy":
		from := c.r.Form.Get("from")
		src := s.jobs[strings.TrimPrefix(from, "/")]
		if src == nil {
			if from == "" {
				c.failure("Specify which job to copy")
			} else {
				c.failure("No such job: " + from)
			}
			return
		}
		cfg, _ = parseConfig(strings.NewReader(src.configXML))
	case strings.HasPrefix(ct, "application/xml") || strings.HasPrefix(ct, "text/xml"):
		var err error
		if cfg, err = parseConfig(c.r.Body); err != nil {
			c.oops() // "Failed to persist config.xml": an IOException
			return
		}
	case mode == "":
		c.failure("No mode given")
		return
	case mode == "hudson.model.FreeStyleProject":
		cfg.XML = "<?xml version='1.1' encoding='UTF-8'?>\n<project>\n  <builders/>\n</project>"
	default:
		c.failure("No item type ‘" + mode + "’ is known")
		return
	}
	j := &job{name: name}
	if !s.configure(c, j, cfg) {
		return
	}
	s.jobs[name] = j
	if mode == "copy" || !(strings.HasPrefix(ct, "application/xml") || strings.HasPrefix(ct, "text/xml")) {
		c.redirect(http.StatusFound, "/job/"+name+"/configure") // redirectAfterCreateItem
		return
	}
	c.w.WriteHeader(http.StatusOK)
}

// configure applies a config.xml to j; a bad label expression is the
// 400 Jenkins gives when the project fails to load.
func (s *Server) configure(c *call, j *job, cfg config) bool {
	var e expr
	if cfg.AssignedNode != "" {
		var err error
		if e, err = parseLabel(cfg.AssignedNode); err != nil {
			c.failure(err.Error())
			return false
		}
	}
	j.description, j.paramDefs, j.disabled, j.configXML = cfg.Description, cfg.Params, cfg.Disabled, cfg.XML
	j.expr, j.label = e, ""
	if e != nil {
		j.label = e.String()
	}
	return true
}

// job dispatches below /job/NAME/.
func (s *Server) job(c *call, j *job) {
	if c.atObject(func() { page(c.w, http.StatusOK, j.name, "<h1>Project "+html.EscapeString(j.name)+"</h1>") }) {
		return
	}
	switch tok := c.next(); tok {
	case "api":
		c.api(func() map[string]any { return s.jobJSON(j, c.r.URL.Query().Has("tree")) })
	case "build":
		s.doBuild(c, j)
	case "buildWithParameters":
		s.doBuildWithParameters(c, j)
	case "config.xml": // AbstractItem.doConfigDotXml
		switch c.r.Method {
		case http.MethodGet:
			c.w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(c.w, j.configXML)
		case http.MethodPost:
			cfg, err := parseConfig(c.r.Body)
			if err != nil {
				c.oops()
				return
			}
			s.configure(c, j, cfg)
		default:
			jettyError(c.w, c.r, http.StatusBadRequest, "")
		}
	case "doDelete": // AbstractItem.doDoDelete, @RequirePOST; back to the parent
		if c.requirePOST() {
			delete(s.jobs, j.name)
			for _, it := range append([]*queueItem(nil), s.queue...) {
				if it.job == j {
					s.cancel(it)
				}
			}
			c.redirect(http.StatusFound, "/")
		}
	case "enable", "disable": // ParameterizedJob.doEnable/doDisable, @RequirePOST
		if c.requirePOST() {
			j.disabled = tok == "disable"
			c.redirect(http.StatusFound, ".")
		}
	default: // Job.getDynamic: a build number, else a permalink
		var b *build
		if n, err := strconv.Atoi(tok); err == nil {
			if n >= 1 && n <= len(j.builds) {
				b = j.builds[n-1]
			}
		} else if p, ok := permalinks[tok]; ok {
			b = j.last(p)
		}
		if b == nil {
			c.notFound("")
			return
		}
		s.run(c, b)
	}
}

// permalinks are PeepholePermalink's (jenkins/model/PeepholePermalink.java)
// and Permalink.LAST_BUILD: lastBuild takes a running build, the others
// finished builds whose result they accept.
type permalink struct {
	running bool
	take    func(result string) bool
}

var permalinks = map[string]permalink{
	"lastBuild":             {true, func(string) bool { return true }},
	"lastStableBuild":       {false, func(r string) bool { return r == "SUCCESS" }},
	"lastSuccessfulBuild":   {false, func(r string) bool { return r == "SUCCESS" || r == "UNSTABLE" }},
	"lastFailedBuild":       {false, func(r string) bool { return r == "FAILURE" }},
	"lastUnstableBuild":     {false, func(r string) bool { return r == "UNSTABLE" }},
	"lastUnsuccessfulBuild": {false, func(r string) bool { return r != "SUCCESS" }},
	"lastCompletedBuild":    {false, func(string) bool { return true }},
}

// last is the newest build p takes, nil if none.
func (j *job) last(p permalink) *build {
	for i := len(j.builds) - 1; i >= 0; i-- {
		b := j.builds[i]
		if b.building() {
			if p.running {
				return b
			}
			continue
		}
		if p.take(b.result) {
			return b
		}
	}
	return nil
}
