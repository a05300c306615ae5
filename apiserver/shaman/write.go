package shaman

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
	"minka/store"
)

// maxConflicts bounds the re-reads of a status write that keeps losing
// to other writers (the controller).
const maxConflicts = 20

func splitKey(k string) (string, string) {
	ns, name, _ := strings.Cut(k, "/")
	return ns, name
}

// updateStatus re-reads the Repo, lets mutate change its status and
// writes it with its resourceVersion, again on a conflict: another
// writer's change is never lost. It records an Event per transition.
func (h *Handler) updateStatus(ctx context.Context, ns, name string, mutate func(*v1alpha1.Repo) []transition) (bool, error) {
	for attempt := 0; ; attempt++ {
		o, err := h.st.Get(ctx, repoKind, ns, name)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil // deleted meanwhile: nothing to move
		}
		if err != nil {
			return false, fmt.Errorf("reading Repo %s/%s: %w", ns, name, err)
		}
		cur := o.(*v1alpha1.Repo)
		next := cur.DeepCopy()
		ts := mutate(next)
		if len(ts) == 0 && equalStatus(cur, next) {
			return false, nil
		}
		out, err := h.st.UpdateStatus(ctx, next)
		if errors.Is(err, store.ErrConflict) && attempt < maxConflicts {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("writing the status of Repo %s/%s: %w", ns, name, err)
		}
		written := out.(*v1alpha1.Repo)
		h.observe(written)
		for _, t := range ts {
			if t.from != t.to {
				h.event(ctx, written, t)
			}
		}
		return true, nil
	}
}

func equalStatus(a, b *v1alpha1.Repo) bool {
	ja, _ := jsonOf(a.Status)
	jb, _ := jsonOf(b.Status)
	return ja == jb
}

var eventSeq atomic.Uint64

// event records a Normal Event about r, of the shape the reconcile
// Recorder writes (without its aggregation: each transition happens
// once).
func (h *Handler) event(ctx context.Context, r *v1alpha1.Repo, t transition) {
	reason := t.reason
	if reason == "" {
		reason = t.to
	}
	from := t.from
	if from == "" {
		from = "new"
	}
	now := metav1.NewTime(h.now().UTC().Truncate(time.Second))
	ev := &v1alpha1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: r.Namespace,
			Name: r.Name + "." + strconv.FormatInt(h.now().UnixNano(), 16) + strconv.FormatUint(eventSeq.Add(1)%4096, 16)},
		InvolvedObject: v1alpha1.ObjectReference{APIVersion: v1alpha1.APIVersion, Kind: "Repo", Namespace: r.Namespace,
			Name: r.Name, UID: string(r.UID), ResourceVersion: r.ResourceVersion},
		Reason: reason, Message: fmt.Sprintf("%s: %s → %s (chacra callback)", t.distro, from, t.to),
		Type: v1alpha1.EventTypeNormal, Count: 1, FirstTimestamp: now, LastTimestamp: now,
		Source: v1alpha1.EventSource{Component: "shaman-api"},
	}
	if _, err := h.st.Create(ctx, ev); err != nil {
		h.log.Error(err, "shaman: recording an event", "repo", r.Namespace+"/"+r.Name, "reason", reason)
	}
}

// discover makes sure the discovered Repo of (project, ref, sha1,
// flavor) exists and declares distros, and returns its name.
func (h *Handler) discover(ctx context.Context, project, ref, sha1, flavor, chacraURL string, distros []v1alpha1.Distro) (string, error) {
	name := repoquery.RepoName(project, ref, sha1, flavor)
	ns := h.cfg.Namespace
	// The node that called back holds the binaries: the Repo is pinned
	// to it (spec.node), so that the controller never places it on
	// another. From a build report no node is known yet; the first
	// callback pins it.
	node := ""
	if chacraURL != "" {
		if n, err := h.pool.Learn(chacraURL); err == nil {
			node = n
		}
	}
	r := &v1alpha1.Repo{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{v1alpha1.LabelDiscovered: "true"}},
		Spec: v1alpha1.RepoSpec{Chacra: h.cfg.Chacra, Project: project, Ref: ref, SHA1: sha1, Flavor: flavor,
			Distros: distros, Node: node},
	}
	_, err := h.st.Create(ctx, r)
	if err == nil {
		return name, nil
	}
	if !errors.Is(err, store.ErrAlreadyExists) {
		return "", fmt.Errorf("creating the discovered Repo %s/%s: %w", ns, name, err)
	}
	// It exists: add what it lacks of distros, and its node, to its spec.
	for attempt := 0; ; attempt++ {
		o, err := h.st.Get(ctx, repoKind, ns, name)
		if err != nil {
			return "", fmt.Errorf("reading the discovered Repo %s/%s: %w", ns, name, err)
		}
		cur := o.(*v1alpha1.Repo)
		if !discovered(cur) || cur.Spec.Project != project || cur.Spec.Ref != ref || cur.Spec.SHA1 != sha1 {
			return "", fmt.Errorf("the Repo %s/%s exists and is not the discovered Repo of %s/%s/%s", ns, name, project, ref, sha1)
		}
		next := cur.DeepCopy()
		for _, d := range distros {
			if !hasDistro(next.Spec.Distros, d) {
				next.Spec.Distros = append(next.Spec.Distros, d)
			}
		}
		if next.Spec.Node == "" {
			next.Spec.Node = node
		}
		if len(next.Spec.Distros) == len(cur.Spec.Distros) && next.Spec.Node == cur.Spec.Node {
			return name, nil
		}
		_, err = h.st.Update(ctx, next)
		if errors.Is(err, store.ErrConflict) && attempt < maxConflicts {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("updating the discovered Repo %s/%s: %w", ns, name, err)
		}
		return name, nil
	}
}

func hasDistro(ds []v1alpha1.Distro, d v1alpha1.Distro) bool {
	for _, x := range ds {
		arch := x.Arch
		if arch == "" {
			arch = "x86_64"
		}
		if repoquery.SameRelease(x.Distro, x.Version, d.Distro, d.Version) && arch == d.Arch {
			return true
		}
	}
	return false
}
