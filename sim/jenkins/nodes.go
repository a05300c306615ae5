package jenkins

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
)

// /computer/ is hudson.model.ComputerSet; /computer/NAME/ a Computer
// (jenkinsci/jenkins core/src/main/java/hudson/model/ComputerSet.java,
// Computer.java, hudson/slaves/SlaveComputer.java, Jenkins$MasterComputer).

func (s *Server) computerSet(c *call) {
	if c.atObject(func() { page(c.w, http.StatusOK, "Nodes", "<h1>Nodes</h1>") }) {
		return
	}
	switch c.next() {
	case "api":
		c.api(s.computersJSON)
		return
	case "doCreateItem": // doDoCreateItem, @POST: other verbs fall through
		if c.r.Method == http.MethodPost {
			s.doCreateNode(c)
			return
		}
	case "createItem": // doCreateItem, @RequirePOST
		if c.requirePOST() {
			s.createNodeFrom(c)
		}
		return
	}
	tok := c.toks[c.i-1] // ComputerSet.getDynamic → Jenkins.getComputer
	key := tok
	if tok == "(master)" {
		key = "(built-in)"
	}
	comp := s.computers[key]
	if comp == nil || (key != "(built-in)" && comp.builtIn) {
		c.notFound("")
		return
	}
	s.computer(c, key, comp)
}

func (s *Server) computer(c *call, key string, comp *computer) {
	if c.atObject(func() {
		page(c.w, http.StatusOK, comp.name, "<h1>"+html.EscapeString(comp.name)+"</h1>")
	}) {
		return
	}
	switch c.next() {
	case "api":
		c.api(func() map[string]any { return s.computerJSON(comp) })
	case "doDelete": // doDoDelete, @RequirePOST; MasterComputer: always 400
		if comp.builtIn {
			c.w.WriteHeader(http.StatusBadRequest)
		} else if c.requirePOST() {
			s.deleteNode(key, comp)
			c.redirect(http.StatusFound, "..")
		}
	case "toggleOffline": // @RequirePOST: back online, or doChangeOfflineCause
		if c.requirePOST() {
			if comp.tempOff {
				comp.tempOff, comp.offMessage = false, ""
				s.schedule(s.opts.Now())
				c.redirect(http.StatusFound, ".")
			} else {
				s.changeOfflineCause(c, comp)
			}
		}
	case "changeOfflineCause": // @RequirePOST
		if c.requirePOST() {
			s.changeOfflineCause(c, comp)
		}
	case "config.xml": // @WebMethod(name = "config.xml") doConfigDotXml
		s.nodeConfig(c, key, comp)
	case "jenkins-agent.jnlp", "slave-agent.jnlp": // SlaveComputer only
		if comp.builtIn || !comp.jnlp {
			c.notFound("")
			return
		}
		s.jnlpFile(c, comp)
	default:
		c.notFound("")
	}
}

// changeOfflineCause sets a UserCause with the trimmed message (none if
// empty) and redirects to the computer.
func (s *Server) changeOfflineCause(c *call, comp *computer) {
	comp.tempOff = true
	comp.offMessage, _ = fixEmptyAndTrim(c.r.FormValue("offlineMessage"))
	s.schedule(s.opts.Now())
	c.redirect(http.StatusFound, ".")
}

// jnlpFile is SlaveComputer/jenkins-agent.jnlp.jelly (Java Web Start
// syntax kept for Launcher.parseJnlpArguments) with JNLPLauncher's
// default work directory settings: -workDir remoteFS -internalDir remoting.
func (s *Server) jnlpFile(c *call, comp *computer) {
	c.w.Header().Set("Content-Type", "application/x-java-jnlp-file")
	arg := func(v string) string { return "<argument>" + html.EscapeString(v) + "</argument>" }
	fmt.Fprintf(c.w, "<jnlp><application-desc>%s%s%s%s%s%s%s%s</application-desc></jnlp>",
		arg(comp.secret), arg(comp.name), arg("-workDir"), arg(comp.remoteFS), arg("-internalDir"), arg("remoting"), arg("-url"), arg(s.root+"/"))
}

// nodeForm is the `json` parameter of /computer/doCreateItem, bound to a
// DumbSlave as Stapler's req.bindJSON does.
type nodeForm struct {
	NodeDescription string          `json:"nodeDescription"`
	NumExecutors    json.RawMessage `json:"numExecutors"`
	RemoteFS        string          `json:"remoteFS"`
	LabelString     string          `json:"labelString"`
	Mode            string          `json:"mode"`
	Launcher        struct {
		StaplerClass string `json:"stapler-class"`
		Class        string `json:"$class"`
	} `json:"launcher"`
}

// doCreateNode is ComputerSet.doDoCreateItem: name and type from the query
// or the form, the rest from the json parameter (python-jenkins posts all
// three in the body, gojenkins and minka in the query string); 302 to ".".
func (s *Server) doCreateNode(c *call) {
	_ = c.r.ParseMultipartForm(1 << 20)
	name, ok := fixEmptyAndTrim(c.r.FormValue("name"))
	if msg := s.checkNodeName(name, ok); msg != "" {
		c.failure(msg)
		return
	}
	raw := c.r.FormValue("json")
	if raw == "" { // RequestImpl.getSubmittedForm
		msg := "Nothing is submitted"
		if len(c.r.Form) > 0 {
			msg = "This page expects a form submission"
		}
		jettyError(c.w, c.r, http.StatusBadRequest, msg)
		return
	}
	var form nodeForm
	if err := json.Unmarshal([]byte(raw), &form); err != nil {
		c.oops() // JSONObject.fromObject: ServletException
		return
	}
	if t := c.r.FormValue("type"); t != "hudson.slaves.DumbSlave$DescriptorImpl" && t != "hudson.slaves.DumbSlave" {
		c.oops() // NodeDescriptor.all().find(type) is null: NullPointerException
		return
	}
	n := 1
	if len(form.NumExecutors) > 0 && string(form.NumExecutors) != "null" {
		var v any
		_ = json.Unmarshal(form.NumExecutors, &v)
		switch v := v.(type) {
		case float64:
			n = int(v)
		case string:
			if _, err := fmt.Sscan(v, &n); err != nil {
				c.oops() // the number does not bind
				return
			}
		}
	}
	if n <= 0 { // Slave's constructor: FormException → Failure
		c.failure("Invalid agent configuration for " + name + ". Invalid number of executors.")
		return
	}
	launcher := form.Launcher.StaplerClass
	if launcher == "" {
		launcher = form.Launcher.Class
	}
	s.addNode(&computer{name: name, labels: strings.Fields(form.LabelString), executors: make([]*build, n),
		remoteFS: strings.TrimSpace(form.RemoteFS), desc: form.NodeDescription, mode: modeOr(form.Mode), launcher: launcher})
	c.redirect(http.StatusFound, ".")
}

// checkNodeName is ComputerSet.checkName.
func (s *Server) checkNodeName(name string, ok bool) string {
	if !ok {
		return "Query parameter 'name' is required"
	}
	if msg := checkGoodName(name); msg != "" {
		return msg
	}
	if s.computers[name] != nil {
		return "Agent called ‘" + name + "’ already exists"
	}
	return ""
}

// createNodeFrom is ComputerSet.doCreateItem: a config.xml body (as
// application/xml or text/xml), a copy of another agent (mode=copy), or
// the first step of the New Node form.
func (s *Server) createNodeFrom(c *call) {
	ct := c.r.Header.Get("Content-Type")
	_ = c.r.ParseForm() // reads the body only when it is a form
	name, mode := c.r.Form.Get("name"), c.r.Form.Get("mode")
	if mode == "copy" {
		name, ok := fixEmptyAndTrim(name)
		if msg := s.checkNodeName(name, ok); msg != "" {
			c.failure(msg)
			return
		}
		from := c.r.Form.Get("from")
		src := s.computers[from]
		if src == nil || src.builtIn {
			if from == "" {
				c.failure("Specify which agent to copy")
			} else {
				c.failure("No such agent: " + from)
			}
			return
		}
		cp := *src
		cp.name, cp.executors, cp.connected, cp.tempOff, cp.offMessage = name, make([]*build, len(src.executors)), false, false, ""
		s.addNode(&cp)
		c.redirect(http.StatusFound, name+"/configure")
		return
	}
	if strings.HasPrefix(ct, "application/xml") || strings.HasPrefix(ct, "text/xml") {
		cfg, err := parseNodeXML(c.r.Body)
		if err != nil {
			c.oops() // XStream fails to read the body
			return
		}
		if n, ok := fixEmptyAndTrim(name); ok {
			cfg.Name = n
		}
		if s.computers[cfg.Name] != nil {
			c.failure("Node '" + cfg.Name + "' already exists")
			return
		}
		s.addNode(cfg.computer())
		c.w.WriteHeader(http.StatusOK)
		return
	}
	switch mode {
	case "":
		c.failure("No mode given")
	case "hudson.slaves.DumbSlave":
		page(c.w, http.StatusOK, "New node", "<h1>New node</h1><form method=\"post\" action=\"doCreateItem\"></form>")
	default:
		c.failure("No node type ‘" + mode + "’ is known")
	}
}

func modeOr(m string) string {
	if m == "EXCLUSIVE" {
		return m
	}
	return "NORMAL"
}

// addNode registers an agent with a fresh JNLP secret.
func (s *Server) addNode(comp *computer) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	comp.secret = hex.EncodeToString(secret)
	comp.jnlp = strings.HasSuffix(comp.launcher, "JNLPLauncher")
	s.computers[comp.name] = comp
	s.schedule(s.opts.Now())
}

// deleteNode removes an agent; builds running on it end ABORTED, as when
// Jenkins loses an agent.
func (s *Server) deleteNode(key string, c *computer) {
	s.abort(c, "deleted")
	delete(s.computers, key)
}
