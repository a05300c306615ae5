package v1alpha1

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// columns per kind: what a user scans for first, as kubectl's printers
// show it. Adding a kind adds its entry here (TestTables fails without).
var columns = map[string][]Column{
	"Deployment": {nameColumn,
		str("READY", "Healthy tasks / spec.replicas.", 0, of(func(d *Deployment) string {
			spec, _ := d.GetReplicas()
			return fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, spec)
		})),
		integer("UP-TO-DATE", "Tasks running the current app version.", 0, of(func(d *Deployment) int32 { return d.Status.UpdatedReplicas })),
		integer("AVAILABLE", "Healthy tasks of the current app version.", 0, of(func(d *Deployment) int32 { return d.Status.AvailableReplicas })),
		str("IMAGE", "The container image.", 0, of(func(d *Deployment) string { return d.Spec.Image })),
		ageColumn,
		str("VERSION", "The Marathon app version deployed.", 1, of(func(d *Deployment) string { return dash(d.Status.AppVersion) })),
		str("ENDPOINTS", "host:port of the tasks, the first three.", 1, of(func(d *Deployment) string { return endpoints(d.Status.Endpoints) })),
	},
	"SlavePool": {nameColumn,
		integer("DESIRED", "Agents wanted: the controller's count, else spec.replicas.", 0, of(desired)),
		integer("READY", "Agents online in Jenkins.", 0, of(func(p *SlavePool) int32 { return p.Status.Ready })),
		integer("BUSY", "Agents running a build.", 0, of(func(p *SlavePool) int32 { return p.Status.Busy })),
		integer("QUEUED", "Queued Jenkins builds this pool can serve.", 0, of(func(p *SlavePool) int32 { return p.Status.Queued })),
		ageColumn,
		integer("MIN", "spec.minReplicas.", 1, of(func(p *SlavePool) int32 { return p.Spec.MinReplicas })),
		str("MAX", "spec.maxReplicas.", 1, of(func(p *SlavePool) string { return optInt(p.Spec.MaxReplicas) })),
		str("LABELS", "The Jenkins labels of the agents.", 1, of(func(p *SlavePool) string { return strings.Join(p.Spec.Labels, ",") })),
	},
	"Repo": {nameColumn,
		str("PROJECT", "The project built.", 0, of(func(r *Repo) string { return r.Spec.Project })),
		str("REF", "The git ref built.", 0, of(func(r *Repo) string { return r.Spec.Ref })),
		str("SHA1", "The commit built, abbreviated.", 0, of(func(r *Repo) string { return short(r.Spec.SHA1) })),
		str("NODE", "The chacra node holding the repository.", 0, of(func(r *Repo) string { return dash(r.Status.Node) })),
		str("READY", "Distros ready / distros asked for.", 0, of(repoReady)),
		str("DISTROS", "Each distro's state (the arch when not x86_64).", 0, of(repoDistros)),
		ageColumn,
		str("URL", "The repository's URL.", 1, of(func(r *Repo) string { return dash(r.Status.URL) })),
	},
	"Pipeline": {nameColumn,
		str("JOB", "The Jenkins job run.", 0, of(func(p *Pipeline) string { return p.Spec.Job })),
		str("LAST-BUILD", "The last build's number and phase.", 0, of(lastBuild)),
		str("READY", "The Ready condition's status.", 0, of(func(p *Pipeline) string { return condStatus(p.Status.Conditions, "Ready") })),
		ageColumn,
		str("GIT", "The git repository watched.", 1, of(func(p *Pipeline) string { return p.Spec.Source.Git })),
	},
	"Alert": {nameColumn,
		str("RECEIVER", "The receiver of the server config the events go to.", 0, of(func(a *Alert) string { return a.Spec.Receiver })),
		str("READY", "The Ready condition's status: the receiver takes the messages.", 0, of(func(a *Alert) string { return condStatus(a.Status.Conditions, "Ready") })),
		integer("SENT", "Messages the receiver took.", 0, of(func(a *Alert) int64 { return a.Status.Sent })),
		ageColumn,
		integer("REJECTED", "Messages the receiver refused.", 1, of(func(a *Alert) int64 { return a.Status.Rejected })),
	},
	"Build": {nameColumn,
		str("PIPELINE", "The pipeline that started the build.", 0, of(func(b *Build) string { return b.Spec.Pipeline })),
		str("BRANCH", "The branch built.", 0, of(func(b *Build) string { return b.Spec.Branch })),
		str("PHASE", "Pending, Queued, Running, Succeeded, Failed, Aborted or Cancelled.", 0, of(func(b *Build) string { return dash(b.Status.Phase) })),
		str("TAG", "The artifact tag.", 0, of(func(b *Build) string { return dash(b.Status.Tag) })),
		ageColumn,
		str("SHA1", "The commit built, abbreviated.", 1, of(func(b *Build) string { return short(b.Spec.SHA1) })),
		str("URL", "The Jenkins build's URL.", 1, of(func(b *Build) string { return dash(b.Status.URL) })),
	},
	"Event": {
		date("LAST SEEN", "When the event last happened.", of((*Event).LastSeen)),
		str("TYPE", "Normal or Warning.", 0, of(func(e *Event) string { return e.Type })),
		str("REASON", "Why, in CamelCase.", 0, of(func(e *Event) string { return e.Reason })),
		str("OBJECT", "kind/name of the object the event is about.", 0, of(involved)),
		str("MESSAGE", "What happened, for people.", 0, of(func(e *Event) string { return e.Message })),
		integer("COUNT", "How many times it happened.", 1, of(func(e *Event) int32 { return e.Count })),
	},
}

// of adapts a reader of one kind to a column's reader of any Object.
func of[T Object, R any](f func(T) R) func(Object) R {
	return func(o Object) R { return f(o.(T)) }
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return dash(sha)
}

func optInt(p *int32) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

func desired(p *SlavePool) int32 {
	if p.Status.DesiredReplicas > 0 || p.Status.ObservedGeneration > 0 {
		return p.Status.DesiredReplicas
	}
	spec, _ := p.GetReplicas()
	return spec
}

func endpoints(eps []Endpoint) string {
	var out []string
	for _, e := range eps {
		for _, p := range e.Ports {
			out = append(out, fmt.Sprintf("%s:%d", e.Host, p))
		}
	}
	if len(out) == 0 {
		return "<none>"
	}
	if len(out) > 3 {
		return strings.Join(out[:3], ",") + fmt.Sprintf(" + %d more...", len(out)-3)
	}
	return strings.Join(out, ",")
}

func repoReady(r *Repo) string {
	ready := 0
	for _, d := range r.Status.Distros {
		if d.State == "Ready" {
			ready++
		}
	}
	return fmt.Sprintf("%d/%d", ready, len(r.Spec.Distros))
}

// repoDistros is "ubuntu/jammy=Ready,centos/9/aarch64=Building": every
// distro of the spec, with "-" for one not observed yet.
func repoDistros(r *Repo) string {
	var out []string
	for _, d := range r.Spec.Distros {
		d = d.WithArch()
		name := d.Distro + "/" + d.Version
		if d.Arch != "" && d.Arch != "x86_64" {
			name += "/" + d.Arch
		}
		state := "-"
		for _, st := range r.Status.Distros {
			if st.Distro == d.Distro && st.Version == d.Version && st.Arch == d.Arch {
				state = st.State
			}
		}
		out = append(out, name+"="+state)
	}
	return dash(strings.Join(out, ","))
}

func lastBuild(p *Pipeline) string {
	if p.Status.LastBuildNumber == 0 {
		return "-"
	}
	s := fmt.Sprint(p.Status.LastBuildNumber)
	for _, b := range p.Status.LastBuilds {
		if b.Number == p.Status.LastBuildNumber && b.Phase != "" {
			s += " (" + b.Phase + ")"
		}
	}
	return s
}

func condStatus(conds []metav1.Condition, t string) string {
	if c := FindCondition(conds, t); c != nil {
		return string(c.Status)
	}
	return "Unknown"
}

func involved(e *Event) string {
	return strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name
}
