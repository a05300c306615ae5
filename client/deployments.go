package client

import (
	"context"
	"net/http"
	"net/url"

	"minka/api/v1alpha1"
)

// MergePatch applies a JSON merge patch (RFC 7386: patch is encoded as
// JSON) to an object, and returns the object as stored.
func (c *Client) MergePatch(ctx context.Context, k v1alpha1.Kind, ns, name string, patch any) (v1alpha1.Object, error) {
	out := k.New()
	return out, c.do(ctx, http.MethodPatch, path(k, ns, name, ""), nil, typedBody{contentType: "application/merge-patch+json", v: patch}, out)
}

// RollbackOptions are a rollback's.
type RollbackOptions struct {
	// Revision is the entry of status.history to return to; 0 is the
	// last Good revision before the current one.
	Revision int64
	// DryRun asks the server to write nothing and answer what it would.
	DryRun bool
}

// Rollback posts a DeploymentRollback to the Deployment's rollback
// subresource: the server writes the revision's spec back (the replicas
// kept) and answers the Deployment as stored.
func (c *Client) Rollback(ctx context.Context, ns, name string, opts RollbackOptions) (*v1alpha1.Deployment, error) {
	k, _ := v1alpha1.KindOf(&v1alpha1.Deployment{})
	body := &v1alpha1.DeploymentRollback{Name: name, RollbackTo: v1alpha1.RollbackConfig{Revision: opts.Revision}}
	body.APIVersion, body.Kind = v1alpha1.APIVersion, v1alpha1.DeploymentRollbackKind
	var q url.Values
	if opts.DryRun {
		q = url.Values{"dryRun": {"All"}}
	}
	var out v1alpha1.Deployment
	return &out, c.do(ctx, http.MethodPost, path(k, ns, name, "rollback"), q, body, &out)
}
