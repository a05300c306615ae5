package jenkins

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
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
	if j.disabled { // AbstractProject.getIconColor
		last = "disabled"
	}
	c := map[string]string{"disabled": "disabled", "SUCCESS": "blue", "UNSTABLE": "yellow", "FAILURE": "red", "ABORTED": "aborted", "NOT_BUILT": "notbuilt"}[last]
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
	Disabled     bool
	Params       []param
	XML          string
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
	cfg.XML = string(data)
	dec := xml.NewDecoder(bytes.NewReader(stripXMLDecl(data)))
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
			case len(path) == 2 && path[1] == "disabled":
				cfg.Disabled = strings.TrimSpace(text) == "true"
			case cur != nil && len(path) > 0 && path[len(path)-1] == "name":
				cur.Name = text
			case cur != nil && len(path) > 0 && path[len(path)-1] == "defaultValue":
				cur.Value = text
			}
		}
	}
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
