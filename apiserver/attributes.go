package apiserver

import (
	"context"
	"net/http"
	"strings"

	"minka/api/v1alpha1"
)

// Attributes are what a request asks to do, as the authoriser sees it
// (kube-apiserver's authorizer.Attributes, cut to what minka's roles read).
type Attributes struct {
	// Verb is get, list, watch, create, update, patch or delete.
	Verb string
	// APIGroup and Resource (a plural: deployments, events) name the
	// resource of a resource request; both are empty for other paths.
	APIGroup    string
	Resource    string
	Subresource string // "", status, scale or rollback
	Namespace   string
	Name        string
	// Path is the request's URL path.
	Path string
}

// RequestAttributes are the attributes of a request to a path that is not
// a resource: the verb follows the method (GET and HEAD get, POST create,
// PUT update, PATCH patch, DELETE delete; any other method is its own
// lowercase name, which only admin may use). So view may read such a
// route, edit may also write to it.
func RequestAttributes(r *http.Request) Attributes {
	verb := strings.ToLower(r.Method)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		verb = "get"
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	}
	return Attributes{Verb: verb, Path: r.URL.Path}
}

// attributes are the authoriser's view of a resolved resource request.
func (info *requestInfo) attributes() Attributes {
	return Attributes{Verb: info.Verb, APIGroup: v1alpha1.Group, Resource: info.Resource, Subresource: info.Subresource,
		Namespace: info.Namespace, Name: info.Name}
}

type contextKey int

const (
	userKey contextKey = iota
	attributesKey
	requestInfoKey
)

// WithUser returns ctx carrying u, as Authenticated sets it.
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// UserFrom returns the user that Authenticated put in ctx.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey).(User)
	return u, ok
}

// WithAttributes returns ctx carrying a, for Authorized to decide on
// instead of RequestAttributes: a route whose paths stand for resources
// (a Repo read through shaman's API, say) sets them before the chain.
func WithAttributes(ctx context.Context, a Attributes) context.Context {
	return context.WithValue(ctx, attributesKey, a)
}

// AttributesFrom returns the attributes set by WithAttributes.
func AttributesFrom(ctx context.Context) (Attributes, bool) {
	a, ok := ctx.Value(attributesKey).(Attributes)
	return a, ok
}

func withRequestInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey, info)
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey).(*requestInfo)
	return info
}
