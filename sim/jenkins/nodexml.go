package jenkins

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// A DumbSlave as Jenkins.XSTREAM2 writes it (the alias "slave", Slave's
// fields in declaration order), for /computer/NAME/config.xml.
type nodeConfig struct {
	XMLName      xml.Name
	Name         string `xml:"name"`
	Description  string `xml:"description"`
	RemoteFS     string `xml:"remoteFS"`
	NumExecutors int    `xml:"numExecutors"`
	Mode         string `xml:"mode"`
	Launcher     struct {
		Class string `xml:"class,attr"`
	} `xml:"launcher"`
	Label string `xml:"label"`
}

func (n nodeConfig) computer() *computer {
	return &computer{name: n.Name, desc: n.Description, remoteFS: strings.TrimSpace(n.RemoteFS), executors: make([]*build, max(n.NumExecutors, 0)),
		mode: modeOr(n.Mode), launcher: n.Launcher.Class, labels: strings.Fields(n.Label)}
}

// stripXMLDecl drops the declaration: Jenkins writes XML 1.1, which
// encoding/xml refuses; nothing in these files needs 1.1's characters.
func stripXMLDecl(data []byte) []byte {
	if rest, ok := bytes.CutPrefix(bytes.TrimSpace(data), []byte("<?xml")); ok {
		if end := bytes.Index(rest, []byte("?>")); end >= 0 {
			return rest[end+2:]
		}
	}
	return data
}

func parseNodeXML(r io.Reader) (nodeConfig, error) {
	var n nodeConfig
	data, err := io.ReadAll(r)
	if err != nil {
		return n, err
	}
	if err := xml.Unmarshal(stripXMLDecl(data), &n); err != nil {
		return n, fmt.Errorf("reading the node's config.xml: %w", err)
	}
	if n.Mode == "" {
		n.Mode = "NORMAL"
	}
	return n, nil
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// nodeXML is the config.xml of an agent.
func nodeXML(c *computer) string {
	var b strings.Builder
	b.WriteString("<?xml version='1.1' encoding='UTF-8'?>\n<slave>\n")
	fmt.Fprintf(&b, "  <name>%s</name>\n  <description>%s</description>\n  <remoteFS>%s</remoteFS>\n  <numExecutors>%d</numExecutors>\n  <mode>%s</mode>\n",
		esc(c.name), esc(c.desc), esc(c.remoteFS), len(c.executors), modeOr(c.mode))
	b.WriteString("  <retentionStrategy class=\"hudson.slaves.RetentionStrategy$Always\"/>\n")
	switch {
	case c.jnlp:
		b.WriteString("  <launcher class=\"hudson.slaves.JNLPLauncher\">\n    <workDirSettings>\n      <disabled>false</disabled>\n" +
			"      <internalDir>remoting</internalDir>\n      <failIfWorkDirIsMissing>false</failIfWorkDirIsMissing>\n    </workDirSettings>\n" +
			"    <webSocket>false</webSocket>\n  </launcher>\n")
	case c.launcher != "":
		fmt.Fprintf(&b, "  <launcher class=\"%s\"/>\n", esc(c.launcher))
	}
	fmt.Fprintf(&b, "  <label>%s</label>\n  <nodeProperties/>\n</slave>", esc(strings.Join(c.labels, " ")))
	return b.String()
}

// nodeConfig is Computer.doConfigDotXml: GET the XML, POST replaces the
// node (Nodes.replaceNode; its type must stay), anything else 400; the
// built-in node answers 400 (Jenkins$MasterComputer).
func (s *Server) nodeConfig(c *call, key string, comp *computer) {
	switch {
	case comp.builtIn:
		c.w.WriteHeader(http.StatusBadRequest)
	case c.r.Method == http.MethodGet:
		c.w.Header().Set("Content-Type", "application/xml")
		_, _ = io.WriteString(c.w, nodeXML(comp))
	case c.r.Method == http.MethodPost:
		cfg, err := parseNodeXML(c.r.Body)
		if err != nil {
			c.oops()
			return
		}
		if cfg.XMLName.Local != "slave" && cfg.XMLName.Local != "hudson.slaves.DumbSlave" {
			jettyError(c.w, c.r, http.StatusBadRequest, "Node types do not match")
			return
		}
		if cfg.Name == "" {
			cfg.Name = comp.name
		}
		if other := s.computers[cfg.Name]; other != nil && other != comp {
			c.oops() // replaceNode refuses a name that is taken
			return
		}
		next := cfg.computer()
		for i := range min(len(next.executors), len(comp.executors)) {
			next.executors[i] = comp.executors[i]
		}
		if len(next.executors) < len(comp.executors) {
			for _, b := range comp.executors[len(next.executors):] {
				if b != nil {
					s.abortBuild(b, s.opts.Now(), "")
				}
			}
		}
		next.secret, next.jnlp, next.connected = comp.secret, strings.HasSuffix(next.launcher, "JNLPLauncher"), comp.connected && strings.HasSuffix(next.launcher, "JNLPLauncher")
		next.tempOff, next.offMessage = comp.tempOff, comp.offMessage
		delete(s.computers, key)
		s.computers[next.name] = next
		s.schedule(s.opts.Now())
	default:
		jettyError(c.w, c.r, http.StatusBadRequest, "")
	}
}
