// Package managed keeps metadata.managedFields and merges server-side
// apply requests, with apimachinery's field manager (the one
// kube-apiserver runs for custom resources) over the schemas of
// api/oapi. Objects cross it as unstructured JSON, as custom resources
// do in kube-apiserver, so that an applied configuration owns exactly the
// fields it names and no zero value a Go struct would add.
package managed

import (
	"encoding/json"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"minka/api/oapi"
	"minka/api/v1alpha1"
)

// Fields holds one field manager per kind and subresource.
type Fields struct {
	managers map[string]*managedfields.FieldManager
	creator  *creator
}

var (
	once    sync.Once
	shared  *Fields
	initErr error
)

// Shared is the process's Fields, built on first use: building the type
// converter parses every schema, which costs milliseconds.
func Shared() (*Fields, error) {
	once.Do(func() { shared, initErr = New() })
	return shared, initErr
}

// New builds the field managers of every kind: the object itself (whose
// writes leave status alone) and its status subresource (whose writes
// touch nothing else), as kube-apiserver resets fields for a custom
// resource with a status subresource.
func New() (*Fields, error) {
	tc, err := managedfields.NewTypeConverter(oapi.Definitions(), false)
	if err != nil {
		return nil, fmt.Errorf("building the type converter: %w", err)
	}
	gv := v1alpha1.SchemeGroupVersion
	api := fieldpath.APIVersion(gv.String())
	f := &Fields{managers: map[string]*managedfields.FieldManager{}, creator: newCreator(tc)}
	for _, k := range v1alpha1.Kinds() {
		gvk := gv.WithKind(k.Kind)
		subs := map[string]*fieldpath.Set{"": nil}
		if k.Status {
			subs[""] = fieldpath.NewSet(fieldpath.MakePathOrDie("status"))
			subs["status"] = fieldpath.NewSet(fieldpath.MakePathOrDie("spec"), fieldpath.MakePathOrDie("metadata"))
		}
		for sub, reset := range subs {
			resets := map[fieldpath.APIVersion]*fieldpath.Set{}
			if reset != nil {
				resets[api] = reset
			}
			fm, err := managedfields.NewDefaultCRDFieldManager(tc, converter{}, defaulter{}, creater{}, gvk, gv, sub,
				fieldpath.NewExcludeFilterSetMap(resets))
			if err != nil {
				return nil, fmt.Errorf("field manager of %s %q: %w", k.Kind, sub, err)
			}
			f.managers[k.Kind+"/"+sub] = fm
		}
	}
	return f, nil
}

// Update records manager as the owner of the fields its write changed
// (operation Update), as every create, update and patch but apply does;
// live is nil for a create. next's managedFields, when it brings some, are
// taken as the new set, as kube-apiserver takes them.
func (f *Fields) Update(subresource string, live, next v1alpha1.Object, manager string) (v1alpha1.Object, error) {
	fm, err := f.manager(next, subresource)
	if err != nil {
		return nil, err
	}
	if live == nil && subresource == "" && len(next.GetManagedFields()) == 0 {
		k, _ := v1alpha1.KindOf(next) // f.manager found it
		return f.creator.create(k, next, manager)
	}
	if live != nil && subresource == "status" {
		out, ok, err := f.creator.status(live, next, manager)
		if err != nil || ok {
			return out, err
		}
	}
	liveU, err := toUnstructured(live, next)
	if err != nil {
		return nil, err
	}
	nextU, err := toUnstructured(next, next)
	if err != nil {
		return nil, err
	}
	// An update changes nothing of the object but its managedFields, so
	// those are set on a copy of next: decoding the merged object back
	// cost 14% of the server's CPU per create (issue 19's profile).
	u, ok := fm.UpdateNoErrors(liveU, nextU, manager).(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("field manager returned no unstructured object")
	}
	out := next.DeepCopyObject().(v1alpha1.Object)
	out.SetManagedFields(u.GetManagedFields())
	return out, nil
}

// Apply merges an applied configuration into live (nil: the object does
// not exist yet) by field ownership. A field another manager owns with a
// different value is a 409 naming each conflict, unless force takes it.
func (f *Fields) Apply(live v1alpha1.Object, applied *unstructured.Unstructured, manager string, force bool) (v1alpha1.Object, error) {
	k, err := v1alpha1.KindFor(applied.GetKind())
	if err != nil || applied.GetAPIVersion() != v1alpha1.APIVersion {
		return nil, fmt.Errorf("applied object is %s %s, not a %s kind", applied.GetAPIVersion(), applied.GetKind(), v1alpha1.APIVersion)
	}
	fm := f.managers[k.Kind+"/"]
	shape := k.New()
	shape.SetNamespace(applied.GetNamespace())
	shape.SetName(applied.GetName())
	liveU, err := toUnstructured(live, shape)
	if err != nil {
		return nil, err
	}
	out, err := fm.Apply(liveU, applied, manager, force)
	if err != nil {
		return nil, err
	}
	return fromUnstructured(out)
}

func (f *Fields) manager(obj v1alpha1.Object, subresource string) (*managedfields.FieldManager, error) {
	k, err := v1alpha1.KindOf(obj)
	if err != nil {
		return nil, err
	}
	fm, ok := f.managers[k.Kind+"/"+subresource]
	if !ok {
		return nil, fmt.Errorf("%s has no %q subresource", k.Kind, subresource)
	}
	return fm, nil
}

// toUnstructured is obj as JSON fields; a nil obj is an empty object of
// shape's kind and name (the live object of a create).
func toUnstructured(obj, shape v1alpha1.Object) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	if obj == nil {
		k, err := v1alpha1.KindOf(shape)
		if err != nil {
			return nil, err
		}
		u.SetGroupVersionKind(v1alpha1.SchemeGroupVersion.WithKind(k.Kind))
		u.SetNamespace(shape.GetNamespace())
		u.SetName(shape.GetName())
		return u, nil
	}
	obj = obj.DeepCopyObject().(v1alpha1.Object)
	v1alpha1.SetTypeMeta(obj)
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", obj, err)
	}
	if err := u.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("decoding %T as fields: %w", obj, err)
	}
	return u, nil
}

func fromUnstructured(obj runtime.Object) (v1alpha1.Object, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("field manager returned a %T", obj)
	}
	data, err := u.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encoding merged object: %w", err)
	}
	out, err := v1alpha1.DecodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("merged object: %w", err)
	}
	return out, nil
}

// minka serves one version: conversion is the identity, and defaults are
// the store's to set after the merge (so that no applier owns them).
type converter struct{}

func (converter) Convert(in, out, _ any) error {
	u, ok := in.(*unstructured.Unstructured)
	o, ok2 := out.(*unstructured.Unstructured)
	if !ok || !ok2 {
		return fmt.Errorf("cannot convert %T to %T", in, out)
	}
	o.Object = runtime.DeepCopyJSON(u.Object)
	return nil
}

func (converter) ConvertToVersion(in runtime.Object, _ runtime.GroupVersioner) (runtime.Object, error) {
	return in, nil
}

func (converter) ConvertFieldLabel(_ schema.GroupVersionKind, label, value string) (string, string, error) {
	return label, value, nil
}

type defaulter struct{}

func (defaulter) Default(runtime.Object) {}

type creater struct{}

func (creater) New(gvk schema.GroupVersionKind) (runtime.Object, error) {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetGroupVersionKind(gvk)
	return u, nil
}
