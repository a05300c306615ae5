package apiserver

import (
	"net/http"
	"strconv"

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

// fieldValidation reads ?fieldValidation of a create, update or patch as
// kube-apiserver does: Strict refuses a body with unknown or duplicate
// fields, Warn drops them with a Warning header each, Ignore drops them
// silently. Absent, minka means Strict (kube-apiserver: Warn): no field a
// user wrote is dropped without them asking for it.
func fieldValidation(verb string, values []string) (string, error) {
	kind, ok := optionsKind[verb]
	if !ok || verb == "delete" || len(values) == 0 || values[0] == "" {
		return "Strict", nil
	}
	switch v := values[0]; v {
	case "Strict", "Warn", "Ignore":
		return v, nil
	default:
		return "", apierrors.NewInvalid(schema.GroupKind{Group: "meta.k8s.io", Kind: kind}, "",
			field.ErrorList{field.NotSupported(field.NewPath("fieldValidation"), v, []string{"Ignore", "Warn", "Strict"})})
	}
}

// warn adds an RFC 7234 warning as kube-apiserver sends them (code 299,
// agent "-"); kubectl prints each as "Warning: <text>".
func warn(w http.ResponseWriter, text string) {
	w.Header().Add("Warning", "299 - "+strconv.Quote(text))
}
