package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"minka/api/v1alpha1"
	"minka/client"
)

func newReplayCommand(g *globals) *cobra.Command {
	var pipeline string
	cmd := &cobra.Command{
		Use:   "replay delivery ID [--pipeline P]",
		Short: "Process a recorded webhook delivery again",
		Long: `Process a webhook delivery that a Pipeline recorded (minka describe
pipeline lists them) once more, against the Pipeline as it is now: after
adding a branch to spec.source.branches, say, a push it ignored builds. A
replay is never a duplicate and does not honour [skip ci]. Without
--pipeline every Pipeline of the namespace is searched for the delivery.
It needs a token that may create Builds.`,
		Example: "  minka replay delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958 -n ci\n  minka replay delivery d-17 -n ci --pipeline webapp",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "delivery" && args[0] != "deliveries" {
				return fmt.Errorf("replay takes a delivery: minka replay delivery ID")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			if pipeline == "" {
				k, _ := v1alpha1.KindFor("Pipeline")
				list, err := c.List(ctx, k, g.ns(), client.ListOptions{})
				if err != nil {
					return err
				}
				for _, it := range list.GetItems() {
					for _, d := range it.(*v1alpha1.Pipeline).Status.Deliveries {
						if d.ID == args[1] {
							pipeline = it.GetName()
						}
					}
				}
				if pipeline == "" {
					return fmt.Errorf("no Pipeline of namespace %s recorded delivery %q", g.ns(), args[1])
				}
			}
			a, err := c.ReplayDelivery(ctx, g.ns(), pipeline, args[1])
			if err != nil {
				return err
			}
			switch {
			case a.Build != "":
				fmt.Fprintf(cmd.OutOrStdout(), "delivery %s replayed: %s build.minka.dev/%s\n", args[1], a.Outcome, a.Build)
			default:
				fmt.Fprintf(cmd.OutOrStdout(), "delivery %s replayed: %s: %s\n", args[1], a.Outcome, a.Reason)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pipeline, "pipeline", "", "the Pipeline that recorded the delivery")
	return cmd
}
