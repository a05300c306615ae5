package jenkins

import (
	"html"
	"net/http"
	"strings"
)

// root dispatches from Jenkins (jenkins.model.Jenkins): its web methods,
// getters and the objects below it.
func (s *Server) rootObj(c *call) {
	if c.atObject(func() { page(c.w, http.StatusOK, "Dashboard", "<h1>Welcome to Jenkins!</h1>") }) {
		return
	}
	switch c.next() {
	case "api":
		c.api(s.rootJSON)
	case "createItem":
		s.createItem(c)
	case "job": // getJob(String): needs the next token
		if !c.more() {
			c.notFound("")
			return
		}
		j := s.jobs[c.next()]
		if j == nil {
			c.notFound("")
			return
		}
		s.job(c, j)
	case "computer":
		s.computerSet(c)
	case "queue":
		s.queueObj(c)
	case "crumbIssuer":
		s.crumbIssuer(c)
	case "restart":
		s.doRestart(c)
	case "safeRestart":
		s.doSafeRestart(c)
	case "whoAmI":
		s.whoAmI(c)
	case "me": // Jenkins.getMe: AccessDeniedException for anonymous
		if c.user == anonymous {
			loginRequired(c.w, c.r, "")
			return
		}
		s.userObj(c, c.user)
	case "user": // Jenkins.getUser(String); ids are case-insensitive
		if !c.more() {
			c.notFound("")
			return
		}
		name := c.next()
		if !strings.EqualFold(name, s.opts.User) {
			c.notFound("")
			return
		}
		s.userObj(c, s.opts.User)
	case "login":
		if c.more() {
			c.notFound("")
			return
		}
		page(c.w, http.StatusOK, "Sign in", "<form method=\"post\" action=\"j_spring_security_check\"></form>")
	default:
		c.notFound("")
	}
}

func (s *Server) rootJSON() map[string]any {
	jobs := []map[string]any{}
	for _, name := range sortedKeys(s.jobs) {
		jobs = append(jobs, s.jobRef(s.jobs[name]))
	}
	all := map[string]any{"_class": "hudson.model.AllView", "name": "all", "url": s.root + "/"}
	m := map[string]any{"_class": "hudson.model.Hudson", "assignedLabels": []map[string]any{{"name": "built-in"}},
		"mode": "NORMAL", "nodeDescription": "the Jenkins controller's built-in node", "nodeName": "",
		"numExecutors": s.opts.BuiltInExecutors, "description": nil, "jobs": jobs}
	m["overallLoad"], m["primaryView"], m["views"] = map[string]any{}, all, []any{all}
	m["quietDownReason"], m["quietingDown"], m["slaveAgentPort"] = nilIfEmpty(s.quietReason), s.quietDown, 50000
	m["unlabeledLoad"] = map[string]any{"_class": "jenkins.model.UnlabeledLoadStatistics"}
	m["useCrumbs"], m["useSecurity"], m["url"] = true, true, s.root+"/"
	return m
}

func (s *Server) jobRef(j *job) map[string]any {
	return map[string]any{"_class": "hudson.model.FreeStyleProject", "name": j.name, "url": s.root + "/job/" + j.name + "/", "color": j.color()}
}

// crumbIssuer is /crumbIssuer/ (DefaultCrumbIssuer, no index view). Its
// RestrictedApi answers the four XPath forms clients send as text/plain,
// "concat(//crumbRequestField,\":\",//crumb)" being the CLI's and curl's.
func (s *Server) crumbIssuer(c *call) {
	if c.atObject(nil) {
		return
	}
	if c.next() != "api" {
		c.notFound("")
		return
	}
	crumb := s.crumb(c.user, s.session(c.w, c.r, true))
	bean := func() map[string]any {
		return map[string]any{"_class": "hudson.security.csrf.DefaultCrumbIssuer", "crumb": crumb, "crumbRequestField": "Jenkins-Crumb"}
	}
	if c.peek() == "xml" && c.r.URL.Query().Has("xpath") {
		text := ""
		switch c.r.URL.Query().Get("xpath") {
		case "/*/crumbRequestField/text()":
			text = "Jenkins-Crumb"
		case "/*/crumb/text()":
			text = crumb
		case `concat(//crumbRequestField,":",//crumb)`:
			text = "Jenkins-Crumb:" + crumb
		case `concat(//crumbRequestField,'=',//crumb)`: // NetBeans; only for a field starting with '.' or holding '-'
			text = "Jenkins-Crumb=" + crumb
		}
		if text != "" {
			c.w.Header().Set("X-Content-Type-Options", "nosniff")
			c.w.Header().Set("X-Frame-Options", "deny")
			c.w.Header().Set("Content-Type", "text/plain;charset=utf-8") // Jetty's MimeTypes cache lower-cases it
			_, _ = c.w.Write([]byte(text))
			return
		}
	}
	c.api(bean)
}

// whoAmI is hudson.security.WhoAmI, an UnprotectedRootAction.
func (s *Server) whoAmI(c *call) {
	bean := func() map[string]any {
		auth := []string{"authenticated"}
		if c.user == anonymous {
			auth = []string{anonymous}
		}
		return map[string]any{"_class": "hudson.security.WhoAmI", "anonymous": c.user == anonymous, "authenticated": true,
			"authorities": auth, "name": c.user}
	}
	if c.atObject(func() {
		page(c.w, http.StatusOK, "Who Am I", "<h1>Who Am I?</h1><table><tr><td>Name:</td><td>"+html.EscapeString(c.user)+"</td></tr></table>")
	}) {
		return
	}
	if c.next() != "api" {
		c.notFound("")
		return
	}
	c.api(bean)
}

// userObj is hudson.model.User.
func (s *Server) userObj(c *call, id string) {
	if c.atObject(func() { page(c.w, http.StatusOK, id, "<h1>"+html.EscapeString(id)+"</h1>") }) {
		return
	}
	if c.next() != "api" {
		c.notFound("")
		return
	}
	c.api(func() map[string]any {
		return map[string]any{"_class": "hudson.model.User", "absoluteUrl": s.root + "/user/" + id, "description": nil,
			"fullName": id, "id": id, "property": []any{
				map[string]any{"_class": "jenkins.security.ApiTokenProperty"},
				map[string]any{"_class": "hudson.search.UserSearchProperty", "insensitiveSearch": true}}}
	})
}
