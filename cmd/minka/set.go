package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"minka/api/v1alpha1"
)

func newSetCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set SUBCOMMAND",
		Short: "Set one field of an object",
	}
	cmd.AddCommand(newSetImageCommand(g))
	return cmd
}

func newSetImageCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "image deploy/NAME IMAGE | NAME=IMAGE",
		Short: "Set a Deployment's image, which rolls it out",
		Long: `Set the Deployment's spec.image (a merge patch of that one field), which the
controller rolls out to Marathon. kubectl takes CONTAINER=IMAGE; a minka
Deployment runs one image, so this takes IMAGE alone, or NAME=IMAGE where
NAME is the Deployment's own name (anything else is an error). The image
is validated as the server validates it before anything is sent. The
deploy role may do this (and nothing else to a spec but a restart).
Follow the rollout with 'minka rollout status'.`,
		Example: "  minka set image deploy/web registry.example.com/webapp:1.2 -n ci\n" +
			"  minka set image deployment web web=registry.example.com/webapp:1.2 -n ci",
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, rest, c, err := g.deploymentArgs("set image", args)
			if err != nil {
				return err
			}
			if len(rest) != 1 {
				return fmt.Errorf("set image takes one image: IMAGE or %s=IMAGE", name)
			}
			image, err := imageArg(name, rest[0])
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), g.timeout)
			defer cancel()
			before, err := c.Get(ctx, deploymentKind, g.ns(), name)
			if err != nil {
				return err
			}
			out, err := c.MergePatch(ctx, deploymentKind, g.ns(), name, map[string]any{"spec": map[string]any{"image": image}})
			if err != nil {
				return fmt.Errorf("setting the image of deployment %s: %w", name, err)
			}
			result := "image updated"
			if out.GetGeneration() == before.GetGeneration() {
				result = "image unchanged"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", ref(deploymentKind, name), result)
			return nil
		},
	}
}

// imageArg reads IMAGE or NAME=IMAGE, and checks the image as the server
// will.
func imageArg(name, arg string) (string, error) {
	image := arg
	if n, img, ok := strings.Cut(arg, "="); ok {
		if n != name {
			return "", fmt.Errorf("%q: a Deployment has one image; name it %s=IMAGE (the deployment's name) or give IMAGE alone", arg, name)
		}
		image = img
	}
	d := &v1alpha1.Deployment{Spec: v1alpha1.DeploymentSpec{Image: image}}
	for _, e := range v1alpha1.Validate(d) {
		if e.Field == "spec.image" {
			return "", e // spec.image: Invalid value: ...
		}
	}
	return image, nil
}
