package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/client"
)

var deploymentKind, _ = v1alpha1.KindFor("Deployment")

func newRolloutCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout SUBCOMMAND deploy/NAME",
		Short: "Follow, list, undo or restart the rollouts of a Deployment",
		Long: `Manage the rollouts of a Deployment, as kubectl rollout does. A Deployment
is named deploy/NAME, deployment/NAME, deployments/NAME or "deploy NAME", in
the namespace of -n.

Each spec the controller applies to Marathon (replicas aside: a scale is
not a revision) is a revision in status.history, with its image and how it
went: Progressing, Good, RolledBack or Superseded.`,
		Example: `  minka rollout status deploy/web -n ci
  minka rollout history deploy/web -n ci
  minka rollout undo deploy/web -n ci
  minka rollout restart deploy/web -n ci`,
	}
	cmd.AddCommand(newRolloutStatusCommand(g), newRolloutHistoryCommand(g), newRolloutUndoCommand(g), newRolloutRestartCommand(g))
	return cmd
}

// deploymentArgs reads the Deployment a verb names: deploy/NAME (or
// deployment/NAME, deployments/NAME) or "deploy NAME"; rest are the
// arguments after it.
func (g *globals) deploymentArgs(verb string, args []string) (name string, rest []string, c *client.Client, err error) {
	if len(args) == 0 {
		return "", nil, nil, fmt.Errorf("%s needs a deployment: deploy/NAME or deploy NAME", verb)
	}
	k, name, err := kindArg(args[0])
	if err != nil {
		return "", nil, nil, err
	}
	if k.Kind != "Deployment" {
		return "", nil, nil, fmt.Errorf("%s takes a deployment (deploy/NAME), not %s", verb, k.Plural)
	}
	rest = args[1:]
	if name == "" {
		if len(rest) == 0 {
			return "", nil, nil, fmt.Errorf("%s needs a deployment: deploy/NAME or deploy NAME", verb)
		}
		name, rest = rest[0], rest[1:]
	}
	c, err = g.client()
	return name, rest, c, err
}

func newRolloutRestartCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "restart deploy/NAME",
		Short: "Roll out the same definition again: every task is replaced",
		Long: `Set the Deployment's spec.restartedAt to now (kubectl sets the restartedAt
annotation of the pod template the same way). The controller passes it
to Marathon as the app label MINKA_RESTARTED_AT, so Marathon deploys a new
app version of the same image and replaces every task; the restart is a
revision of its own in 'minka rollout history'. Follow it with
'minka rollout status'.`,
		Example: "  minka rollout restart deploy/web -n ci && minka rollout status deploy/web -n ci",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, rest, c, err := g.deploymentArgs("rollout restart", args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return fmt.Errorf("rollout restart takes one deployment, not %s", strings.Join(rest, " "))
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
			if _, err := c.MergePatch(ctx, deploymentKind, g.ns(), name, map[string]any{"spec": map[string]any{"restartedAt": now}}); err != nil {
				return fmt.Errorf("restarting deployment %s: %w", name, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s restarted\n", ref(deploymentKind, name))
			return nil
		},
	}
}
