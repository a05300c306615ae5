package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"minka/api/v1alpha1"
	"minka/client"
)

func newEventsCommand(g *globals) *cobra.Command {
	var all, watch bool
	var forObj string
	cmd := &cobra.Command{
		Use:   "events [--for KIND/NAME] [-w]",
		Short: "List events, oldest first",
		Example: `  minka events -n ci
  minka events -n ci --for deploy/web -w
  minka events -A`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var fields string
			if forObj != "" {
				k, name, err := kindArg(forObj)
				if err != nil || name == "" {
					return fmt.Errorf("--for wants KIND/NAME, got %q", forObj)
				}
				fields = fmt.Sprintf("involvedObject.kind=%s,involvedObject.name=%s", k.Kind, name)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ns := g.ns()
			if all {
				ns = ""
			}
			evKind, _ := v1alpha1.KindFor("event")
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			list, err := c.List(ctx, evKind, ns, client.ListOptions{FieldSelector: fields})
			cancel()
			if err != nil {
				return err
			}
			items := list.GetItems()
			sortEvents(items)
			p := newPrinter(cmd.OutOrStdout(), evKind, "", all, false)
			if err := p.printAll(items, false); err != nil {
				return err
			}
			if len(items) == 0 && !watch {
				fmt.Fprintln(cmd.ErrOrStderr(), "No events found.")
			}
			if !watch {
				return nil
			}
			return watchAndPrint(cmd.Context(), c, evKind, ns,
				client.WatchOptions{ResourceVersion: list.GetResourceVersion(), FieldSelector: fields}, p)
		},
	}
	cmd.Flags().BoolVarP(&all, "all-namespaces", "A", false, "events of every namespace")
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "print new events as they happen")
	cmd.Flags().StringVar(&forObj, "for", "", "only events about KIND/NAME")
	return cmd
}
