package v1alpha1

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks a whole object (metadata and spec; status has its own
// check) and returns every problem with its field path. Call it on a
// defaulted object. Like every Validate function here it returns errors
// through ShortenErrors: an answer repeats little of a large request.
func Validate(obj Object) field.ErrorList { return ShortenErrors(validate(obj)) }

func validate(obj Object) field.ErrorList {
	// Validate what the controllers will act on: list items with their
	// defaults, which are not stored.
	switch obj.(type) {
	case *Deployment, *Repo, *Pipeline:
		obj = obj.DeepCopyObject().(Object)
		DefaultItems(obj)
	}
	errs := validateMeta(obj)
	spec := field.NewPath("spec")
	switch o := obj.(type) {
	case *Deployment:
		errs = append(errs, validateDeployment(&o.Spec, spec)...)
	case *SlavePool:
		errs = append(errs, validateSlavePool(&o.Spec, spec)...)
	case *Repo:
		errs = append(errs, validateRepo(&o.Spec, o.Labels[LabelDiscovered] == "true", spec)...)
	case *Pipeline:
		errs = append(errs, validatePipeline(&o.Spec, spec)...)
	case *Build:
		errs = append(errs, validateBuild(&o.Spec, spec)...)
	case *Event:
		errs = append(errs, validateEvent(o)...)
	case *Alert:
		errs = append(errs, validateAlert(&o.Spec, spec)...)
	}
	return append(errs, validateSealed(obj)...)
}

// ValidateUpdate is Validate plus the fields that may not change.
func ValidateUpdate(obj, old Object) field.ErrorList {
	errs := validate(obj)
	spec := field.NewPath("spec")
	immutable := func(p *field.Path, now, was any) {
		if now != was {
			errs = append(errs, field.Invalid(p, now, fmt.Sprintf("field is immutable (was %v)", was)))
		}
	}
	switch o := obj.(type) {
	case *Build:
		was := old.(*Build).Spec
		immutable(spec.Child("pipeline"), o.Spec.Pipeline, was.Pipeline)
		immutable(spec.Child("branch"), o.Spec.Branch, was.Branch)
		immutable(spec.Child("gitTag"), o.Spec.GitTag, was.GitTag)
		immutable(spec.Child("sha1"), o.Spec.SHA1, was.SHA1)
		if was.Number != 0 {
			immutable(spec.Child("number"), o.Spec.Number, was.Number)
		}
	case *Repo:
		was := old.(*Repo).Spec
		immutable(spec.Child("project"), o.Spec.Project, was.Project)
		immutable(spec.Child("ref"), o.Spec.Ref, was.Ref)
		immutable(spec.Child("sha1"), o.Spec.SHA1, was.SHA1)
	}
	return ShortenErrors(errs)
}

// ValidateStatus checks a status write (validation_status.go): counts
// not negative, conditions in Kubernetes' shape, strings bounded.
// Controllers write status through the same store method as the API, so
// whatever they write passes it too.
func ValidateStatus(obj Object) field.ErrorList {
	p := field.NewPath("status")
	var errs field.ErrorList
	switch o := obj.(type) {
	case *Deployment:
		errs = validateDeploymentStatus(&o.Status, p)
	case *SlavePool:
		errs = validateSlavePoolStatus(&o.Status, p)
	case *Repo:
		errs = validateRepoStatus(&o.Status, p)
	case *Pipeline:
		errs = validatePipelineStatus(&o.Status, p)
	case *Build:
		errs = validateBuildStatus(&o.Status, p)
	case *Alert:
		errs = validateAlertStatus(&o.Status, p)
	}
	return ShortenErrors(errs)
}

// ValidateScale checks a Scale body; the store then validates the object
// with its new replicas (and so their upper bound).
func ValidateScale(s *Scale) field.ErrorList {
	if s.Spec.Replicas < 0 {
		return field.ErrorList{field.Invalid(field.NewPath("spec", "replicas"), s.Spec.Replicas, "must be >= 0")}
	}
	return nil
}

// InvalidError is an object that failed validation, located in its file.
// +kubebuilder:object:generate=false
type InvalidError struct {
	Source string
	Doc    int
	Kind   string
	Name   string
	Errs   field.ErrorList
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source + ": ")
	}
	fmt.Fprintf(&b, "document %d (%s %s) is invalid:", e.Doc, e.Kind, e.Name)
	for _, fe := range e.Errs {
		b.WriteString("\n  * " + fe.Error())
	}
	return b.String()
}

// ValidateAll defaults and validates a copy of each object of one source
// (a file) and returns one error listing every bad field of every
// document, or nil. Callers use it to write nothing when anything is wrong.
func ValidateAll(objs []Object, source string) error {
	var errs []error
	for i, obj := range objs {
		c := obj.DeepCopyObject().(Object)
		Default(c)
		if fe := Validate(c); len(fe) > 0 {
			k, _ := KindOf(c)
			errs = append(errs, &InvalidError{Source: source, Doc: i + 1, Kind: k.Kind,
				Name: c.GetNamespace() + "/" + c.GetName(), Errs: fe})
		}
	}
	return errors.Join(errs...)
}

func validateMeta(obj Object) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("metadata")
	nameCheck := validation.IsDNS1123Subdomain
	if _, ok := obj.(*Deployment); ok {
		// The name is a Marathon app id segment: one DNS label.
		nameCheck = validation.IsDNS1123Label
	}
	if obj.GetGenerateName() != "" {
		errs = append(errs, field.Forbidden(p.Child("generateName"), "not supported: give metadata.name"))
	}
	if obj.GetName() == "" {
		errs = append(errs, field.Required(p.Child("name"), ""))
	} else {
		for _, msg := range nameCheck(obj.GetName()) {
			errs = append(errs, field.Invalid(p.Child("name"), obj.GetName(), msg))
		}
	}
	if ns := obj.GetNamespace(); ns != "" {
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, field.Invalid(p.Child("namespace"), ns, msg))
		}
	}
	errs = append(errs, metav1validation.ValidateLabels(obj.GetLabels(), p.Child("labels"))...)
	errs = append(errs, apivalidation.ValidateAnnotations(obj.GetAnnotations(), p.Child("annotations"))...)
	for i, f := range obj.GetFinalizers() {
		for _, msg := range validation.IsQualifiedName(f) {
			errs = append(errs, field.Invalid(p.Child("finalizers").Index(i), f, msg))
		}
	}
	return errs
}

var camelCase = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

func validateEvent(e *Event) field.ErrorList {
	var errs field.ErrorList
	io := field.NewPath("involvedObject")
	if e.InvolvedObject.Kind == "" {
		errs = append(errs, field.Required(io.Child("kind"), ""))
	}
	if e.InvolvedObject.Name == "" {
		errs = append(errs, field.Required(io.Child("name"), ""))
	}
	if e.Type != EventTypeNormal && e.Type != EventTypeWarning {
		errs = append(errs, field.NotSupported(field.NewPath("type"), e.Type, []string{EventTypeNormal, EventTypeWarning}))
	}
	if !camelCase.MatchString(e.Reason) {
		errs = append(errs, field.Invalid(field.NewPath("reason"), e.Reason, "must be CamelCase, e.g. RolloutStarted"))
	}
	if e.Count < 0 {
		errs = append(errs, field.Invalid(field.NewPath("count"), e.Count, "must be >= 0"))
	}
	return errs
}
