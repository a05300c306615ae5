package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"minka/api/v1alpha1"
	"minka/client"
)

func newLoginCommand(g *globals) *cobra.Command {
	var noVerify bool
	cmd := &cobra.Command{
		Use:   "login --server URL --token TOKEN",
		Short: "Save the server and token for later commands",
		Long: `Save the server URL and bearer token in the config file ($MINKA_CONFIG, or
~/.config/minka/config.yaml, mode 0600), after checking that they work.`,
		Example: "  minka login --server https://minka.example.com:7070 --token \"$(cat ~/.minka-token)\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.server == "" {
				return fmt.Errorf("login needs --server")
			}
			cfg := client.Config{Server: g.server, Token: g.token, Timeout: g.timeout}
			if !noVerify {
				c, err := client.New(cfg)
				if err != nil {
					return err
				}
				k, _ := v1alpha1.KindFor("deployment")
				ctx, cancel := withTimeout(cmd.Context(), g.timeout)
				defer cancel()
				if _, err := c.List(ctx, k, g.ns(), client.ListOptions{}); err != nil {
					return fmt.Errorf("checking the token against %s: %w", g.server, err)
				}
			}
			path, err := client.SaveConfig(cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Logged in to %s (saved in %s)\n", g.server, path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&noVerify, "no-verify", false, "save without checking the token")
	return cmd
}
