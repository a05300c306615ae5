package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"minka/client"
)

func newRolloutUndoCommand(g *globals) *cobra.Command {
	var to int64
	var dryRun string
	cmd := &cobra.Command{
		Use:   "undo deploy/NAME [--to-revision N]",
		Short: "Return a Deployment to an earlier revision",
		Long: `Return the Deployment's spec to the last Good revision before the current
one, or to revision N of 'minka rollout history': the server's rollback
subresource writes that revision's spec back (the replicas stay as they
are), and the controller rolls it out as any spec change, a new revision
of its own. Follow it with 'minka rollout status'. A paused Deployment is
not rolled back. --dry-run=server shows the result and writes nothing.`,
		Example: "  minka rollout undo deploy/web -n ci\n  minka rollout undo deploy/web -n ci --to-revision 2",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, rest, c, err := g.deploymentArgs("rollout undo", args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return fmt.Errorf("rollout undo takes one deployment, not %s", strings.Join(rest, " "))
			}
			if to < 0 {
				return fmt.Errorf("--to-revision %d: must be >= 0", to)
			}
			if dryRun != "none" && dryRun != "server" {
				return fmt.Errorf("--dry-run %q: want none or server", dryRun)
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			before, err := c.Get(ctx, deploymentKind, g.ns(), name)
			if err != nil {
				return err
			}
			d, err := c.Rollback(ctx, g.ns(), name, client.RollbackOptions{Revision: to, DryRun: dryRun == "server"})
			if err != nil {
				return fmt.Errorf("rolling back deployment %s: %w", name, err)
			}
			suffix := ""
			if dryRun == "server" {
				suffix = " (server dry run)"
			}
			if d.Generation == before.GetGeneration() && dryRun != "server" {
				fmt.Fprintf(cmd.OutOrStdout(), "%s skipped rollback (the spec already is that revision's: image %s)\n", ref(deploymentKind, name), d.Spec.Image)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s rolled back to image %s%s\n", ref(deploymentKind, name), d.Spec.Image, suffix)
			return nil
		},
	}
	cmd.Flags().Int64Var(&to, "to-revision", 0, "the revision to return to; 0: the last Good revision before the current one")
	cmd.Flags().StringVar(&dryRun, "dry-run", "none", "server: ask the server what the rollback would write, and write nothing")
	return cmd
}
