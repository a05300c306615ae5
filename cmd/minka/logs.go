package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newLogsCommand(g *globals) *cobra.Command {
	var follow bool
	cmd := &cobra.Command{
		Use:   "logs build NAME [-f]",
		Short: "Print a Build's Jenkins console",
		Long: `Print the Jenkins console of a Build, as kubectl logs prints a pod's: all
of it so far, or with -f as Jenkins writes it until the build ends (a
Build still pending or queued is waited for). The API server reads it
from Jenkins (progressiveText), so only a token that may read Builds is
needed, not one of Jenkins.`,
		Example: "  minka logs build webapp-7 -n ci\n  minka logs -f build/webapp-7 -n ci",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, name := args[0], ""
			if len(args) == 2 {
				name = args[1]
			} else if k, n, ok := strings.Cut(args[0], "/"); ok {
				kind, name = k, n
			}
			switch strings.ToLower(kind) {
			case "build", "builds", "build.minka.dev":
			default:
				return fmt.Errorf("logs reads Builds: minka logs build NAME")
			}
			if name == "" {
				return fmt.Errorf("logs needs a Build's name: minka logs build NAME")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, cancel := cmd.Context(), func() {}
			if !follow {
				ctx, cancel = withTimeout(ctx, g.timeout)
			}
			defer cancel()
			return c.BuildLog(ctx, g.ns(), name, follow, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "stream the console until the build ends")
	return cmd
}
