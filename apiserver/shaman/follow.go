package shaman

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
)

var repoKind = func() v1alpha1.Kind {
	k, err := v1alpha1.KindFor("Repo")
	if err != nil {
		panic(err)
	}
	return k
}()

// Run keeps the Repo index fresh until ctx ends: it lists the Repos,
// then follows the watch cache from that list's revision; a watch that
// ends (its client fell behind, the cache relisted) resumes from the
// last revision seen, and one that is too old (410 Gone) relists.
func (h *Handler) Run(ctx context.Context) {
	rv := ""
	for ctx.Err() == nil {
		if rv == "" {
			var err error
			if rv, err = h.relist(ctx); err != nil {
				h.log.Error(err, "shaman: listing Repos; retrying")
				rv = ""
				sleep(ctx, time.Second)
				continue
			}
		}
		next, err := h.follow(ctx, rv)
		switch {
		case errors.Is(err, store.ErrGone):
			rv = ""
		case err != nil && ctx.Err() == nil:
			h.log.V(1).Info("shaman: Repo watch ended; resuming", "resourceVersion", next, "error", err.Error())
			rv = next
			sleep(ctx, 100*time.Millisecond)
		default:
			rv = next
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (h *Handler) relist(ctx context.Context) (string, error) {
	l, err := h.st.List(ctx, repoKind, "", store.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("listing Repos: %w", err)
	}
	var repos []*v1alpha1.Repo
	rvs := map[string]int64{}
	for _, o := range l.GetItems() {
		r := o.(*v1alpha1.Repo)
		repos = append(repos, r)
		rvs[r.Namespace+"/"+r.Name] = rvOf(r)
	}
	h.idxMu.Lock()
	h.idx.Replace(repos)
	h.rvs = rvs
	h.idxMu.Unlock()
	h.ready.Store(true)
	return l.GetResourceVersion(), nil
}

// follow applies the watch's events from rv and returns the last
// revision seen when it ends.
func (h *Handler) follow(ctx context.Context, rv string) (string, error) {
	w, err := h.cache.Watch(ctx, repoKind, "", store.WatchOptions{ResourceVersion: rv})
	if err != nil {
		return rv, err
	}
	defer w.Stop()
	for {
		ev, ok := w.Next()
		if !ok {
			return rv, fmt.Errorf("watch closed")
		}
		if ev.Object == nil {
			continue
		}
		r, isRepo := ev.Object.Object().(*v1alpha1.Repo)
		if !isRepo {
			continue
		}
		rv = r.ResourceVersion
		switch ev.Type {
		case watch.Added, watch.Modified:
			h.observe(r)
		case watch.Deleted:
			h.forget(r)
		}
	}
}

func rvOf(o v1alpha1.Object) int64 {
	n, _ := store.ParseResourceVersion(repoKind, o.GetResourceVersion())
	return n
}

// observe puts r in the index unless a newer version of it is there
// (our own writes go in at once, and their events follow).
func (h *Handler) observe(r *v1alpha1.Repo) {
	k := r.Namespace + "/" + r.Name
	n := rvOf(r)
	h.idxMu.Lock()
	defer h.idxMu.Unlock()
	if old, ok := h.rvs[k]; ok && old > n {
		return
	}
	h.rvs[k] = n
	h.idx.Set(r)
}

func (h *Handler) forget(r *v1alpha1.Repo) {
	k := r.Namespace + "/" + r.Name
	h.idxMu.Lock()
	defer h.idxMu.Unlock()
	if old, ok := h.rvs[k]; ok && old > rvOf(r) {
		return
	}
	delete(h.rvs, k)
	h.idx.Delete(r.Namespace, r.Name)
}
