package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
	"minka/client"
)

func newDescribeCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "describe KIND NAME",
		Short:   "Show an object's spec, status, conditions and recent events",
		Example: "  minka describe deploy web -n ci\n  minka describe sp/trusty-amd64 -n ci",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, name, c, err := g.objectArgs("describe", args)
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			return describe(ctx, c, k, g.ns(), name, cmd.OutOrStdout())
		},
	}
}

func describe(ctx context.Context, c *client.Client, k v1alpha1.Kind, ns, name string, out io.Writer) error {
	obj, err := c.Get(ctx, k, ns, name)
	if err != nil {
		return err
	}
	evKind, _ := v1alpha1.KindFor("event")
	events, err := c.List(ctx, evKind, ns, client.ListOptions{
		FieldSelector: fmt.Sprintf("involvedObject.kind=%s,involvedObject.name=%s", k.Kind, name)})
	if err != nil {
		return fmt.Errorf("listing events: %w", err)
	}
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintf(w, "Name:\t%s\n", obj.GetName())
	fmt.Fprintf(w, "Namespace:\t%s\n", obj.GetNamespace())
	fmt.Fprintf(w, "Kind:\t%s\n", k.Kind)
	fmt.Fprintf(w, "Labels:\t%s\n", mapLines(obj.GetLabels()))
	fmt.Fprintf(w, "Annotations:\t%s\n", mapLines(obj.GetAnnotations()))
	fmt.Fprintf(w, "CreationTimestamp:\t%s\n", obj.GetCreationTimestamp().UTC().Format("Mon, 02 Jan 2006 15:04:05 MST"))
	if dt := obj.GetDeletionTimestamp(); dt != nil {
		fmt.Fprintf(w, "DeletionTimestamp:\t%s (finalizers: %s)\n", dt.UTC().Format("Mon, 02 Jan 2006 15:04:05 MST"), strings.Join(obj.GetFinalizers(), ", "))
	}
	fmt.Fprintf(w, "Generation:\t%d\n", obj.GetGeneration())
	fmt.Fprintf(w, "ResourceVersion:\t%s\n", obj.GetResourceVersion())
	r, isRepo := obj.(*v1alpha1.Repo)
	if isRepo {
		fmt.Fprintf(w, "Node:\t%s\n", dashIfEmpty(strings.TrimSpace(r.Status.Node+" "+r.Status.NodeURL)))
		fmt.Fprintf(w, "URL:\t%s\n", dashIfEmpty(r.Status.URL))
	}
	if b, ok := obj.(*v1alpha1.Build); ok {
		fmt.Fprintf(w, "Phase:\t%s\n", dashIfEmpty(strings.TrimSpace(b.Status.Phase+" "+parens(b.Status.Reason))))
		if b.Status.Message != "" {
			fmt.Fprintf(w, "Message:\t%s\n", b.Status.Message)
		}
		fmt.Fprintf(w, "Tag:\t%s\n", dashIfEmpty(b.Status.Tag))
		fmt.Fprintf(w, "Jenkins:\t%s\n", dashIfEmpty(strings.TrimSpace(b.Status.URL+" "+b.Status.Result)))
	}
	_ = w.Flush()
	if isRepo {
		printRepo(out, r)
	}
	if pl, ok := obj.(*v1alpha1.Pipeline); ok {
		printDeliveries(out, pl.Status.Deliveries)
	}
	sections, conds := specAndStatus(obj)
	for _, s := range []string{"spec", "status"} {
		if v, ok := sections[s]; ok {
			fmt.Fprintf(out, "%s:\n%s", strings.ToUpper(s[:1])+s[1:], indent(v, "  "))
		}
	}
	printConditions(out, conds)
	items := events.GetItems()
	sortEvents(items)
	printEvents(out, items)
	return nil
}

// specAndStatus renders spec and status as YAML (conditions apart: they
// get their own table).
func specAndStatus(obj v1alpha1.Object) (map[string]string, []metav1.Condition) {
	data, _ := yaml.Marshal(obj)
	var m map[string]any
	_ = yaml.Unmarshal(data, &m)
	out := map[string]string{}
	var conds []metav1.Condition
	if st, ok := m["status"].(map[string]any); ok {
		delete(st, "conditions")
	}
	for _, s := range []string{"spec", "status"} {
		if v, ok := m[s]; ok {
			if mv, isMap := v.(map[string]any); isMap && len(mv) == 0 {
				continue
			}
			b, _ := yaml.Marshal(v)
			out[s] = string(b)
		}
	}
	var full struct {
		Status struct {
			Conditions []metav1.Condition `json:"conditions"`
		} `json:"status"`
	}
	_ = yaml.Unmarshal(data, &full)
	conds = full.Status.Conditions
	return out, conds
}

// printRepo is a Repo's per-distro state at a glance, before the full
// status.
func printRepo(out io.Writer, r *v1alpha1.Repo) {
	fmt.Fprintln(out, "Distros:")
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  DISTRO\tVERSION\tARCH\tSTATE\tREASON\tSINCE\tBUILDS\tURL")
	for _, d := range r.Spec.Distros {
		d = d.WithArch()
		st := v1alpha1.DistroState{State: "-"}
		for _, s := range r.Status.Distros {
			if s.Distro == d.Distro && s.Version == d.Version && s.Arch == d.Arch {
				st = s
			}
		}
		since := "-"
		if st.LastTransitionTime != nil {
			since = st.LastTransitionTime.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d.Distro, d.Version, d.Arch, st.State, dashIfEmpty(st.Reason), since, st.Builds, dashIfEmpty(st.URL))
		if st.Message != "" {
			fmt.Fprintf(w, "  \t\t\t%s\n", st.Message)
		}
	}
	_ = w.Flush()
}

// printDeliveries is a Pipeline's recent webhook deliveries, newest
// first.
func printDeliveries(out io.Writer, ds []v1alpha1.Delivery) {
	if len(ds) == 0 {
		fmt.Fprintln(out, "Deliveries:  <none>")
		return
	}
	fmt.Fprintln(out, "Deliveries:")
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  TIME\tID\tSTYLE\tEVENT\tREF\tSHA1\tOUTCOME\tBUILD\tREASON")
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		sha := d.SHA1
		if len(sha) > 12 {
			sha = sha[:12]
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Time.UTC().Format(time.RFC3339), d.ID, d.Style, d.Event,
			dashIfEmpty(d.Ref), dashIfEmpty(sha), d.Outcome, dashIfEmpty(d.Build), dashIfEmpty(d.Reason))
	}
	_ = w.Flush()
}

func parens(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printConditions(out io.Writer, conds []metav1.Condition) {
	if len(conds) == 0 {
		fmt.Fprintln(out, "Conditions: <none>")
		return
	}
	fmt.Fprintln(out, "Conditions:")
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  TYPE\tSTATUS\tREASON\tAGE\tMESSAGE")
	for _, c := range conds {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", c.Type, c.Status, c.Reason, age(c.LastTransitionTime), c.Message)
	}
	_ = w.Flush()
}

func printEvents(out io.Writer, items []v1alpha1.Object) {
	if len(items) == 0 {
		fmt.Fprintln(out, "Events: <none>")
		return
	}
	fmt.Fprintln(out, "Events:")
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  TYPE\tREASON\tAGE\tFROM\tMESSAGE")
	for _, o := range items {
		e := o.(*v1alpha1.Event)
		seen := age(e.LastSeen())
		if e.Count > 1 {
			seen = fmt.Sprintf("%s (x%d over %s)", seen, e.Count, age(e.FirstTimestamp))
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", e.Type, e.Reason, seen, dash(e.Source.Component), e.Message)
	}
	_ = w.Flush()
}

func mapLines(m map[string]string) string {
	if len(m) == 0 {
		return "<none>"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + m[k]
	}
	return strings.Join(lines, "\n\t")
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}
