package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
	"minka/client"
)

func newReposCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "repos",
		Short: "Ask about package repositories on chacra (shaman's questions)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newReposLatestCommand(g))
	return cmd
}

func newReposLatestCommand(g *globals) *cobra.Command {
	var q repoquery.Query
	var distros, output string
	var all bool
	cmd := &cobra.Command{
		Use:   "latest --project P --ref R --distros D/V[/ARCH],...",
		Short: "Print the newest sha1 of a ref that is ready on every named distro",
		Long: `Print the newest sha1 of a project's ref whose repositories are Ready on
every distro named (distro/version[/arch], comma-separated; ubuntu and
debian versions as numbers or codenames, ubuntu/16.04 = ubuntu/xenial), as
shaman's search with sha1=latest and status=ready answers it. The sha1s are
ordered by chacra's modified time of their newest ready repository; the
first one ready on every distro wins. Repos of every namespace count
unless --namespace is given. With no such sha1 it prints why and exits 1.`,
		Example: "  minka repos latest --project ceph --ref master --distros ubuntu/xenial,centos/7\n" +
			"  SHA1=$(minka repos latest --project ceph --ref master --distros ubuntu/16.04/x86_64 --flavor default)\n" +
			"  minka repos latest --project ceph --ref master --distros centos/9 -o wide",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if q.Project == "" || q.Ref == "" || distros == "" {
				return fmt.Errorf("latest needs --project, --ref and --distros")
			}
			ds, err := repoquery.ParseDistros(distros)
			if err != nil {
				return fmt.Errorf("--distros %q: %w", distros, err)
			}
			q.Distros = ds
			if output != "" && output != "wide" && output != "json" {
				return fmt.Errorf("--output %q: must be wide or json", output)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			ns := ""
			if cmd.Flags().Changed("namespace") && !all {
				ns = g.ns()
			}
			list, err := c.List(ctx, repoKind(), ns, client.ListOptions{})
			if err != nil {
				return err
			}
			var repos []*v1alpha1.Repo
			for _, it := range list.GetItems() {
				repos = append(repos, it.(*v1alpha1.Repo))
			}
			res := repoquery.Latest(repos, q)
			if res.SHA1 == "" {
				return errors.New(res.Reason) // exit 1, the reason on stderr
			}
			return printLatest(cmd, res, output)
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Project, "project", "", "the project (chacra's project name)")
	f.StringVar(&q.Ref, "ref", "", "the git ref (branch or tag)")
	f.StringVar(&distros, "distros", "", "distro/version[/arch],... every one must be ready")
	f.StringVar(&q.Flavor, "flavor", "", "only this flavor (default: any, as shaman)")
	f.StringVar(&q.Arch, "arch", "", "the arch of distros that name none (default: any)")
	f.StringVarP(&output, "output", "o", "", "wide: the sha1 and each distro's repository; json: the same as JSON")
	f.BoolVarP(&all, "all-namespaces", "A", false, "Repos of every namespace (the default unless --namespace is given)")
	return cmd
}

// latestRow is one distro's repository of the answer.
type latestRow struct {
	Distro    string   `json:"distro"`
	Version   string   `json:"version"`
	Archs     []string `json:"archs,omitempty"`
	Repo      string   `json:"repo"`
	Node      string   `json:"node,omitempty"`
	URL       string   `json:"url"`
	ChacraURL string   `json:"chacraURL,omitempty"`
	Modified  string   `json:"modified,omitempty"`
}

func printLatest(cmd *cobra.Command, res repoquery.Result, output string) error {
	out := cmd.OutOrStdout()
	var rows []latestRow
	for _, r := range res.Rows {
		m := ""
		if !r.Modified.IsZero() {
			m = r.Modified.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		rows = append(rows, latestRow{Distro: r.Distro, Version: r.Version, Archs: r.Archs, Repo: r.Repo.Namespace + "/" + r.Repo.Name,
			Node: r.Repo.Status.Node, URL: r.URL, ChacraURL: r.ChacraURL, Modified: m})
	}
	switch output {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"sha1": res.SHA1, "repos": rows})
	case "wide":
		fmt.Fprintln(out, res.SHA1)
		w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
		fmt.Fprintln(w, "DISTRO\tVERSION\tREPO\tNODE\tMODIFIED\tURL")
		for _, r := range rows {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Distro, r.Version, r.Repo, r.Node, r.Modified, r.URL)
		}
		return w.Flush()
	}
	fmt.Fprintln(out, res.SHA1)
	return nil
}

func repoKind() v1alpha1.Kind {
	k, _ := v1alpha1.KindFor("Repo")
	return k
}
