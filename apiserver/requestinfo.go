package apiserver

import (
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/v1alpha1"
)

// apiPrefix is where minka's group lives.
const apiPrefix = "/apis/" + v1alpha1.Group + "/" + v1alpha1.Version

// requestInfo is what a resource request asks for, resolved from method
// and path before anything else (kube-apiserver's RequestInfo).
type requestInfo struct {
	Verb        string // get, list, watch, create, update, patch, delete
	Kind        v1alpha1.Kind
	Resource    string // plural
	Namespace   string // "" for a cross-namespace list or watch
	Name        string
	Subresource string // "", status or scale
}

// resolve parses a resource request path. ok is false for non-resource paths.
func resolve(r *http.Request) (*requestInfo, bool, error) {
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix+"/")
	if !ok {
		return nil, false, nil
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	info := &requestInfo{}
	if parts[0] == "namespaces" {
		if len(parts) < 3 {
			return nil, true, apierrors.NewNotFound(v1alpha1.SchemeGroupVersion.WithResource("namespaces").GroupResource(), "")
		}
		info.Namespace, parts = parts[1], parts[2:]
	}
	if len(parts) > 3 || parts[0] == "" {
		return nil, true, apierrors.NewNotFound(v1alpha1.SchemeGroupVersion.WithResource(rest).GroupResource(), "")
	}
	k, err := kindForPlural(parts[0])
	if err != nil {
		return nil, true, err
	}
	info.Kind, info.Resource = k, k.Plural
	if len(parts) > 1 {
		info.Name = parts[1]
	}
	if len(parts) > 2 {
		info.Subresource = parts[2]
		if (info.Subresource != "status" || !k.Status) && (info.Subresource != "scale" || !k.Scale) {
			return nil, true, apierrors.NewNotFound(k.GroupResource(), info.Name+"/"+info.Subresource)
		}
	}
	if err := info.setVerb(r); err != nil {
		return nil, true, err
	}
	return info, true, nil
}

func (info *requestInfo) setVerb(r *http.Request) error {
	collection := info.Name == ""
	switch {
	case r.Method == http.MethodGet && collection:
		info.Verb = "list"
		if w := r.URL.Query().Get("watch"); w == "true" || w == "1" {
			info.Verb = "watch"
		}
	case r.Method == http.MethodGet:
		info.Verb = "get"
	case r.Method == http.MethodPost && collection && info.Namespace != "":
		info.Verb = "create"
	case r.Method == http.MethodPut && !collection:
		info.Verb = "update"
	case r.Method == http.MethodPatch && !collection:
		info.Verb = "patch"
	case r.Method == http.MethodDelete && !collection && info.Subresource == "":
		info.Verb = "delete"
	default:
		return apierrors.NewMethodNotSupported(info.Kind.GroupResource(), strings.ToLower(r.Method))
	}
	return nil
}

func kindForPlural(plural string) (v1alpha1.Kind, error) {
	for _, k := range v1alpha1.Kinds() {
		if k.Plural == plural {
			return k, nil
		}
	}
	return v1alpha1.Kind{}, apierrors.NewNotFound(v1alpha1.SchemeGroupVersion.WithResource(plural).GroupResource(),
		fmt.Sprintf("the server could not find the requested resource %q", plural))
}
