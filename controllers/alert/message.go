package alert

import (
	"fmt"
	"strings"
	"time"

	"minka/api/v1alpha1"
)

// message is what a receiver is sent about one event: short, readable in
// a chat, and made only of what the event and its object show (their
// status holds no secret; sealed values are never opened here).
type message struct {
	Title   string
	Text    string
	Outcome string // good, bad, warning or info: the colour
	Link    string
	Fields  []messageField
	Event   *v1alpha1.Event
	Alert   string // namespace/name
}

type messageField struct{ Title, Value string }

// Outcomes, as Slack's attachment colours name them.
const (
	outcomeGood    = "good"
	outcomeBad     = "danger"
	outcomeWarning = "warning"
	outcomeInfo    = "#439FE0"
)

// maxText bounds a message's text: a chat line, not a log.
const maxText = 600

// render writes the message of ev for Alert a.
func (r *reconciler) render(a *v1alpha1.Alert, ev *v1alpha1.Event) message {
	o := ev.InvolvedObject
	m := message{Event: ev, Alert: a.Namespace + "/" + a.Name, Text: v1alpha1.Shorten(ev.Message, maxText),
		Title: fmt.Sprintf("%s %s/%s: %s", o.Kind, o.Namespace, o.Name, ev.Reason), Outcome: outcomeInfo}
	if ev.Type == v1alpha1.EventTypeWarning {
		m.Outcome = outcomeBad
	}
	if ev.Count > 1 {
		m.Text += fmt.Sprintf(" (%d times since %s)", ev.Count, ev.FirstTimestamp.UTC().Format(time.RFC3339))
	}
	switch o.Kind {
	case "Build":
		r.build(&m, o)
	case "Deployment":
		r.deployment(&m, o)
	}
	return m
}

// build adds what a build is known by: its outcome in the title, the tag,
// branch, commit and duration, and the Jenkins build as the link.
func (r *reconciler) build(m *message, o v1alpha1.ObjectReference) {
	obj, ok := r.builds.Get(o.Namespace, o.Name)
	if !ok {
		return
	}
	b := obj.(*v1alpha1.Build)
	ref := "Build " + o.Namespace + "/" + o.Name
	switch m.Event.Reason {
	case "Triggered":
		m.Title = ref + " triggered"
	case "Started":
		m.Title = ref + " started"
	case "Built":
		// The Jenkins build passed; its Repo and stages follow.
		m.Title, m.Outcome = ref+" succeeded in Jenkins", outcomeGood
		if m.Event.Type == v1alpha1.EventTypeWarning {
			m.Title, m.Outcome = ref+" unstable in Jenkins", outcomeWarning
		}
	case "Finished":
		phase, _, _ := strings.Cut(m.Event.Message, ":")
		m.Title = ref + " " + strings.ToLower(phase)
		switch phase {
		case v1alpha1.BuildSucceeded:
			if len(b.Status.Stages) > 0 {
				m.Title = ref + " succeeded and deployed"
			}
			m.Outcome = outcomeGood
		case v1alpha1.BuildFailed:
			m.Outcome = outcomeBad
		default:
			m.Outcome = outcomeWarning
		}
	}
	m.Link = b.Status.URL
	branch := b.Spec.Branch
	if b.Spec.GitTag != "" {
		branch = "tag " + b.Spec.GitTag
	}
	m.add("Tag", b.Status.Tag)
	m.add("Branch", branch)
	m.add("SHA1", short(b.Status.SHA1))
	if b.Status.StartTime != nil {
		end := r.now()
		if b.Status.CompletionTime != nil {
			end = b.Status.CompletionTime.Time
		}
		m.add("Duration", end.Sub(b.Status.StartTime.Time).Round(time.Second).String())
	}
}

// deployment adds the image and version, and the Pipeline stage whose
// Build set that image.
func (r *reconciler) deployment(m *message, o v1alpha1.ObjectReference) {
	ref := "Deployment " + o.Namespace + "/" + o.Name
	switch m.Event.Reason {
	case "RolloutStarted":
		m.Title = ref + " rolling out"
	case "RolloutComplete":
		m.Title, m.Outcome = ref+" rolled out", outcomeGood
	case "RolloutFailed":
		m.Title = ref + " rollout failed"
	case "RolledBack":
		m.Title = ref + " rolled back"
	}
	obj, ok := r.deployments.Get(o.Namespace, o.Name)
	if !ok {
		return
	}
	d := obj.(*v1alpha1.Deployment)
	m.add("Image", d.Spec.Image)
	m.add("Version", d.Status.AppVersion)
	m.add("Stage", r.stage(d))
}

// stage is the newest Build stage that rolls d's image out ("staging
// (webapp-7)"), "" when no Pipeline deploys it.
func (r *reconciler) stage(d *v1alpha1.Deployment) string {
	var best *v1alpha1.Build
	name := ""
	for _, obj := range r.builds.List(d.Namespace, nil) {
		b := obj.(*v1alpha1.Build)
		for _, s := range b.Status.Stages {
			if s.Deployment == d.Name && s.Image == d.Spec.Image && (best == nil || b.Spec.Number > best.Spec.Number) {
				best, name = b, s.Name
			}
		}
	}
	if best == nil {
		return ""
	}
	return name + " (" + best.Name + ")"
}

func (m *message) add(title, value string) {
	if value != "" {
		m.Fields = append(m.Fields, messageField{title, value})
	}
}

func short(sha1 string) string {
	if len(sha1) > 12 {
		return sha1[:12]
	}
	return sha1
}
