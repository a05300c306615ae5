package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/v1alpha1"
	"minka/store"
)

// The deploy role is what the Jenkins job that deploys needs, and no
// more: read everything; scale; trigger a Build; roll a Deployment back
// (its rollback subresource); and update or patch a Deployment, but
// only its spec.image and spec.restartedAt (set image, rollout
// restart). No delete, no other spec field, no status, no events,
// nothing under /admin.
//
// The verbs are decided here, before the body is read; what an update
// changes can only be decided against the stored object, so it is
// checked inside the store's read-merge-write (deployAdmit), on each
// attempt, where the field manager is tracked too.

// deployFields are the spec fields the deploy role may change.
var deployFields = []string{"image", "restartedAt"}

// deployAllowed is the deploy role's authoriser.
func deployAllowed(a Attributes) bool {
	switch {
	case isAdminPath(a.Path):
		return false
	case slices.Contains(readVerbs, a.Verb):
		return true
	case a.Resource == "":
		return false // no write to the routes beside the resource API
	case a.Subresource == "scale":
		return a.Verb == "update" || a.Verb == "patch"
	case a.Resource == "builds" && a.Subresource == "":
		return a.Verb == "create"
	case a.Resource == "deployments" && a.Subresource == "rollback":
		return a.Verb == "create"
	case a.Resource == "deployments" && a.Subresource == "":
		return a.Verb == "update" || a.Verb == "patch" // deployAdmit checks what changes
	}
	return false
}

// withRoleAdmission makes a deploy user's update or patch of a
// Deployment pass deployAdmit in the store.
func withRoleAdmission(r *http.Request, info *requestInfo) *http.Request {
	u, _ := UserFrom(r.Context())
	if u.Role != RoleDeploy || info.Subresource != "" || (info.Verb != "update" && info.Verb != "patch") {
		return r
	}
	return r.WithContext(store.WithAdmit(r.Context(), deployAdmit(u)))
}

// deployAdmit refuses, 403, a write that changes anything of a
// Deployment but deployFields, compared with the stored object: another
// spec field, labels, annotations, finalizers or owners. A server-side
// apply that would create one is refused too.
func deployAdmit(u User) store.Admit {
	return func(cur, next v1alpha1.Object) error {
		k, _ := v1alpha1.KindOf(next)
		if cur == nil {
			return apierrors.NewForbidden(k.GroupResource(), next.GetName(),
				fmt.Errorf("user %q (role %s) cannot create %s", u.Name, u.Role, k.Plural))
		}
		changed, err := changedFields(cur.(*v1alpha1.Deployment), next.(*v1alpha1.Deployment))
		if err != nil {
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		return apierrors.NewForbidden(k.GroupResource(), next.GetName(), fmt.Errorf("user %q (role %s) may change only %s of a Deployment; this change touches %s",
			u.Name, u.Role, "spec."+strings.Join(deployFields, " and spec."), strings.Join(changed, ", ")))
	}
}

// changedFields names what differs between two Deployments beyond
// deployFields: each top-level spec field (both specs are defaulted,
// so a field left out that defaults to the stored value is no change)
// and the metadata a user writes.
func changedFields(cur, next *v1alpha1.Deployment) ([]string, error) {
	a, err := fieldsOf(cur.Spec)
	if err != nil {
		return nil, err
	}
	b, err := fieldsOf(next.Spec)
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range union(a, b) {
		if !slices.Contains(deployFields, k) && !equality.Semantic.DeepEqual(a[k], b[k]) {
			out = append(out, "spec."+k)
		}
	}
	meta := []struct {
		name     string
		was, now any
	}{
		{"labels", cur.Labels, next.Labels}, {"annotations", cur.Annotations, next.Annotations},
		{"finalizers", cur.Finalizers, next.Finalizers}, {"ownerReferences", cur.OwnerReferences, next.OwnerReferences},
	}
	for _, m := range meta {
		if !equality.Semantic.DeepEqual(m.was, m.now) {
			out = append(out, "metadata."+m.name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// fieldsOf is a spec as JSON fields: the names kubectl explain shows.
func fieldsOf(spec v1alpha1.DeploymentSpec) (map[string]any, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encoding spec: %w", err)
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
