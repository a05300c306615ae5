package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
)

func newRolloutHistoryCommand(g *globals) *cobra.Command {
	var revision int64
	cmd := &cobra.Command{
		Use:   "history deploy/NAME [--revision N]",
		Short: "List a Deployment's revisions, or show one",
		Long: `List the revisions in the Deployment's status.history, oldest first, as
kubectl's REVISION / CHANGE-CAUSE table: each revision's image, whether
it was Good (rolled out), RolledBack (failed), Progressing (rolling out)
or Superseded (replaced before it was Good), its Marathon app version
and when that was last decided. The controller keeps the newest
spec.revisionHistoryLimit of them (default 10). With --revision N, print
revision N with the spec it was made from, which 'minka rollout undo
--to-revision N' restores.`,
		Example: "  minka rollout history deploy/web -n ci\n  minka rollout history deploy/web -n ci --revision 3",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, rest, c, err := g.deploymentArgs("rollout history", args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return fmt.Errorf("rollout history takes one deployment, not %s", strings.Join(rest, " "))
			}
			if revision < 0 {
				return fmt.Errorf("--revision %d: must be >= 0", revision)
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			obj, err := c.Get(ctx, deploymentKind, g.ns(), name)
			if err != nil {
				return err
			}
			d := obj.(*v1alpha1.Deployment)
			if revision > 0 {
				return printRevision(cmd.OutOrStdout(), d, revision)
			}
			printHistory(cmd.OutOrStdout(), d)
			return nil
		},
	}
	cmd.Flags().Int64Var(&revision, "revision", 0, "show this revision, with its spec")
	return cmd
}

// printHistory is the revision table; the revision of the current
// generation is marked.
func printHistory(out io.Writer, d *v1alpha1.Deployment) {
	fmt.Fprintln(out, ref(deploymentKind, d.Name))
	if len(d.Status.History) == 0 {
		fmt.Fprintln(out, "No revisions yet: the controller records one when it applies a spec to Marathon.")
		return
	}
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "REVISION\tIMAGE\tRESULT\tAPP VERSION\tTIME")
	for _, e := range d.Status.History {
		rev := fmt.Sprint(e.Revision)
		if e.Generation == d.Generation {
			rev += " (current)"
		}
		version := e.AppVersion
		if version == "" {
			version = "<none>"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", rev, e.Image, e.Result, version, e.Time.UTC().Format("2006-01-02T15:04:05Z"))
	}
	_ = w.Flush()
}

// printRevision is one revision and its spec, as YAML.
func printRevision(out io.Writer, d *v1alpha1.Deployment, revision int64) error {
	e := v1alpha1.FindRevision(d.Status.History, revision)
	if e == nil {
		return fmt.Errorf("--revision %d: deployment %s has no such revision (see minka rollout history)", revision, d.Name)
	}
	fmt.Fprintf(out, "%s with revision #%d\n", ref(deploymentKind, d.Name), revision)
	b, err := yaml.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding revision %d: %w", revision, err)
	}
	_, err = out.Write(b)
	return err
}
