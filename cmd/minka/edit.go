package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
	"minka/client"
)

func newEditCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "edit KIND NAME",
		Short: "Edit an object in $EDITOR and apply the result",
		Long: `Open the object as YAML in $EDITOR (else $VISUAL, else vi). Saving applies it,
conditioned on the resourceVersion read, so a concurrent change is reported
instead of overwritten. A decode or validation error reopens the editor with
the error on top; saving again without changes gives up and keeps a copy.`,
		Example: "  minka edit deploy web -n ci\n  EDITOR=nano minka edit sp trusty-amd64 -n ci",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, name, c, err := g.objectArgs("edit", args)
			if err != nil {
				return err
			}
			e := &editor{c: c, k: k, ns: g.ns(), name: name, out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr()}
			return e.run(cmd.Context())
		},
	}
}

type editor struct {
	c           *client.Client
	k           v1alpha1.Kind
	ns, name    string
	out, errOut io.Writer
}

const editHeader = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this
# file will be reopened with the relevant failures.
#
`

func (e *editor) run(ctx context.Context) error {
	obj, err := e.c.Get(ctx, e.k, e.ns, e.name)
	if err != nil {
		return err
	}
	v1alpha1.SetTypeMeta(obj)
	// As kubectl edit: managedFields are hidden, and a save without them
	// keeps the stored ones.
	obj.SetManagedFields(nil)
	body, err := yaml.Marshal(obj)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "minka-edit-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, e.k.Singular+"-"+e.name+".yaml")
	original := body
	var lastErr error
	for {
		text := editHeader + errorComment(lastErr) + string(body)
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			return err
		}
		if err := runEditor(file); err != nil {
			return err
		}
		edited, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		content := stripComments(edited)
		if len(bytes.TrimSpace(content)) == 0 {
			fmt.Fprintln(e.errOut, "Edit cancelled, saved file was empty.")
			return nil
		}
		if bytes.Equal(bytes.TrimSpace(content), bytes.TrimSpace(original)) {
			fmt.Fprintln(e.errOut, "Edit cancelled, no changes made.")
			return nil
		}
		if lastErr != nil && bytes.Equal(content, body) {
			return e.giveUp(edited, lastErr)
		}
		body = content
		if lastErr = e.save(ctx, obj, content); lastErr == nil {
			fmt.Fprintf(e.out, "%s edited\n", ref(e.k, e.name))
			return nil
		}
		if !reopenable(lastErr) {
			return lastErr
		}
	}
}

// save decodes, validates and writes the edited object.
func (e *editor) save(ctx context.Context, live v1alpha1.Object, content []byte) error {
	objs, err := v1alpha1.Decode(content, "edited object")
	if err != nil {
		return err
	}
	if len(objs) != 1 {
		return fmt.Errorf("the edited file must hold exactly one object, it holds %d", len(objs))
	}
	obj := objs[0]
	if obj.GetName() != live.GetName() || obj.GetNamespace() != live.GetNamespace() {
		return fmt.Errorf("metadata.name and metadata.namespace cannot be changed by edit")
	}
	if err := v1alpha1.ValidateAll(objs, "edited object"); err != nil {
		return err
	}
	if obj.GetResourceVersion() == "" {
		obj.SetResourceVersion(live.GetResourceVersion())
	}
	_, err = e.c.Update(ctx, obj)
	return err
}

// reopenable errors are the user's to fix in the editor.
func reopenable(err error) bool {
	var de *v1alpha1.DecodeError
	return errors.As(err, &de) || apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) ||
		strings.Contains(err.Error(), "is invalid") || strings.Contains(err.Error(), "cannot be changed")
}

func (e *editor) giveUp(edited []byte, err error) error {
	f, ferr := os.CreateTemp("", "minka-edit-*.yaml")
	if ferr == nil {
		_, _ = f.Write(edited)
		f.Close()
		return fmt.Errorf("edit not saved; a copy of your changes is in %s: %w", f.Name(), err)
	}
	return fmt.Errorf("edit not saved: %w", err)
}

func errorComment(err error) string {
	if err == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("# The edited file had errors:\n")
	for _, l := range strings.Split(err.Error(), "\n") {
		b.WriteString("# " + l + "\n")
	}
	return b.String() + "#\n"
}

func stripComments(data []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			continue
		}
		out = append(out, l)
	}
	return bytes.Join(out, []byte("\n"))
}

func runEditor(file string) error {
	ed := os.Getenv("EDITOR")
	if ed == "" {
		ed = os.Getenv("VISUAL")
	}
	if ed == "" {
		ed = "vi"
	}
	parts := strings.Fields(ed)
	cmd := exec.Command(parts[0], append(parts[1:], file)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("running editor %q: %w", ed, err)
	}
	return nil
}
