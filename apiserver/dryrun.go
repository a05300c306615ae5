package apiserver

import (
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/store"
)

// optionsKind is the meta.k8s.io options kind of a write verb, which
// kube-apiserver names when it refuses them.
var optionsKind = map[string]string{"create": "CreateOptions", "update": "UpdateOptions", "patch": "PatchOptions", "delete": "DeleteOptions"}

// withDryRun reads ?dryRun as kube-apiserver does (All, or nothing) and
// makes the request's writes dry runs when it says All: every write verb
// and subresource goes through the store, which then writes nothing.
func withDryRun(r *http.Request, verb string, values []string) (*http.Request, error) {
	if len(values) == 0 {
		return r, nil
	}
	kind, ok := optionsKind[verb]
	if !ok {
		return r, nil // reads have no dry run; kube-apiserver ignores it there
	}
	for _, v := range values {
		if v != "All" {
			return nil, apierrors.NewInvalid(schema.GroupKind{Group: "meta.k8s.io", Kind: kind}, "",
				field.ErrorList{field.NotSupported(field.NewPath("dryRun"), values, []string{"All"})})
		}
	}
	return r.WithContext(store.WithDryRun(r.Context())), nil
}
