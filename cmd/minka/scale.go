package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newScaleCommand(g *globals) *cobra.Command {
	var replicas, current int32
	cmd := &cobra.Command{
		Use:   "scale KIND NAME --replicas N",
		Short: "Set the replica count of a Deployment or SlavePool",
		Long: `Set spec.replicas through the scale subresource. With --current-replicas,
the change is made only if the current count is that (else it fails and
changes nothing).`,
		Example: "  minka scale deploy web -n ci --replicas 10\n  minka scale sp/trusty-amd64 -n ci --replicas 5",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, name, c, err := g.objectArgs("scale", args)
			if err != nil {
				return err
			}
			if !k.Scale {
				return fmt.Errorf("%s cannot be scaled: only deployments and slavepools have replicas", k.Plural)
			}
			if !cmd.Flags().Changed("replicas") {
				return fmt.Errorf("scale needs --replicas N")
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			sc, err := c.GetScale(ctx, k, g.ns(), name)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("current-replicas") {
				if sc.Spec.Replicas != current {
					return fmt.Errorf("expected replicas to be %d, was %d", current, sc.Spec.Replicas)
				}
			} else {
				sc.ResourceVersion = "" // last writer wins, as with kubectl scale
			}
			sc.Spec.Replicas = replicas
			if _, err := c.UpdateScale(ctx, k, g.ns(), sc); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s scaled\n", ref(k, name))
			return nil
		},
	}
	cmd.Flags().Int32Var(&replicas, "replicas", 0, "the new replica count")
	cmd.Flags().Int32Var(&current, "current-replicas", -1, "precondition: the current replica count")
	return cmd
}
