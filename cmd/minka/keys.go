package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/client"
)

func newKeysCommand(g *globals) *cobra.Command {
	var stale bool
	cmd := &cobra.Command{
		Use:   "keys [--stale]",
		Short: "List the server's sealing keys and the sealed values each one holds",
		Long: `List the server's sealing keys, the newest (which seals) first, with how
many sealed values in Deployments, Pipelines and Builds each one opens,
across every namespace.

To rotate: make a key (age-keygen -o new.key), put it first in the
server config's encryption.keys and restart the server; every old key
still opens what it sealed. Then --stale lists the fields still sealed
with another key than the newest (or with one the server no longer
holds): seal those values again with minka encrypt, apply, and drop the
old key once the list is empty.`,
		Example: "  minka keys\n  minka keys --stale",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			k, err := c.SealingKey(ctx)
			if err != nil {
				return fmt.Errorf("reading the server's keys: %w", err)
			}
			values, err := sealedValues(ctx, c)
			if err != nil {
				return err
			}
			if stale {
				return printStale(cmd.OutOrStdout(), k.KeyID, values)
			}
			return printKeys(cmd.OutOrStdout(), k.KeyIDs, values)
		},
	}
	cmd.Flags().BoolVar(&stale, "stale", false, "list the fields sealed with another key than the newest")
	return cmd
}

// sealedValue is one sealed field of a stored object.
type sealedValue struct {
	kind, namespace, name, field, keyID string
}

// sealedValues reads every sealed field of the kinds that take them.
func sealedValues(ctx context.Context, c *client.Client) ([]sealedValue, error) {
	var out []sealedValue
	for _, kind := range []string{"deployments", "pipelines", "builds"} {
		k, err := v1alpha1.KindFor(kind)
		if err != nil {
			return nil, err
		}
		list, err := c.List(ctx, k, "", client.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", k.Plural, err)
		}
		for _, obj := range list.GetItems() {
			for _, f := range v1alpha1.SealedFields(obj) {
				if f.Sealed() {
					out = append(out, sealedValue{k.Singular, obj.GetNamespace(), obj.GetName(), f.Path.String(), sealed.SealedKeyID(f.Value)})
				}
			}
		}
	}
	return out, nil
}

func printKeys(w io.Writer, keyIDs []string, values []sealedValue) error {
	count := map[string]int{}
	for _, v := range values {
		count[v.keyID]++
	}
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "KEY ID\tUSE\tVALUES")
	for i, id := range keyIDs {
		use := "opens"
		if i == 0 {
			use = "seals, opens"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\n", id, use, count[id])
	}
	var unknown []string
	for id := range count {
		if !slices.Contains(keyIDs, id) {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	for _, id := range unknown {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", orMalformed(id), "not held: these do not open", count[id])
	}
	return tw.Flush()
}

func printStale(w io.Writer, newest string, values []sealedValue) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAMESPACE\tNAME\tFIELD\tKEY ID")
	for _, v := range values {
		if v.keyID != newest {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.kind, v.namespace, v.name, v.field, orMalformed(v.keyID))
		}
	}
	return tw.Flush()
}

func orMalformed(id string) string {
	if id == "" {
		return "(malformed)"
	}
	return id
}
