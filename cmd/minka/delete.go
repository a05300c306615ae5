package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/v1alpha1"
)

func newDeleteCommand(g *globals) *cobra.Command {
	var files []string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "delete KIND NAME... | -f FILE",
		Short: "Delete objects by name or by manifest",
		Long: `Delete objects. An object with finalizers is marked for deletion and goes
when its controller has cleaned up what it made outside minka (a Marathon
app, OpenStack servers); --wait waits for that.`,
		Example: "  minka delete deploy web -n ci\n  minka delete -f examples/deployment.yaml --wait 2m",
		RunE: func(cmd *cobra.Command, args []string) error {
			targets, err := deleteTargets(g, files, args, cmd)
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, t := range targets {
				ctx, cancel := withTimeout(cmd.Context(), g.timeout)
				obj, err := c.Delete(ctx, t.kind, t.ns, t.name, nil)
				cancel()
				if err != nil {
					return err
				}
				if obj.GetDeletionTimestamp() == nil {
					fmt.Fprintf(out, "%s deleted\n", ref(t.kind, t.name))
					continue
				}
				if wait <= 0 {
					fmt.Fprintf(out, "%s deletion requested (waiting for finalizers: %s)\n", ref(t.kind, t.name), strings.Join(obj.GetFinalizers(), ", "))
					continue
				}
				if err := waitGone(cmd, g, t, wait); err != nil {
					return err
				}
				fmt.Fprintf(out, "%s deleted\n", ref(t.kind, t.name))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "manifest naming the objects to delete; repeatable")
	cmd.Flags().DurationVar(&wait, "wait", 0, "wait up to this long for objects held by finalizers to go")
	return cmd
}

type target struct {
	kind     v1alpha1.Kind
	ns, name string
}

func deleteTargets(g *globals, files, args []string, cmd *cobra.Command) ([]target, error) {
	var out []target
	if len(files) > 0 {
		ms, err := readManifests(files, false, cmd.InOrStdin())
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			objs, err := v1alpha1.Decode(m.data, m.source)
			if err != nil {
				return nil, err
			}
			for _, o := range objs {
				if err := placeNamespace(o, g.namespace); err != nil {
					return nil, err
				}
				k, _ := v1alpha1.KindOf(o)
				out = append(out, target{kind: k, ns: o.GetNamespace(), name: o.GetName()})
			}
		}
		return out, nil
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("delete needs KIND NAME or -f FILE")
	}
	k, name, err := kindArg(args[0])
	if err != nil {
		return nil, err
	}
	names := args[1:]
	if name != "" {
		names = append([]string{name}, names...)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("delete needs a NAME after %s", args[0])
	}
	for _, n := range names {
		out = append(out, target{kind: k, ns: g.ns(), name: n})
	}
	return out, nil
}

func waitGone(cmd *cobra.Command, g *globals, t target, d time.Duration) error {
	c, err := g.client()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		_, err := c.Get(cmd.Context(), t.kind, t.ns, t.name)
		if apierrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-cmd.Context().Done():
			return cmd.Context().Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s still exists after %s (finalizers pending)", ref(t.kind, t.name), d)
}
