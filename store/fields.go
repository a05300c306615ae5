package store

import (
	"k8s.io/apimachinery/pkg/fields"

	"minka/api/v1alpha1"
)

// FieldsOf returns the fields a field selector can match on an object:
// metadata.name and metadata.namespace for every kind, and for Events the
// involved object, type, reason and source (what `describe` looks up).
func FieldsOf(obj v1alpha1.Object) fields.Set {
	set := fields.Set{
		"metadata.name":      obj.GetName(),
		"metadata.namespace": obj.GetNamespace(),
	}
	if ev, ok := obj.(*v1alpha1.Event); ok {
		set["involvedObject.kind"] = ev.InvolvedObject.Kind
		set["involvedObject.name"] = ev.InvolvedObject.Name
		set["involvedObject.namespace"] = ev.InvolvedObject.Namespace
		set["involvedObject.uid"] = ev.InvolvedObject.UID
		// kube-apiserver's other event fields (kubectl events --for asks
		// for the apiVersion too); minka's references carry no fieldPath.
		set["involvedObject.apiVersion"] = ev.InvolvedObject.APIVersion
		set["involvedObject.resourceVersion"] = ev.InvolvedObject.ResourceVersion
		set["involvedObject.fieldPath"] = ""
		set["type"] = ev.Type
		set["reason"] = ev.Reason
		set["source"] = ev.Source.Component
		set["source.component"] = ev.Source.Component
		set["reportingComponent"] = ev.Source.Component
	}
	return set
}
