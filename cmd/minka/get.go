package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
	"minka/client"
)

type getOptions struct {
	all       bool
	selector  string
	fields    string
	output    string
	watch     bool
	noHeaders bool
	managed   bool
}

func newGetCommand(g *globals) *cobra.Command {
	o := &getOptions{}
	cmd := &cobra.Command{
		Use:   "get KIND [NAME...]",
		Short: "List objects, or show some by name",
		Long: `List objects of a kind as a table, or print them as YAML, JSON or names.
KIND is singular, plural or short (deploy, sp, repo, pl, build, ev), and
KIND/NAME names one object. With -w, every change is printed as it happens
until interrupted.`,
		Example: `  minka get deploy -n ci
  minka get sp -A -o wide
  minka get deploy/web -n ci -o yaml
  minka get deploy,sp,repo -n ci
  minka get builds -l pipeline=webapp -w`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if strings.Contains(args[0], ",") {
				return o.runKinds(cmd, g, args)
			}
			k, name, err := kindArg(args[0])
			if err != nil {
				return err
			}
			names := args[1:]
			if name != "" {
				names = append([]string{name}, names...)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ns := o.namespace(g)
			return o.run(cmd.Context(), c, k, ns, names, cmd.OutOrStdout(), cmd.ErrOrStderr(), g)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all-namespaces", "A", false, "list across all namespaces")
	f.StringVarP(&o.selector, "selector", "l", "", "label selector, e.g. app=web,tier!=db")
	f.StringVar(&o.fields, "field-selector", "", "field selector, e.g. metadata.name=web")
	f.StringVarP(&o.output, "output", "o", "", "output format: yaml, json, wide or name (default: a table)")
	f.BoolVarP(&o.watch, "watch", "w", false, "after listing, print every change as it happens")
	f.BoolVar(&o.noHeaders, "no-headers", false, "omit the table header")
	f.BoolVar(&o.managed, "show-managed-fields", false, "keep metadata.managedFields in yaml and json output (hidden by default, as kubectl hides them)")
	return cmd
}

// runKinds lists several kinds (get deploy,sp), one table after another
// as kubectl prints them.
func (o *getOptions) runKinds(cmd *cobra.Command, g *globals, args []string) error {
	if len(args) > 1 || o.watch || o.output == "yaml" || o.output == "json" {
		return fmt.Errorf("several kinds (%s) can be listed only as tables or names, without NAME and without -w", args[0])
	}
	c, err := g.client()
	if err != nil {
		return err
	}
	ns := o.namespace(g)
	for i, kind := range strings.Split(args[0], ",") {
		k, err := v1alpha1.KindFor(kind)
		if err != nil {
			return err
		}
		if i > 0 && o.output != "name" {
			fmt.Fprintln(cmd.OutOrStdout())
		}
		if err := o.run(cmd.Context(), c, k, ns, nil, cmd.OutOrStdout(), cmd.ErrOrStderr(), g); err != nil {
			return err
		}
	}
	return nil
}

// namespace is the one to list: -n (or default), or all with -A.
func (o *getOptions) namespace(g *globals) string {
	if o.all {
		return ""
	}
	return g.ns()
}

func (o *getOptions) validate() error {
	switch o.output {
	case "", "yaml", "json", "wide", "name":
		return nil
	}
	return fmt.Errorf("--output %q is not one of yaml, json, wide, name", o.output)
}

func (o *getOptions) run(ctx context.Context, c *client.Client, k v1alpha1.Kind, ns string, names []string, out, errOut io.Writer, g *globals) error {
	rctx, cancel := withTimeout(ctx, g.timeout)
	defer cancel()
	var items []v1alpha1.Object
	var listRV string
	if len(names) > 0 {
		for _, n := range names {
			obj, err := c.Get(rctx, k, g.ns(), n)
			if err != nil {
				return err
			}
			items = append(items, obj)
		}
	} else {
		list, err := c.List(rctx, k, ns, client.ListOptions{LabelSelector: o.selector, FieldSelector: o.fields})
		if err != nil {
			return err
		}
		items, listRV = list.GetItems(), list.GetResourceVersion()
		if k.Kind == "Event" {
			sortEvents(items)
		}
	}
	p := newPrinter(out, k, o.output, ns == "" && k.Namespaced, o.noHeaders)
	p.managed = o.managed
	if err := p.printAll(items, len(names) == 1 && !o.watch); err != nil {
		return err
	}
	if len(items) == 0 && p.table != nil {
		fmt.Fprintln(errOut, noResources(ns))
	}
	if !o.watch {
		return nil
	}
	wopts := client.WatchOptions{ResourceVersion: listRV, LabelSelector: o.selector, FieldSelector: o.fields}
	if len(names) == 1 {
		wopts.FieldSelector = "metadata.name=" + names[0]
		wopts.ResourceVersion = items[0].GetResourceVersion()
		ns = g.ns()
	}
	return watchAndPrint(ctx, c, k, ns, wopts, p)
}

func noResources(ns string) string {
	if ns == "" {
		return "No resources found"
	}
	return "No resources found in " + ns + " namespace."
}

// watchAndPrint prints each change until ctx ends; a 410 Gone relists
// quietly and resumes from the new list, as kubectl does.
func watchAndPrint(ctx context.Context, c *client.Client, k v1alpha1.Kind, ns string, opts client.WatchOptions, p *printer) error {
	for {
		ch, err := c.Watch(ctx, k, ns, opts)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		gone := false
		for ev := range ch {
			if ev.Type == "ERROR" {
				if ev.Err != nil {
					return ev.Err // the stream broke
				}
				if ev.Status != nil && ev.Status.Code == http.StatusGone {
					gone = true
					break
				}
				return &apierrors.StatusError{ErrStatus: *ev.Status}
			}
			if ev.Type == "BOOKMARK" {
				opts.ResourceVersion = ev.Object.GetResourceVersion()
				continue
			}
			opts.ResourceVersion = ev.Object.GetResourceVersion()
			if err := p.printEvent(ev.Type, ev.Object); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		if gone {
			opts.ResourceVersion = "" // relist: the server sends every object as ADDED
		}
	}
}

// printer writes objects in one output format.
type printer struct {
	out      io.Writer
	kind     v1alpha1.Kind
	format   string
	table    *table
	headered bool
	noHead   bool
	managed  bool // print managedFields
}

func newPrinter(out io.Writer, k v1alpha1.Kind, format string, allNamespaces, noHeaders bool) *printer {
	p := &printer{out: out, kind: k, format: format, noHead: noHeaders}
	if format == "" || format == "wide" {
		p.table = newTable(out, k.Kind, format == "wide", allNamespaces)
	}
	return p
}

// printAll prints a listing; single prints one object rather than a List.
func (p *printer) printAll(items []v1alpha1.Object, single bool) error {
	switch p.format {
	case "yaml", "json":
		if single {
			return p.encode(items[0])
		}
		list := p.kind.NewList()
		list.SetItems(items)
		list.GetObjectKind().SetGroupVersionKind(v1alpha1.SchemeGroupVersion.WithKind(p.kind.ListKind))
		return p.encode(list)
	case "name":
		for _, o := range items {
			fmt.Fprintln(p.out, ref(p.kind, o.GetName()))
		}
		return nil
	}
	if len(items) == 0 {
		return nil
	}
	for _, o := range items {
		p.row(o)
	}
	p.table.flush()
	return nil
}

func (p *printer) row(o v1alpha1.Object) {
	if !p.headered && !p.noHead {
		p.table.header()
	}
	p.headered = true
	p.table.row(o)
}

// printEvent prints one watch event: a row for tables (like kubectl -w),
// a document for yaml/json.
func (p *printer) printEvent(typ string, o v1alpha1.Object) error {
	switch p.format {
	case "yaml":
		fmt.Fprintln(p.out, "---")
		return p.encode(o)
	case "json":
		return p.encode(o)
	case "name":
		fmt.Fprintln(p.out, ref(p.kind, o.GetName()))
		return nil
	}
	p.row(o)
	p.table.flush()
	return nil
}

func (p *printer) encode(v any) error {
	if o, ok := v.(v1alpha1.Object); ok {
		v1alpha1.SetTypeMeta(o)
		if !p.managed {
			o.SetManagedFields(nil)
		}
	}
	if l, ok := v.(v1alpha1.ObjectList); ok && !p.managed {
		for _, o := range l.GetItems() {
			o.SetManagedFields(nil)
		}
	}
	var data []byte
	var err error
	if p.format == "yaml" {
		data, err = yaml.Marshal(v)
	} else {
		data, err = json.MarshalIndent(v, "", "    ")
		data = append(data, '\n')
	}
	if err != nil {
		return fmt.Errorf("encoding output: %w", err)
	}
	_, err = p.out.Write(data)
	return err
}
