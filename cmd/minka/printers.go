package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"minka/api/v1alpha1"
)

// column is one table column: its header and how to read it off an object.
type column struct {
	header string
	wide   bool // only with -o wide
	value  func(o v1alpha1.Object) string
}

var nameColumn = column{header: "NAME", value: func(o v1alpha1.Object) string { return o.GetName() }}
var ageColumn = column{header: "AGE", value: func(o v1alpha1.Object) string { return age(o.GetCreationTimestamp()) }}

// columns per kind: what a user scans for first, as kubectl's printers do.
var columns = map[string][]column{
	"Deployment": {nameColumn,
		{header: "READY", value: func(o v1alpha1.Object) string {
			d := o.(*v1alpha1.Deployment)
			spec, _ := d.GetReplicas()
			return fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, spec)
		}},
		{header: "UP-TO-DATE", value: func(o v1alpha1.Object) string { return fmt.Sprint(o.(*v1alpha1.Deployment).Status.UpdatedReplicas) }},
		{header: "AVAILABLE", value: func(o v1alpha1.Object) string { return fmt.Sprint(o.(*v1alpha1.Deployment).Status.AvailableReplicas) }},
		{header: "IMAGE", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Deployment).Spec.Image }},
		ageColumn,
		{header: "VERSION", wide: true, value: func(o v1alpha1.Object) string { return dash(o.(*v1alpha1.Deployment).Status.AppVersion) }},
		{header: "ENDPOINTS", wide: true, value: func(o v1alpha1.Object) string { return endpoints(o.(*v1alpha1.Deployment).Status.Endpoints) }},
	},
	"SlavePool": {nameColumn,
		{header: "DESIRED", value: func(o v1alpha1.Object) string { return fmt.Sprint(desired(o.(*v1alpha1.SlavePool))) }},
		{header: "READY", value: func(o v1alpha1.Object) string { return fmt.Sprint(o.(*v1alpha1.SlavePool).Status.Ready) }},
		{header: "BUSY", value: func(o v1alpha1.Object) string { return fmt.Sprint(o.(*v1alpha1.SlavePool).Status.Busy) }},
		{header: "QUEUED", value: func(o v1alpha1.Object) string { return fmt.Sprint(o.(*v1alpha1.SlavePool).Status.Queued) }},
		ageColumn,
		{header: "MIN", wide: true, value: func(o v1alpha1.Object) string { return fmt.Sprint(o.(*v1alpha1.SlavePool).Spec.MinReplicas) }},
		{header: "MAX", wide: true, value: func(o v1alpha1.Object) string { return optInt(o.(*v1alpha1.SlavePool).Spec.MaxReplicas) }},
		{header: "LABELS", wide: true, value: func(o v1alpha1.Object) string { return strings.Join(o.(*v1alpha1.SlavePool).Spec.Labels, ",") }},
	},
	"Repo": {nameColumn,
		{header: "PROJECT", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Repo).Spec.Project }},
		{header: "REF", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Repo).Spec.Ref }},
		{header: "SHA1", value: func(o v1alpha1.Object) string { return short(o.(*v1alpha1.Repo).Spec.SHA1) }},
		{header: "NODE", value: func(o v1alpha1.Object) string { return dash(o.(*v1alpha1.Repo).Status.Node) }},
		{header: "READY", value: func(o v1alpha1.Object) string { return repoReady(o.(*v1alpha1.Repo)) }},
		ageColumn,
		{header: "URL", wide: true, value: func(o v1alpha1.Object) string { return dash(o.(*v1alpha1.Repo).Status.URL) }},
	},
	"Pipeline": {nameColumn,
		{header: "JOB", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Pipeline).Spec.Job }},
		{header: "LAST-BUILD", value: func(o v1alpha1.Object) string { return lastBuild(o.(*v1alpha1.Pipeline)) }},
		{header: "READY", value: func(o v1alpha1.Object) string { return condStatus(o.(*v1alpha1.Pipeline).Status.Conditions, "Ready") }},
		ageColumn,
		{header: "GIT", wide: true, value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Pipeline).Spec.Source.Git }},
	},
	"Build": {nameColumn,
		{header: "PIPELINE", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Build).Spec.Pipeline }},
		{header: "BRANCH", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Build).Spec.Branch }},
		{header: "PHASE", value: func(o v1alpha1.Object) string { return dash(o.(*v1alpha1.Build).Status.Phase) }},
		{header: "TAG", value: func(o v1alpha1.Object) string { return dash(o.(*v1alpha1.Build).Status.Tag) }},
		ageColumn,
		{header: "SHA1", wide: true, value: func(o v1alpha1.Object) string { return short(o.(*v1alpha1.Build).Spec.SHA1) }},
		{header: "URL", wide: true, value: func(o v1alpha1.Object) string { return dash(o.(*v1alpha1.Build).Status.URL) }},
	},
	"Event": {
		{header: "LAST SEEN", value: func(o v1alpha1.Object) string { return age(eventTime(o.(*v1alpha1.Event))) }},
		{header: "TYPE", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Event).Type }},
		{header: "REASON", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Event).Reason }},
		{header: "OBJECT", value: func(o v1alpha1.Object) string { return involved(o.(*v1alpha1.Event)) }},
		{header: "MESSAGE", value: func(o v1alpha1.Object) string { return o.(*v1alpha1.Event).Message }},
		{header: "COUNT", wide: true, value: func(o v1alpha1.Object) string { return fmt.Sprint(o.(*v1alpha1.Event).Count) }},
	},
}

// table prints objects of one kind as aligned columns, like kubectl.
type table struct {
	w          *tabwriter.Writer
	cols       []column
	namespaced bool // print a NAMESPACE column first (-A)
}

func newTable(out io.Writer, kind string, wide, allNamespaces bool) *table {
	t := &table{w: tabwriter.NewWriter(out, 0, 8, 3, ' ', 0), namespaced: allNamespaces}
	for _, c := range columns[kind] {
		if !c.wide || wide {
			t.cols = append(t.cols, c)
		}
	}
	return t
}

func (t *table) header() {
	var hs []string
	if t.namespaced {
		hs = append(hs, "NAMESPACE")
	}
	for _, c := range t.cols {
		hs = append(hs, c.header)
	}
	fmt.Fprintln(t.w, strings.Join(hs, "\t"))
}

func (t *table) row(o v1alpha1.Object) {
	var vs []string
	if t.namespaced {
		vs = append(vs, o.GetNamespace())
	}
	for _, c := range t.cols {
		vs = append(vs, c.value(o))
	}
	fmt.Fprintln(t.w, strings.Join(vs, "\t"))
}

func (t *table) flush() { _ = t.w.Flush() }

func age(ts metav1.Time) string {
	if ts.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(ts.Time))
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

func desired(p *v1alpha1.SlavePool) int32 {
	if p.Status.DesiredReplicas > 0 || p.Status.ObservedGeneration > 0 {
		return p.Status.DesiredReplicas
	}
	spec, _ := p.GetReplicas()
	return spec
}

func endpoints(eps []v1alpha1.Endpoint) string {
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

func repoReady(r *v1alpha1.Repo) string {
	ready := 0
	for _, d := range r.Status.Distros {
		if d.State == "Ready" {
			ready++
		}
	}
	return fmt.Sprintf("%d/%d", ready, len(r.Spec.Distros))
}

func lastBuild(p *v1alpha1.Pipeline) string {
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
	if c := v1alpha1.FindCondition(conds, t); c != nil {
		return string(c.Status)
	}
	return "Unknown"
}

func eventTime(e *v1alpha1.Event) metav1.Time {
	if !e.LastTimestamp.IsZero() {
		return e.LastTimestamp
	}
	return e.CreationTimestamp
}

func involved(e *v1alpha1.Event) string {
	return strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name
}

// sortEvents orders events oldest first, as `kubectl get events` does.
func sortEvents(items []v1alpha1.Object) {
	sort.SliceStable(items, func(i, j int) bool {
		return eventTime(items[i].(*v1alpha1.Event)).Time.Before(eventTime(items[j].(*v1alpha1.Event)).Time)
	})
}
