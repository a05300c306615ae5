package jenkins

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

func (s *Server) computersJSON() map[string]any {
	var list []map[string]any
	busy, total := 0, 0
	for _, key := range sortedKeys(s.computers) {
		c := s.computers[key]
		list = append(list, s.computerJSON(c))
		busy += c.busy()
		total += len(c.executors)
	}
	return map[string]any{"_class": "hudson.model.ComputerSet", "busyExecutors": busy, "computer": list,
		"displayName": "Nodes", "totalExecutors": total}
}

func (s *Server) computerJSON(c *computer) map[string]any {
	class := "hudson.slaves.SlaveComputer"
	if c.builtIn {
		class = "hudson.model.Hudson$MasterComputer"
	}
	execs := []map[string]any{}
	for i, b := range c.executors {
		var cur any
		progress := -1
		if b != nil {
			cur = map[string]any{"_class": "hudson.model.FreeStyleBuild", "number": b.number, "url": s.buildURL(b)}
			progress = 50
		}
		execs = append(execs, map[string]any{"currentExecutable": cur, "idle": b == nil, "likelyStuck": false, "number": i, "progress": progress})
	}
	var cause any
	reason := ""
	if c.tempOff {
		reason = c.offMessage
		cause = map[string]any{"_class": "hudson.slaves.OfflineCause$UserCause", "description": "Disconnected by " + s.opts.User + " : " + c.offMessage}
	} else if c.offline() {
		cause = map[string]any{"_class": "hudson.slaves.OfflineCause$ChannelTermination", "description": "agent not connected"}
	}
	return map[string]any{"_class": class, "actions": []any{}, "assignedLabels": c.assignedLabels(),
		"description": c.desc, "displayName": c.name, "executors": execs, "icon": "symbol-computer",
		"iconClassName": "symbol-computer", "idle": c.busy() == 0, "jnlpAgent": c.jnlp, "launchSupported": !c.jnlp,
		"loadStatistics": map[string]any{"_class": "hudson.model.Label$1"}, "manualLaunchAllowed": true,
		"monitorData": map[string]any{"hudson.node_monitors.ArchitectureMonitor": "Linux (amd64)",
			"hudson.node_monitors.ResponseTimeMonitor": map[string]any{"_class": "hudson.node_monitors.ResponseTimeMonitor$Data",
				"timestamp": s.opts.Now().UnixMilli(), "average": 0}},
		"numExecutors": len(c.executors), "offline": c.offline(), "offlineCause": cause,
		"offlineCauseReason": reason, "oneOffExecutors": []any{}, "temporarilyOffline": c.tempOff}
}

// nodeForm is the `json` parameter of /computer/doCreateItem.
type nodeForm struct {
	Name            string `json:"name"`
	NodeDescription string `json:"nodeDescription"`
	NumExecutors    any    `json:"numExecutors"`
	RemoteFS        string `json:"remoteFS"`
	LabelString     string `json:"labelString"`
	Mode            string `json:"mode"`
	Launcher        struct {
		StaplerClass string `json:"stapler-class"`
	} `json:"launcher"`
}

// createNode is POST /computer/doCreateItem (name, type and json may come
// in the query string or the form, as Stapler reads both).
func (s *Server) createNode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	name := r.Form.Get("name")
	var form nodeForm
	if err := json.Unmarshal([]byte(r.Form.Get("json")), &form); err != nil || name == "" {
		fail(w, http.StatusBadRequest, "name and a json form are required")
		return
	}
	if s.computers[name] != nil {
		fail(w, http.StatusBadRequest, "Agent called ‘%s’ already exists", name)
		return
	}
	n := 1
	switch v := form.NumExecutors.(type) {
	case float64:
		n = int(v)
	case string:
		_, _ = fmt.Sscan(v, &n)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	s.computers[name] = &computer{name: name, labels: strings.Fields(form.LabelString), executors: make([]*build, max(n, 1)),
		jnlp: strings.Contains(form.Launcher.StaplerClass, "JNLPLauncher"), remoteFS: form.RemoteFS,
		desc: form.NodeDescription, secret: hex.EncodeToString(secret)}
	http.Redirect(w, r, s.root+"/computer/", http.StatusFound)
}

func (s *Server) serveComputer(w http.ResponseWriter, r *http.Request, rest string) {
	name, sub, _ := strings.Cut(rest, "/")
	c := s.computers[name]
	if c == nil {
		http.NotFound(w, r)
		return
	}
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case get && sub == "api/json":
		writeJSON(w, s.computerJSON(c))
	case get && sub == "":
		w.WriteHeader(http.StatusOK)
	case post && sub == "doDelete" && !c.builtIn:
		s.deleteNode(name, c)
		http.Redirect(w, r, s.root+"/computer/", http.StatusFound)
	case post && sub == "toggleOffline":
		c.tempOff = !c.tempOff
		c.offMessage = r.URL.Query().Get("offlineMessage")
		s.schedule(s.opts.Now())
		http.Redirect(w, r, s.root+"/computer/"+name+"/", http.StatusFound)
	case get && sub == "jenkins-agent.jnlp" && c.jnlp:
		w.Header().Set("Content-Type", "application/x-java-jnlp-file")
		fmt.Fprintf(w, `<jnlp codebase="%s/computer/%s/" spec="1.0+"><application-desc><argument>%s</argument><argument>%s</argument><argument>-url</argument><argument>%s/</argument></application-desc></jnlp>`,
			s.root, name, c.secret, name, s.root)
	default:
		http.NotFound(w, r)
	}
}

// deleteNode removes an agent; builds running on it end ABORTED, as when
// Jenkins loses an agent.
func (s *Server) deleteNode(key string, c *computer) {
	s.abort(c, "deleted")
	delete(s.computers, key)
}
