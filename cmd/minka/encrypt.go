package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/validation"

	"minka/api/sealed"
)

func newEncryptCommand(g *globals) *cobra.Command {
	var scope, recipient string
	var fetchKey bool
	cmd := &cobra.Command{
		Use:   "encrypt [--scope namespace|pipeline/NAME]",
		Short: "Seal a value from stdin for a manifest, so that only the server can read it",
		Long: `Seal the value read from stdin (all of it, byte for byte) and print it in
the form a manifest takes: sealed:v1:<key id>:<data>. Paste it where a
secret belongs: a Deployment's spec.env, a Pipeline's or a Build's
spec.parameters, a Pipeline's spec.trigger.webhook.secret.

The value is sealed to the server's public key (GET /sealing/v1/key, role
view), so the CLI needs no key of its own, as kubeseal fetches the
sealed-secrets certificate; with --recipient it seals offline. Only the
server opens it, at the moment it hands it to Jenkins or Marathon; it is
stored sealed in etcd and shown sealed by get, describe and the API.

--scope says where it opens: "namespace" (the default) in any object of
the namespace -n names; "pipeline/NAME" only in that Pipeline and its
Builds. Copied into another namespace or Pipeline, it does not open, and
the object says so in a condition.`,
		Example: `  printf %s "$DB_PASSWORD" | minka encrypt -n prod
  printf %s "$HOOK_SECRET" | minka encrypt -n ci --scope pipeline/webapp
  minka encrypt --fetch-key > server.pub   # then, offline:
  printf %s "$TOKEN" | minka encrypt -n ci --recipient "$(jq -r .recipient server.pub)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := scopeOf(scope, g.ns())
			if err != nil {
				return err
			}
			if fetchKey || recipient == "" {
				c, err := g.client()
				if err != nil {
					return err
				}
				ctx, cancel := withTimeout(cmd.Context(), g.timeout)
				defer cancel()
				k, err := c.SealingKey(ctx)
				if err != nil {
					return fmt.Errorf("fetching the server's public key: %w", err)
				}
				if fetchKey {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(k)
				}
				recipient = k.Recipient
			}
			value, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
			if err != nil {
				return fmt.Errorf("reading the value from stdin: %w", err)
			}
			if len(value) == 0 {
				return fmt.Errorf("no value on stdin: printf %%s VALUE | minka encrypt")
			}
			if strings.HasSuffix(string(value), "\n") {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: the value ends in a newline, which is sealed with it (echo adds one; printf %%s does not)\n")
			}
			out, err := sealed.Seal(recipient, sc, string(value))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "namespace", `where the value opens: "namespace" (-n) or "pipeline/NAME"`)
	cmd.Flags().StringVar(&recipient, "recipient", "", "seal to this age public key (age1...) instead of fetching the server's")
	cmd.Flags().BoolVar(&fetchKey, "fetch-key", false, "print the server's public key and key id, and seal nothing")
	return cmd
}

// scopeOf reads --scope for namespace ns.
func scopeOf(scope, ns string) (string, error) {
	if scope == "namespace" {
		return sealed.NamespaceScope(ns), nil
	}
	name, ok := strings.CutPrefix(scope, "pipeline/")
	if !ok {
		return "", fmt.Errorf(`--scope %q: must be "namespace" or "pipeline/NAME"`, scope)
	}
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return "", fmt.Errorf("--scope %q: the Pipeline name %s", scope, strings.Join(msgs, "; "))
	}
	return sealed.PipelineScope(ns, name), nil
}
