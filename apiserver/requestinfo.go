package apiserver

import (
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

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
	Subresource string // "", status, scale or rollback
	// FieldValidation is the write's ?fieldValidation: Strict, Warn or
	// Ignore.
	FieldValidation string
}

// resolve parses a resource request path. ok is false for non-resource
// paths. The routes are kube-apiserver's for namespaced resources:
//
//	/namespaces/{ns}/{plural}                        list, watch, create
//	/namespaces/{ns}/{plural}/{name}                 get, update, patch, delete
//	/namespaces/{ns}/{plural}/{name}/{status|scale}  get, update, patch
//	/namespaces/{ns}/deployments/{name}/rollback     create (POST)
//	/{plural}                                        list, watch (every namespace)
//
// A path matching none of them is 404 and a method a route lacks 405,
// with the Status kube-apiserver's route table answers with
// (NewGenericServerResponse). In particular a name under the cluster path
// (/{plural}/{name}) is no route, for every method: it never stands for
// the object in the default namespace.
func resolve(r *http.Request) (*requestInfo, bool, error) {
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix+"/")
	if !ok {
		return nil, false, nil
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	info := &requestInfo{}
	namespaced := parts[0] == "namespaces"
	if namespaced {
		if len(parts) < 3 || parts[1] == "" {
			return nil, true, errNoRoute()
		}
		info.Namespace, parts = parts[1], parts[2:]
	}
	if len(parts) > 3 || parts[0] == "" {
		return nil, true, errNoRoute()
	}
	k, ok := kindForPlural(parts[0])
	if !ok {
		return nil, true, errNoRoute()
	}
	info.Kind, info.Resource = k, k.Plural
	if len(parts) > 1 {
		info.Name = parts[1]
	}
	if len(parts) > 2 {
		info.Subresource = parts[2]
		if !hasSubresource(k, info.Subresource) {
			return nil, true, errNoRoute()
		}
	}
	setVerb := info.setVerb
	if k.Namespaced && !namespaced {
		setVerb = info.setClusterVerb
	}
	if err := setVerb(r); err != nil {
		return nil, true, err
	}
	return info, true, nil
}

// setClusterVerb resolves a request to the cluster path of a namespaced
// kind: list and watch of every namespace, nothing else.
func (info *requestInfo) setClusterVerb(r *http.Request) error {
	switch {
	case info.Name != "":
		return errNoRoute()
	case r.Method != http.MethodGet:
		return apierrors.NewGenericServerResponse(http.StatusMethodNotAllowed, "", schema.GroupResource{}, "", "", 0, false)
	}
	return info.setVerb(r)
}

func (info *requestInfo) setVerb(r *http.Request) error {
	collection := info.Name == ""
	switch {
	case info.Subresource == "rollback":
		// extensions/v1beta1's: a POST of a DeploymentRollback, nothing else.
		if r.Method != http.MethodPost {
			return apierrors.NewMethodNotSupported(info.Kind.GroupResource(), strings.ToLower(r.Method))
		}
		info.Verb = "create"
	case r.Method == http.MethodGet && collection:
		info.Verb = "list"
		if w := r.URL.Query().Get("watch"); w == "true" || w == "1" {
			info.Verb = "watch"
		}
	case r.Method == http.MethodGet:
		info.Verb = "get"
	case r.Method == http.MethodPost && collection:
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

// errNoRoute is kube-apiserver's answer to a path no route matches.
func errNoRoute() error {
	return apierrors.NewGenericServerResponse(http.StatusNotFound, "", schema.GroupResource{}, "", "", 0, false)
}

// hasSubresource says whether kind k serves subresource sub.
func hasSubresource(k v1alpha1.Kind, sub string) bool {
	switch sub {
	case "status":
		return k.Status
	case "scale":
		return k.Scale
	case "rollback":
		return k.Rollback
	}
	return false
}

func kindForPlural(plural string) (v1alpha1.Kind, bool) {
	for _, k := range v1alpha1.Kinds() {
		if k.Plural == plural {
			return k, true
		}
	}
	return v1alpha1.Kind{}, false
}
