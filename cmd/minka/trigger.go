package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

func newTriggerCommand(g *globals) *cobra.Command {
	var branch, tag, sha1 string
	var params []string
	cmd := &cobra.Command{
		Use:   "trigger pipeline NAME (--branch B | --tag T) [--sha1 S] [-p KEY=VALUE ...]",
		Short: "Create a Build of a Pipeline by hand",
		Long: `Create a Build of the Pipeline, as a push would: the server gives it the
Pipeline's next number and names it <pipeline>-<number>. Parameters override
the Pipeline's for this build. A Pipeline with spec.trigger.manual: false
refuses it.`,
		Example: "  minka trigger pipeline webapp -n ci --branch master\n" +
			"  minka trigger pipeline webapp -n ci --branch release/1.2 --sha1 45e3f3c -p DEBUG=1",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if k, err := v1alpha1.KindFor(args[0]); err != nil || k.Kind != "Pipeline" {
				return fmt.Errorf("trigger takes a pipeline, not %q", args[0])
			}
			if (branch == "") == (tag == "") {
				return fmt.Errorf("trigger needs --branch or --tag (one of them)")
			}
			b := &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Namespace: g.ns()},
				Spec: v1alpha1.BuildSpec{Pipeline: args[1], Branch: branch, GitTag: tag, SHA1: sha1, Trigger: &v1alpha1.BuildTrigger{Kind: "manual"}}}
			for _, p := range params {
				k, v, ok := strings.Cut(p, "=")
				if !ok || k == "" {
					return fmt.Errorf("-p %q: want KEY=VALUE", p)
				}
				if b.Spec.Parameters == nil {
					b.Spec.Parameters = map[string]string{}
				}
				b.Spec.Parameters[k] = v
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			out, err := c.Create(ctx, b)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "build.minka.dev/%s created\n", out.GetName())
			return nil
		},
	}
	cmd.Flags().StringVar(&branch, "branch", "", "the branch to build")
	cmd.Flags().StringVar(&tag, "tag", "", "the tag to build")
	cmd.Flags().StringVar(&sha1, "sha1", "", "the commit (7 to 40 hex digits)")
	cmd.Flags().StringArrayVarP(&params, "param", "p", nil, "a build parameter KEY=VALUE (repeatable)")
	return cmd
}
