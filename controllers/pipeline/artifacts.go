package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/repoquery"
	"minka/api/v1alpha1"
	"minka/store"
)

// Reasons of the artifacts step.
const (
	ReasonWaitingForRepoNode = "WaitingForRepoNode"
	ReasonWaitingForRepo     = "WaitingForRepo"
	ReasonRepoFailed         = "RepoFailed"
	ReasonRepoNoBinaries     = "RepoNoBinaries"
)

// repo makes sure the Repo of the build's packages exists — (project,
// ref, sha1, flavor) names it, so a rebuild of a sha1, or a Repo chacra's
// callbacks discovered first, is the same object — labelled with the
// Pipeline and this Build, and returns it as stored. Its distros become
// the union of what it had and what the Pipeline asks.
func (bp *buildPass) repo(ctx context.Context) (*v1alpha1.Repo, error) {
	a, b := bp.p.Spec.Artifacts.Repo, bp.b
	name := repoquery.RepoName(a.Project, refOf(b), b.Status.SHA1, a.Flavor)
	b.Status.Repo = name
	rk, _ := v1alpha1.KindOf(&v1alpha1.Repo{})
	for attempt := 0; ; attempt++ {
		obj, err := bp.r.st.Get(ctx, rk, b.Namespace, name)
		if errors.Is(err, store.ErrNotFound) {
			rp := &v1alpha1.Repo{TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: "Repo"},
				ObjectMeta: metav1.ObjectMeta{Namespace: b.Namespace, Name: name,
					Labels: map[string]string{v1alpha1.LabelPipeline: bp.p.Name, v1alpha1.LabelBuild: b.Name}},
				Spec: v1alpha1.RepoSpec{Chacra: a.Chacra, Project: a.Project, Ref: refOf(b), SHA1: b.Status.SHA1, Flavor: a.Flavor,
					Distros: slices.Clone(a.Distros)}}
			created, err := bp.r.st.Create(ctx, rp)
			if errors.Is(err, store.ErrAlreadyExists) && attempt < 3 {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("creating repo %s: %w", name, err)
			}
			return created.(*v1alpha1.Repo), nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading repo %s: %w", name, err)
		}
		rp := obj.(*v1alpha1.Repo)
		want := rp.DeepCopy()
		if want.Labels == nil {
			want.Labels = map[string]string{}
		}
		want.Labels[v1alpha1.LabelPipeline], want.Labels[v1alpha1.LabelBuild] = bp.p.Name, b.Name
		for _, d := range a.Distros {
			if !slices.ContainsFunc(want.Spec.Distros, func(x v1alpha1.Distro) bool { return x.WithArch() == d.WithArch() }) {
				want.Spec.Distros = append(want.Spec.Distros, d)
			}
		}
		if maps.Equal(want.Labels, rp.Labels) && len(want.Spec.Distros) == len(rp.Spec.Distros) {
			return rp, nil
		}
		updated, err := bp.r.st.Update(ctx, want)
		if errors.Is(err, store.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("labelling repo %s: %w", name, err)
		}
		return updated.(*v1alpha1.Repo), nil
	}
}

// existingRepo reads the Build's Repo, made again if it was deleted.
func (bp *buildPass) existingRepo(ctx context.Context) (*v1alpha1.Repo, error) {
	if bp.b.Status.Repo == "" {
		return bp.repo(ctx)
	}
	rk, _ := v1alpha1.KindOf(&v1alpha1.Repo{})
	obj, err := bp.r.st.Get(ctx, rk, bp.b.Namespace, bp.b.Status.Repo)
	if errors.Is(err, store.ErrNotFound) {
		return bp.repo(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("reading repo %s: %w", bp.b.Status.Repo, err)
	}
	return obj.(*v1alpha1.Repo), nil
}

// chacraURL is where the build uploads: the node the Repo controller
// placed the Repo on, with the trailing slash ceph-build's chacra_url
// has. "" until it is placed.
func chacraURL(rp *v1alpha1.Repo) string {
	if rp.Status.NodeURL == "" {
		return ""
	}
	return strings.TrimSuffix(rp.Status.NodeURL, "/") + "/"
}

// repoOutcome says whether a Repo is Ready, failed for good, or still
// coming: done, and an error naming why when it failed. A Repo that
// still waits for binaries its build should have uploaded fails once
// its buildTimeout has passed since the build ended.
func repoOutcome(rp *v1alpha1.Repo, builtAt time.Time, now time.Time) (done bool, reason, msg string) {
	if c := meta.FindStatusCondition(rp.Status.Conditions, "Ready"); c != nil && c.Status == metav1.ConditionTrue && len(rp.Status.Distros) >= len(rp.Spec.Distros) {
		return true, "", ""
	}
	retries := int32(3)
	if rp.Spec.MaxRetries != nil {
		retries = *rp.Spec.MaxRetries
	}
	waitBins := len(rp.Status.Distros) == 0
	for _, d := range rp.Status.Distros {
		if d.State == v1alpha1.RepoFailed && d.Retries >= retries {
			return true, ReasonRepoFailed, fmt.Sprintf("repo %s: %s/%s/%s failed: %s", rp.Name, d.Distro, d.Version, d.Arch, d.Message)
		}
		waitBins = waitBins || d.State == v1alpha1.RepoWaitingForBinaries
	}
	timeout := 30 * time.Minute
	if rp.Spec.BuildTimeout != nil {
		timeout = rp.Spec.BuildTimeout.Duration
	}
	if waitBins && !builtAt.IsZero() && now.Sub(builtAt) > timeout {
		return true, ReasonRepoNoBinaries, fmt.Sprintf("repo %s: the build ended %s ago and its binaries are still missing on %s (did the job upload to CHACRA_URL?)",
			rp.Name, now.Sub(builtAt).Round(time.Second), rp.Status.Node)
	}
	return false, "", ""
}
