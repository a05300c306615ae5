package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/v1alpha1"
	"minka/client"
)

func newApplyCommand(g *globals) *cobra.Command {
	var files []string
	var recursive, wait bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "apply -f FILE|DIR|- [-R] [--wait [--timeout D]]",
		Short: "Create or update objects from YAML or JSON manifests",
		Long: `Create or update objects from manifests. Every document of every file is
decoded and validated first: if any is invalid, nothing is written and every
bad field is listed. An object that already exists gets the manifest's spec,
labels and annotations; its finalizers, owner references and status stay.
An object whose manifest changes nothing is reported "unchanged" and keeps
its resourceVersion and generation.

With --wait, apply then follows every object it applied until each is
done, printing a progress line when one changes, and exits 0 only when all
are; otherwise it exits non-zero naming each object that failed, or was
still waiting at --timeout, with its reason. What "done" is, per kind, from
what the controllers write:

  Deployment  Available and its rollout complete at the spec's generation;
              failed when rolled back (status.failedGeneration, or
              Progressing False RolledBack/RollingBack), paused, or when
              Degraded says AppRejected or BackendNotConfigured
  SlavePool   Ready at the spec's generation; failed when Stalled (an
              invalid spec) or its backend is not configured
  Repo        Ready at the spec's generation; failed when its backend is
              not configured (a failed distro build is retried: it waits)
  Build       Succeeded; failed when Failed, Aborted or Cancelled
  Pipeline    no readiness of its own: done once stored
  Event       done once stored`,
		Example: `  minka apply -f examples/
  minka apply -f web.yaml -f pool.yaml
  cat web.yaml | minka apply -f -
  minka apply -f deploy/ -n ci --wait --timeout 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if timeout < 0 {
				return fmt.Errorf("--timeout %v: must be >= 0", timeout)
			}
			if cmd.Flags().Changed("timeout") && !wait {
				return fmt.Errorf("--timeout is how long --wait waits: give --wait too")
			}
			ms, err := readManifests(files, recursive, cmd.InOrStdin())
			if err != nil {
				return err
			}
			if !wait {
				return applyManifests(cmd.Context(), c, ms, g.namespace, cmd.OutOrStdout())
			}
			objs, err := applyObjects(cmd.Context(), c, ms, g.namespace, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			return waitApplied(cmd.Context(), c, objs, timeout, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "file, directory or - (stdin) to apply; repeatable")
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "read directories recursively")
	cmd.Flags().BoolVar(&wait, "wait", false, "after applying, wait until every object is done (see above); exit non-zero naming each one that is not")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "with --wait: how long to wait (0: until every object is done or failed)")
	return cmd
}

// applyManifests validates everything, then applies each object in order.
func applyManifests(ctx context.Context, c *client.Client, ms []manifest, namespace string, out io.Writer) error {
	_, err := applyObjects(ctx, c, ms, namespace, out)
	return err
}

// applyObjects is applyManifests, returning the objects applied.
func applyObjects(ctx context.Context, c *client.Client, ms []manifest, namespace string, out io.Writer) ([]v1alpha1.Object, error) {
	objs, err := loadObjects(ms, namespace)
	if err != nil {
		return nil, err
	}
	for _, obj := range objs {
		k, _ := v1alpha1.KindOf(obj)
		result, err := applyOne(ctx, c, obj)
		if err != nil {
			return nil, fmt.Errorf("applying %s %s/%s: %w", k.Kind, obj.GetNamespace(), obj.GetName(), err)
		}
		fmt.Fprintf(out, "%s %s\n", ref(k, obj.GetName()), result)
	}
	return objs, nil
}

// waitApplied follows the applied objects until each is done, failed,
// or timeout passes (0: no bound).
func waitApplied(ctx context.Context, c *client.Client, objs []v1alpha1.Object, timeout time.Duration, out io.Writer) error {
	var targets []awaited
	for _, obj := range objs {
		k, _ := v1alpha1.KindOf(obj)
		targets = append(targets, awaited{kind: k, namespace: obj.GetNamespace(), name: obj.GetName()})
	}
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	w := &waiter{c: c, out: out}
	status, err := w.wait(ctx, targets)
	if err != nil {
		return err
	}
	return outcome(targets, status, errors.Is(ctx.Err(), context.DeadlineExceeded))
}

// loadObjects decodes every manifest, places each object in its namespace
// and validates all of them; the error lists every problem found.
func loadObjects(ms []manifest, namespace string) ([]v1alpha1.Object, error) {
	var all []v1alpha1.Object
	var errs []string
	for _, m := range ms {
		objs, err := v1alpha1.Decode(m.data, m.source)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		for i, obj := range objs {
			if err := placeNamespace(obj, namespace); err != nil {
				errs = append(errs, fmt.Sprintf("%s: document %d: %v", m.source, i+1, err))
			}
		}
		if err := v1alpha1.ValidateAll(objs, m.source); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		all = append(all, objs...)
	}
	if len(errs) > 0 {
		return nil, errors.New("nothing was applied:\n" + strings.Join(errs, "\n"))
	}
	return all, nil
}

// placeNamespace puts an object without a namespace into -n (or default);
// a manifest namespace that contradicts an explicit -n is an error.
func placeNamespace(obj v1alpha1.Object, namespace string) error {
	switch ns := obj.GetNamespace(); {
	case ns == "" && namespace == "":
		obj.SetNamespace("default")
	case ns == "":
		obj.SetNamespace(namespace)
	case namespace != "" && ns != namespace:
		return fmt.Errorf("the namespace of the object (%s) does not match --namespace %s", ns, namespace)
	}
	return nil
}

// applyOne creates obj, or updates the live object from it; a conflict
// with another writer is retried from a fresh read.
func applyOne(ctx context.Context, c *client.Client, obj v1alpha1.Object) (string, error) {
	k, _ := v1alpha1.KindOf(obj)
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var live v1alpha1.Object
		live, err = c.Get(ctx, k, obj.GetNamespace(), obj.GetName())
		if apierrors.IsNotFound(err) {
			if _, err = c.Create(ctx, obj); apierrors.IsAlreadyExists(err) {
				continue
			}
			return "created", err
		}
		if err != nil {
			return "", err
		}
		var out v1alpha1.Object
		out, err = c.Update(ctx, mergeApply(live, obj))
		if apierrors.IsConflict(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		if out.GetResourceVersion() == live.GetResourceVersion() {
			return "unchanged", nil
		}
		return "configured", nil
	}
	return "", err
}

// mergeApply is the object to PUT: the manifest's labels, annotations and
// spec over what the server and controllers own in the live object.
func mergeApply(live, manifest v1alpha1.Object) v1alpha1.Object {
	next := manifest.DeepCopyObject().(v1alpha1.Object)
	next.SetUID(live.GetUID())
	next.SetResourceVersion(live.GetResourceVersion())
	next.SetGeneration(live.GetGeneration())
	next.SetCreationTimestamp(live.GetCreationTimestamp())
	next.SetDeletionTimestamp(live.GetDeletionTimestamp())
	next.SetFinalizers(live.GetFinalizers())
	next.SetOwnerReferences(live.GetOwnerReferences())
	if ss, ok := next.(v1alpha1.SpecStatus); ok {
		ss.CopyStatusFrom(live)
	}
	return next
}
