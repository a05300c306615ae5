package v1alpha1

import (
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/sealed"
)

// SealedField is a field that may hold a value sealed by `minka encrypt`,
// and the scopes it opens for: a Deployment's env opens for its
// namespace; a Pipeline's and a Build's values for the namespace or the
// Pipeline.
// +kubebuilder:object:generate=false
type SealedField struct {
	Path   *field.Path
	Value  string
	Scopes []string
}

// Sealed reports whether the field holds a sealed value (clear values are
// allowed in env and parameters, which are not all secret).
func (f SealedField) Sealed() bool { return sealed.IsSealed(f.Value) }

// SealedFields lists the fields of obj that may hold sealed values, in a
// stable order, whether they hold one or not.
func SealedFields(obj Object) []SealedField {
	var out []SealedField
	add := func(p *field.Path, m map[string]string, scopes []string) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, SealedField{Path: p.Key(k), Value: m[k], Scopes: scopes})
		}
	}
	spec := field.NewPath("spec")
	ns := obj.GetNamespace()
	switch o := obj.(type) {
	case *Deployment:
		add(spec.Child("env"), o.Spec.Env, []string{sealed.NamespaceScope(ns)})
	case *Pipeline:
		scopes := []string{sealed.PipelineScope(ns, o.Name), sealed.NamespaceScope(ns)}
		add(spec.Child("parameters"), o.Spec.Parameters, scopes)
		if t := o.Spec.Trigger; t != nil && t.Webhook != nil && t.Webhook.Secret != "" {
			out = append(out, SealedField{Path: spec.Child("trigger", "webhook", "secret"), Value: t.Webhook.Secret, Scopes: scopes})
		}
	case *Build:
		add(spec.Child("parameters"), o.Spec.Parameters, []string{sealed.PipelineScope(ns, o.Spec.Pipeline), sealed.NamespaceScope(ns)})
	}
	return out
}

// Opener opens sealed values: the server's *sealed.Keys.
// +kubebuilder:object:generate=false
type Opener interface {
	Open(value string, scopes ...string) (string, error)
}

// OpenValue is a field's value in clear: sealed values opened, clear ones
// as they are. Its error names the field, never the value.
func OpenValue(keys Opener, f SealedField) (string, error) {
	if !f.Sealed() {
		return f.Value, nil
	}
	v, err := keys.Open(f.Value, f.Scopes...)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.Path, err)
	}
	return v, nil
}

// OpenMap returns a copy of m with the sealed values of the fields at
// p opened for scopes, for the moment a backend is handed them (Jenkins'
// parameters, Marathon's env).
func OpenMap(keys Opener, m map[string]string, p *field.Path, scopes ...string) (map[string]string, error) {
	out := make(map[string]string, len(m))
	for k, v := range m {
		clear, err := OpenValue(keys, SealedField{Path: p.Key(k), Value: v, Scopes: scopes})
		if err != nil {
			return nil, err
		}
		out[k] = clear
	}
	return out, nil
}

// validateSealed checks the form of every sealed value of obj (a key is
// not needed for that; the server opens them when it hands them on) and
// that a webhook secret is sealed: a secret in clear does not belong in a
// manifest.
func validateSealed(obj Object) field.ErrorList {
	var errs field.ErrorList
	for _, f := range SealedFields(obj) {
		switch {
		case f.Sealed():
			if err := sealed.Check(f.Value); err != nil {
				errs = append(errs, field.Invalid(f.Path, "(sealed value)", err.Error()))
			}
		case f.Path.String() == "spec.trigger.webhook.secret":
			errs = append(errs, field.Invalid(f.Path, "(redacted)",
				"must be sealed (printf %s SECRET | minka encrypt --scope pipeline/"+obj.GetName()+"), or name a server config secret in secretRef"))
		}
	}
	return errs
}
