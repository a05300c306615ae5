package client

import (
	"context"
	"net/http"
	"net/url"

	"k8s.io/apimachinery/pkg/types"

	"minka/api/v1alpha1"
)

// ListOptions select objects by label and field selectors.
type ListOptions struct {
	LabelSelector string
	FieldSelector string
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	if o.LabelSelector != "" {
		q.Set("labelSelector", o.LabelSelector)
	}
	if o.FieldSelector != "" {
		q.Set("fieldSelector", o.FieldSelector)
	}
	return q
}

// Get reads one object.
func (c *Client) Get(ctx context.Context, k v1alpha1.Kind, ns, name string) (v1alpha1.Object, error) {
	obj := k.New()
	return obj, c.do(ctx, http.MethodGet, path(k, ns, name, ""), nil, nil, obj)
}

// List reads the objects of a kind in ns ("" = every namespace).
func (c *Client) List(ctx context.Context, k v1alpha1.Kind, ns string, opts ListOptions) (v1alpha1.ObjectList, error) {
	list := k.NewList()
	return list, c.do(ctx, http.MethodGet, path(k, ns, "", ""), opts.query(), nil, list)
}

// Create creates obj in its namespace.
func (c *Client) Create(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error) {
	return c.write(ctx, http.MethodPost, obj, "", false)
}

// Update replaces obj; a resourceVersion in it must be current.
func (c *Client) Update(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error) {
	return c.write(ctx, http.MethodPut, obj, "", true)
}

// UpdateStatus replaces obj's status.
func (c *Client) UpdateStatus(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error) {
	return c.write(ctx, http.MethodPut, obj, "status", true)
}

func (c *Client) write(ctx context.Context, method string, obj v1alpha1.Object, sub string, named bool) (v1alpha1.Object, error) {
	k, err := v1alpha1.KindOf(obj)
	if err != nil {
		return nil, err
	}
	v1alpha1.SetTypeMeta(obj)
	name := ""
	if named {
		name = obj.GetName()
	}
	ns := obj.GetNamespace()
	if ns == "" && k.Namespaced {
		ns = "default"
	}
	out := k.New()
	return out, c.do(ctx, method, path(k, ns, name, sub), nil, obj, out)
}

// DeleteOptions are preconditions for a Delete.
type DeleteOptions struct {
	UID             types.UID
	ResourceVersion string
}

// Delete deletes an object and returns it: still present, with a
// deletionTimestamp, when finalizers hold it.
func (c *Client) Delete(ctx context.Context, k v1alpha1.Kind, ns, name string, opts *DeleteOptions) (v1alpha1.Object, error) {
	var body any
	if opts != nil {
		pre := map[string]any{}
		if opts.UID != "" {
			pre["uid"] = opts.UID
		}
		if opts.ResourceVersion != "" {
			pre["resourceVersion"] = opts.ResourceVersion
		}
		body = map[string]any{"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": pre}
	}
	out := k.New()
	return out, c.do(ctx, http.MethodDelete, path(k, ns, name, ""), nil, body, out)
}

// GetScale reads the scale subresource.
func (c *Client) GetScale(ctx context.Context, k v1alpha1.Kind, ns, name string) (*v1alpha1.Scale, error) {
	var sc v1alpha1.Scale
	return &sc, c.do(ctx, http.MethodGet, path(k, ns, name, "scale"), nil, nil, &sc)
}

// UpdateScale writes the scale subresource; a resourceVersion in sc must be current.
func (c *Client) UpdateScale(ctx context.Context, k v1alpha1.Kind, ns string, sc *v1alpha1.Scale) (*v1alpha1.Scale, error) {
	sc.APIVersion, sc.Kind = v1alpha1.ScaleAPIVersion, "Scale"
	var out v1alpha1.Scale
	return &out, c.do(ctx, http.MethodPut, path(k, ns, sc.Name, "scale"), nil, sc, &out)
}

// ServerVersion reads /version.
func (c *Client) ServerVersion(ctx context.Context) (map[string]string, error) {
	var v map[string]string
	return v, c.do(ctx, http.MethodGet, "/version", nil, nil, &v)
}
