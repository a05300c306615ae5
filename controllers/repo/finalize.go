package repo

import (
	"context"
	"errors"
	"fmt"

	"minka/api/v1alpha1"
	"minka/backend/chacra"
	"minka/controllers/repo/chacraclient"
)

func isNotFound(err error) bool { return errors.Is(err, chacraclient.ErrNotFound) }

// deleteData removes the Repo's binaries and repositories from its node
// (deletePolicy Delete). Binaries go first: chacra answers 500 to a
// repo delete while it has binaries, and removes a repo with its last
// binary. A repo left with another Repo's archs stays: it is shared.
func (r *reconciler) deleteData(ctx context.Context, rp *v1alpha1.Repo, pool *chacra.Pool) error {
	if rp.Status.Node == "" {
		return nil // never placed: nothing on any node
	}
	n, ok := pool.Node(rp.Status.Node)
	if !ok {
		n, ok = pool.Node(rp.Status.NodeURL)
	}
	if !ok {
		return fmt.Errorf("deleting chacra data: node %q is not in backend %q; set spec.deletePolicy Retain to delete the Repo without it", rp.Status.Node, pool.Name())
	}
	c := clientOf(pool, n)
	p := &pass{repo: rp}
	deleted := 0
	for _, d := range rp.Spec.Distros {
		k := p.key(d)
		bins, err := c.Binaries(ctx, k, archOf(d))
		if err != nil {
			return fmt.Errorf("deleting chacra data: %w", err)
		}
		for _, b := range bins {
			if err := c.DeleteBinary(ctx, k, archOf(d), b.Name); err != nil {
				return fmt.Errorf("deleting chacra data: %w", err)
			}
			deleted++
		}
	}
	for _, d := range rp.Spec.Distros {
		k := p.key(d)
		rj, err := c.Repo(ctx, k)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("deleting chacra data: %w", err)
		}
		if len(rj.Archs) == 0 {
			if err := c.DeleteRepo(ctx, k); err != nil {
				return fmt.Errorf("deleting chacra data: %w", err)
			}
		}
	}
	r.rec.Eventf(ctx, rp, v1alpha1.EventTypeNormal, EventDataDeleted, "deleted %d binaries and their repositories from chacra node %s", deleted, n.Name)
	return nil
}

func archOf(d v1alpha1.Distro) string {
	if d.Arch == "" {
		return "x86_64"
	}
	return d.Arch
}
