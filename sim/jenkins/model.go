package jenkins

import (
	"sort"
	"strings"
	"time"
)

type param struct{ Name, Value string }

type job struct {
	name        string
	description string
	label       string // canonical label expression, "" = any node
	expr        expr
	paramDefs   []param // name and default value
	nextNumber  int
	builds      []*build
	configXML   string // as last submitted, for GET config.xml
	disabled    bool
	duration    time.Duration // 0 = the server's default
	result      string        // "" = the server's default
}

type build struct {
	job      *job
	number   int
	params   []param
	node     string
	executor int
	started  time.Time
	ends     time.Time // planned while running, actual once finished
	result   string    // "" while running
	queueID  int
	log      []logLine // stamped in order (console.go)
	// uploading: the build step is over and its binaries are going to
	// chacra (upload.go); it is still building.
	uploading bool
}

func (b *build) building() bool { return b.result == "" }

// param is the value of the build's parameter name, if the job defines it.
func (b *build) param(name string) (string, bool) { return paramOf(b.params, name) }

func paramOf(ps []param, name string) (string, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

type queueItem struct {
	id        int
	job       *job
	params    []param
	since     time.Time
	cancelled bool
	left      time.Time // zero while waiting
	build     *build    // set once it started
	why       string
}

type computer struct {
	name       string
	labels     []string // from labelString
	executors  []*build // nil slot = idle
	jnlp       bool
	connected  bool // a JNLP agent is attached
	tempOff    bool
	offMessage string
	secret     string
	remoteFS   string
	desc       string
	mode       string // NORMAL or EXCLUSIVE
	launcher   string // the launcher's class
	builtIn    bool
}

func (c *computer) offline() bool { return c.tempOff || (c.jnlp && !c.connected) }

// labelSet is every label a node answers to: its labels and its self
// label, its name ("built-in" for the built-in node, whose node name is
// empty: Jenkins#getSelfLabel).
func (c *computer) labelSet() map[string]bool {
	set := map[string]bool{c.name: true}
	if c.builtIn {
		set = map[string]bool{"built-in": true}
	}
	for _, l := range c.labels {
		set[l] = true
	}
	return set
}

func (c *computer) assignedLabels() []map[string]any {
	var names []string
	for l := range c.labelSet() {
		names = append(names, l)
	}
	sort.Strings(names)
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = map[string]any{"name": n}
	}
	return out
}

func (c *computer) idleExecutor() int {
	for i, b := range c.executors {
		if b == nil {
			return i
		}
	}
	return -1
}

func (c *computer) busy() int {
	n := 0
	for _, b := range c.executors {
		if b != nil {
			n++
		}
	}
	return n
}

func paramsString(ps []param) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n" + p.Name + "=" + p.Value)
	}
	return b.String()
}
