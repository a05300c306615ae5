package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"minka/api/admin"
	"minka/client"
)

// adminStepTimeout is a maintenance step's default timeout: a
// defragmentation rewrites the whole database file.
const adminStepTimeout = 5 * time.Minute

func newAdminCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Operate the server's etcd (admin role)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newAdminEtcdCommand(g))
	return cmd
}

func newAdminEtcdCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "etcd",
		Short: "Show etcd's database sizes and alarms, and bring it back when it is out of space",
		Long: `When etcd's database reaches its quota (--quota-backend-bytes; the embedded
etcd's is --etcd-quota-backend-bytes, 2 GiB by default), etcd raises its
NOSPACE alarm and refuses every write but deletes: the API answers writes
507 InsufficientStorage and /readyz 503 "etcd: out of space". The way back
is etcd's own: compact the history, defragment to return the freed pages
to the file system, then disarm the alarm. 'recover' does the three in
order. If live data alone fills the quota, delete objects (deletes still
work) or restart with a larger quota first.

A defragmentation blocks the member it runs on: requests wait meanwhile.`,
		Args: cobra.NoArgs,
	}
	steps := []struct {
		use, short string
		run        func(*client.Client, context.Context) (*admin.EtcdStatus, error)
	}{
		{"status", "Print etcd's members, database sizes, quota and alarms", (*client.Client).EtcdStatus},
		{"compact", "Compact etcd's history at the current revision", (*client.Client).EtcdCompact},
		{"defragment", "Defragment every etcd member, one after another", (*client.Client).EtcdDefragment},
		{"disarm", "Disarm etcd's NOSPACE alarm (refused while a member is still at its quota)", (*client.Client).EtcdDisarm},
	}
	for _, s := range steps {
		cmd.AddCommand(&cobra.Command{
			Use: s.use, Short: s.short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return g.adminSteps(cmd, s.run)
			},
		})
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "recover",
		Short:   "Compact, defragment and disarm NOSPACE, printing the sizes after each step",
		Example: "  minka admin etcd recover\n  minka admin etcd status",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.adminSteps(cmd, (*client.Client).EtcdCompact, (*client.Client).EtcdDefragment, (*client.Client).EtcdDisarm)
		},
	})
	return cmd
}

// adminSteps runs maintenance steps in order, printing the status after
// each; it stops at the first that fails.
func (g *globals) adminSteps(cmd *cobra.Command, steps ...func(*client.Client, context.Context) (*admin.EtcdStatus, error)) error {
	c, err := g.client()
	if err != nil {
		return err
	}
	timeout := adminStepTimeout
	if cmd.Flags().Changed("request-timeout") {
		timeout = g.timeout
	}
	for _, step := range steps {
		ctx, cancel := withTimeout(cmd.Context(), timeout)
		st, err := step(c, ctx)
		cancel()
		if err != nil {
			return err
		}
		printEtcdStatus(cmd.OutOrStdout(), st)
	}
	return nil
}

func printEtcdStatus(out io.Writer, st *admin.EtcdStatus) {
	switch st.Step {
	case "compact":
		fmt.Fprintf(out, "compacted at revision %d\n", st.Revision)
	case "defragment":
		fmt.Fprintln(out, "defragmented")
	case "disarm":
		if len(st.Disarmed) == 0 {
			fmt.Fprintln(out, "no NOSPACE alarm to disarm")
		}
		for _, a := range st.Disarmed {
			fmt.Fprintf(out, "disarmed %s on member %s\n", a.Alarm, a.Member)
		}
	default:
		fmt.Fprintf(out, "revision %d\n", st.Revision)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tID\tLEADER\tDB SIZE\tIN USE\tQUOTA\tERROR")
	for _, m := range st.Members {
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%s\t%s\t%s\n", m.Endpoint, m.ID, m.Leader, mib(m.DBSize), mib(m.DBSizeInUse), mib(m.QuotaBytes), m.Error)
	}
	tw.Flush()
	if len(st.Alarms) == 0 {
		fmt.Fprintln(out, "alarms: none")
	}
	for _, a := range st.Alarms {
		fmt.Fprintf(out, "alarm: %s on member %s\n", a.Alarm, a.Member)
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
