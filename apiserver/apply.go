package apiserver

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"minka/api/managed"
	"minka/api/v1alpha1"
	"minka/store"
)

// applyPatchType is server-side apply's content type (kubectl apply
// --server-side).
const applyPatchType = "application/apply-patch+yaml"

var patchOptions = schema.GroupKind{Group: "meta.k8s.io", Kind: "PatchOptions"}

// withFieldManager reads ?fieldManager (else the User-Agent's product, as
// kube-apiserver names the manager of a write that gives none) and makes
// the request's write record it in managedFields.
func withFieldManager(r *http.Request, info *requestInfo) (*http.Request, error) {
	if _, ok := optionsKind[info.Verb]; !ok || info.Verb == "delete" {
		return r, nil
	}
	manager := r.URL.Query().Get("fieldManager")
	if len(manager) > 128 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: "meta.k8s.io", Kind: optionsKind[info.Verb]}, "",
			field.ErrorList{field.TooLong(field.NewPath("fieldManager"), "", 128)})
	}
	for _, c := range manager {
		if !unicode.IsPrint(c) {
			return nil, apierrors.NewInvalid(schema.GroupKind{Group: "meta.k8s.io", Kind: optionsKind[info.Verb]}, "",
				field.ErrorList{field.Invalid(field.NewPath("fieldManager"), manager, "must only contain printable characters")})
		}
	}
	if manager == "" {
		manager, _, _ = strings.Cut(r.UserAgent(), "/")
		if len(manager) > 128 {
			manager = manager[:128]
		}
	}
	if manager == "" {
		return r, nil
	}
	return r.WithContext(store.WithFieldManager(r.Context(), manager)), nil
}

// serverSideApply merges an applied configuration by field ownership
// (kubectl apply --server-side): the object is created when none is
// stored; a field another manager owns with another value is a 409 that
// names it, unless ?force=true takes it over.
func (s *Server) serverSideApply(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	q := r.URL.Query()
	manager := q.Get("fieldManager")
	if manager == "" {
		return apierrors.NewInvalid(patchOptions, "", field.ErrorList{field.Required(field.NewPath("fieldManager"), "is required for apply patch")})
	}
	force := false
	if v := q.Get("force"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return apierrors.NewInvalid(patchOptions, "", field.ErrorList{field.Invalid(field.NewPath("force"), v, "must be true or false")})
		}
		force = b
	}
	if info.Subresource != "" {
		return apierrors.NewMethodNotSupported(info.Kind.GroupResource(), "apply to "+info.Subresource)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var problems []string
	js, err := yaml.YAMLToJSONStrict(body)
	if err != nil && info.FieldValidation == "Strict" {
		return apierrors.NewBadRequest("decoding applied configuration: " + err.Error())
	} else if err != nil {
		problems = append(problems, err.Error()) // a key set twice: the last wins
		if js, err = yaml.YAMLToJSON(body); err != nil {
			return apierrors.NewBadRequest("decoding applied configuration: " + err.Error())
		}
	}
	// Decode it typed as well, for what the fields say: unknown ones by
	// fieldValidation, wrong types, and identity.
	var typed v1alpha1.Object
	if info.FieldValidation == "Strict" {
		typed, err = v1alpha1.DecodeObject(js)
	} else {
		var unknown []string
		typed, unknown, err = v1alpha1.DecodeObjectLax(js)
		problems = append(problems, unknown...)
	}
	if err != nil {
		return apierrors.NewBadRequest(err.Error())
	}
	if info.FieldValidation == "Warn" {
		for _, p := range problems {
			warn(w, p)
		}
	}
	if err := checkIdentity(typed, info); err != nil {
		return err
	}
	applied := &unstructured.Unstructured{}
	if err := applied.UnmarshalJSON(js); err != nil {
		return apierrors.NewBadRequest("decoding applied configuration: " + err.Error())
	}
	if len(applied.GetManagedFields()) > 0 {
		return apierrors.NewBadRequest("metadata.managedFields must be nil in an applied configuration")
	}
	applied.SetNamespace(typed.GetNamespace())
	pruneUnknown(applied.Object, problems)

	out, err := s.store.Apply(r.Context(), info.Kind, applied, manager, force)
	if errors.Is(err, store.ErrNotFound) {
		return s.applyCreate(w, r, info, applied, manager, force)
	}
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, out)
	return nil
}

// applyCreate creates the object an apply names when none is stored:
// the applied configuration merged over nothing, its fields owned by the
// manager.
func (s *Server) applyCreate(w http.ResponseWriter, r *http.Request, info *requestInfo, applied *unstructured.Unstructured, manager string, force bool) error {
	f, err := managed.Shared()
	if err != nil {
		return err
	}
	obj, err := f.Apply(nil, applied, manager, force)
	if err != nil {
		return err
	}
	r = r.WithContext(store.WithManagedFields(r.Context()))
	var out v1alpha1.Object
	if b, ok := obj.(*v1alpha1.Build); ok {
		out, _, err = s.builds.Create(r.Context(), b, "")
	} else {
		out, err = s.store.Create(r.Context(), obj)
	}
	if err != nil {
		return err
	}
	writeObject(w, http.StatusCreated, out)
	return nil
}

// pruneUnknown drops the fields fieldValidation Warn or Ignore let
// through from the applied configuration, as kube-apiserver prunes a
// custom resource's: the field manager would refuse the whole
// configuration for one of them. problems are the decoder's words,
// `unknown field "spec.ports[0].proto"`.
func pruneUnknown(fields map[string]any, problems []string) {
	for _, p := range problems {
		path, ok := strings.CutPrefix(p, "unknown field ")
		if !ok {
			continue
		}
		removePath(fields, strings.Split(strings.Trim(path, `"`), "."))
	}
}

func removePath(m map[string]any, segs []string) {
	if len(segs) == 0 {
		return
	}
	name, idx := segs[0], -1
	if open := strings.IndexByte(name, '['); open > 0 && strings.HasSuffix(name, "]") {
		n, err := strconv.Atoi(name[open+1 : len(name)-1])
		if err != nil {
			return
		}
		name, idx = name[:open], n
	}
	v, ok := m[name]
	if !ok {
		return
	}
	if idx < 0 && len(segs) == 1 {
		delete(m, name)
		return
	}
	if idx >= 0 {
		items, ok := v.([]any)
		if !ok || idx >= len(items) {
			return
		}
		v = items[idx]
	}
	if child, ok := v.(map[string]any); ok {
		removePath(child, segs[1:])
	}
}
