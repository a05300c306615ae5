package main

import (
	"encoding/base64"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"minka/client"
)

func newKubeconfigCommand(g *globals) *cobra.Command {
	var context string
	cmd := &cobra.Command{
		Use:   "kubeconfig [--context NAME]",
		Short: "Print a kubeconfig for kubectl: the current server, token and CA",
		Long: `Print a kubeconfig that points kubectl at the server minka talks to, with
the same token (--server, --token, $MINKA_SERVER, $MINKA_TOKEN or the
login file) and, for an https server with --certificate-authority, the CA
inline. Its cluster, user and context all take the name --context
(default minka), so it merges with other kubeconfigs:

  minka kubeconfig --context ci > ~/.kube/minka-ci.yaml
  KUBECONFIG=~/.kube/config:~/.kube/minka-ci.yaml kubectl config use-context ci

kubectl sends a token over https only: a server without TLS answers it as
anonymous.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := client.LoadConfig(g.server, g.token)
			if err != nil {
				return err
			}
			ca := g.ca
			if ca == "" {
				ca = os.Getenv("MINKA_CERTIFICATE_AUTHORITY")
			}
			cluster := map[string]any{"server": cfg.Server}
			if ca != "" {
				pem, err := os.ReadFile(ca)
				if err != nil {
					return fmt.Errorf("--certificate-authority: %w", err)
				}
				cluster["certificate-authority-data"] = base64.StdEncoding.EncodeToString(pem)
			}
			user := map[string]any{}
			if cfg.Token != "" {
				user["token"] = cfg.Token
			}
			ctx := map[string]any{"cluster": context, "user": context}
			if g.namespace != "" {
				ctx["namespace"] = g.namespace
			}
			out, err := yaml.Marshal(map[string]any{
				"apiVersion": "v1", "kind": "Config", "preferences": map[string]any{},
				"clusters":        []any{map[string]any{"name": context, "cluster": cluster}},
				"users":           []any{map[string]any{"name": context, "user": user}},
				"contexts":        []any{map[string]any{"name": context, "context": ctx}},
				"current-context": context,
			})
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&context, "context", "minka", "the name of the cluster, user and context")
	return cmd
}
