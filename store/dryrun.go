package store

import "context"

type dryRunKey struct{}

// WithDryRun makes every write through ctx a dry run, as kube-apiserver's
// ?dryRun=All: the object is prepared, defaulted, validated and checked
// against what is stored (name taken, resourceVersion, preconditions)
// exactly as for a write, and the answer is what the write would have
// stored, but nothing reaches etcd: its transaction keeps the compares
// and drops the puts and deletes, which leaves the revision where it was.
func WithDryRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, dryRunKey{}, true)
}

// IsDryRun says whether writes through ctx are dry runs.
func IsDryRun(ctx context.Context) bool { v, _ := ctx.Value(dryRunKey{}).(bool); return v }
