package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"minka/api/v1alpha1"
)

// table prints objects of one kind as aligned columns, like kubectl: the
// kind's columns from v1alpha1.Columns, wide ones (priority 1) with -o wide.
type table struct {
	w          *tabwriter.Writer
	cols       []v1alpha1.Column
	namespaced bool // print a NAMESPACE column first (-A)
}

func newTable(out io.Writer, kind string, wide, allNamespaces bool) *table {
	t := &table{w: tabwriter.NewWriter(out, 0, 8, 3, ' ', 0), namespaced: allNamespaces}
	for _, c := range v1alpha1.Columns(kind) {
		if c.Priority == 0 || wide {
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
		hs = append(hs, c.Name)
	}
	fmt.Fprintln(t.w, strings.Join(hs, "\t"))
}

func (t *table) row(o v1alpha1.Object) {
	var vs []string
	if t.namespaced {
		vs = append(vs, o.GetNamespace())
	}
	for _, c := range t.cols {
		vs = append(vs, cellText(c.Cell(o)))
	}
	fmt.Fprintln(t.w, strings.Join(vs, "\t"))
}

func (t *table) flush() { _ = t.w.Flush() }

// cellText renders a cell for the terminal: strings as they are, integers
// in decimal, times as the age kubectl shows.
func cellText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case metav1.Time:
		return age(v)
	}
	return fmt.Sprint(v)
}

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

// sortEvents orders events oldest first, as `kubectl get events` does.
func sortEvents(items []v1alpha1.Object) {
	sort.SliceStable(items, func(i, j int) bool {
		return items[i].(*v1alpha1.Event).LastSeen().Time.Before(items[j].(*v1alpha1.Event).LastSeen().Time)
	})
}
