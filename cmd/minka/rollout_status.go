package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"minka/api/rollout"
)

func newRolloutStatusCommand(g *globals) *cobra.Command {
	var watch bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "status deploy/NAME [--watch=false] [--timeout D]",
		Short: "Follow a Deployment's rollout until it is done or rolled back",
		Long: `Follow the Deployment's rollout through a watch, printing a line each time
its progress changes, as kubectl does:

  Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...
  deployment "web" successfully rolled out

Done means the controller reports the spec's generation Available and
its rollout complete (every replica ready and updated, spec.verify passed).
A rollout that fails is rolled back by the controller: the command then
exits non-zero with the reason, as it does for a paused Deployment or a
definition Marathon refuses. With --watch=false it prints the status once
and exits (zero unless the rollout failed); --timeout bounds the wait
(0: none; progressDeadlineSeconds bounds a rollout anyway).`,
		Example: "  minka rollout status deploy/web -n ci\n  minka rollout status deployment web -n ci --timeout 5m",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, rest, c, err := g.deploymentArgs("rollout status", args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return fmt.Errorf("rollout status takes one deployment, not %s", strings.Join(rest, " "))
			}
			if timeout < 0 {
				return fmt.Errorf("--timeout %v: must be >= 0", timeout)
			}
			t := awaited{kind: deploymentKind, namespace: g.ns(), name: name}
			if !watch {
				ctx, cancel := withTimeout(cmd.Context(), g.timeout)
				defer cancel()
				obj, err := c.Get(ctx, deploymentKind, t.namespace, name)
				if err != nil {
					return err
				}
				st := rollout.Of(obj)
				fmt.Fprintln(cmd.OutOrStdout(), st.Message)
				if st.State == rollout.Failed {
					return fmt.Errorf("%s: %s", st.Reason, st.Message)
				}
				return nil
			}
			ctx, cancel := withTimeout(cmd.Context(), timeout)
			defer cancel()
			w := &waiter{c: c, out: cmd.OutOrStdout()}
			status, err := w.wait(ctx, []awaited{t})
			if err != nil {
				return err
			}
			switch st := status[t.id()]; st.State {
			case rollout.Done:
				return nil
			case rollout.Failed:
				return fmt.Errorf("%s: %s", st.Reason, st.Message)
			}
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("timed out waiting for the condition (--timeout %v)", timeout)
			}
			return ctx.Err()
		},
	}
	cmd.Flags().BoolVarP(&watch, "watch", "w", true, "follow the rollout until it is done or failed; false: print its status once")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "how long to wait (e.g. 10m); 0 waits until the rollout ends")
	return cmd
}
