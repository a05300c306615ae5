package oapi

import (
	"strings"

	"k8s.io/kube-openapi/pkg/validation/spec"

	"minka/api/v1alpha1"
)

// envelopeDoc is kube's text for the fields every object and list has,
// where the type says nothing of its own.
func envelopeDoc(typ, field string) string {
	_, err := v1alpha1.KindFor(strings.TrimSuffix(typ, "List"))
	if typ == v1alpha1.DeploymentRollbackKind && (field == "apiVersion" || field == "kind") {
		err = nil // a body, not a kind, but it has the envelope's type fields
	}
	if err != nil || typ == "Scale" {
		return ""
	}
	switch field {
	case "apiVersion":
		return "APIVersion defines the versioned schema of this representation of an object."
	case "kind":
		return "Kind is a string value representing the REST resource this object represents. In CamelCase."
	case "metadata":
		if strings.HasSuffix(typ, "List") {
			return "Standard list metadata."
		}
		return "Standard object's metadata."
	case "spec":
		return "Specification of the desired behavior of the " + typ + "."
	case "status":
		return "Most recently observed status of the " + typ + ". Read-only: the controllers write it."
	case "items":
		return "Items is the list of " + strings.TrimSuffix(typ, "List") + "s."
	}
	return ""
}

// metaDocs describe the apimachinery types minka's objects carry (their
// doc comments are not in this module's sources), in kube's words, cut
// short.
var metaDocs = map[string]string{
	"ObjectMeta":                   "ObjectMeta is metadata that all persisted resources must have.",
	"ObjectMeta.name":              "Name must be unique within a namespace. Cannot be updated.",
	"ObjectMeta.generateName":      "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.",
	"ObjectMeta.namespace":         "Namespace defines the space within which each name must be unique (default \"default\").",
	"ObjectMeta.uid":               "UID is the unique in time and space value for this object, set by the server. Read-only.",
	"ObjectMeta.resourceVersion":   "An opaque value that represents the internal version of this object (etcd's mod revision), for optimistic concurrency and watches. Read-only.",
	"ObjectMeta.generation":        "A sequence number representing a specific generation of the desired state: it moves when the spec changes. Read-only.",
	"ObjectMeta.creationTimestamp": "CreationTimestamp is when this object was created, set by the server. Read-only.",
	"ObjectMeta.deletionTimestamp": "DeletionTimestamp is when this object will be deleted, set by the server when a delete waits for finalizers. Read-only.",
	"ObjectMeta.labels":            "Map of string keys and values that can be used to organize and categorize (scope and select) objects.",
	"ObjectMeta.annotations":       "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.",
	"ObjectMeta.finalizers":        "Must be empty before the object is deleted from the registry.",
	"ObjectMeta.ownerReferences":   "List of objects depended by this object; when all of them are deleted, this object is garbage collected.",
	"ObjectMeta.managedFields":     "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow (server-side apply).",
	"ListMeta":                     "ListMeta describes metadata that synthetic resources must have, including lists.",
	"Condition":                    "Condition contains details for one aspect of the current state of this API Resource.",
	"Condition.type":               "Type of condition in CamelCase.",
	"Condition.status":             "Status of the condition, one of True, False, Unknown.",
	"Condition.reason":             "Reason contains a programmatic identifier indicating the reason for the condition's last transition.",
	"Condition.message":            "Message is a human readable message indicating details about the transition.",
}

// metaListTypes are kube's server-side apply markers on ObjectMeta's
// lists.
var metaListTypes = map[string]map[string]any{
	"ObjectMeta.finalizers":      {"x-kubernetes-list-type": "set"},
	"ObjectMeta.ownerReferences": {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": []any{"uid"}, "x-kubernetes-patch-merge-key": "uid"},
}

const (
	scaleName = "io.k8s.api.autoscaling.v1.Scale"
	patchName = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
	metaName  = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
)

// scaleSchema is autoscaling/v1 Scale, the body of a scale subresource.
func scaleSchema(refPrefix string) *spec.Schema {
	i32 := typ("integer", "int32")
	return &spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"},
		Description: "Scale represents a scaling request for a resource.",
		Properties: map[string]spec.Schema{
			"apiVersion": str(""), "kind": str(""),
			"metadata": {SchemaProps: spec.SchemaProps{Ref: spec.MustCreateRef(refPrefix + metaName)}},
			"spec":     {SchemaProps: spec.SchemaProps{Type: []string{"object"}, Properties: map[string]spec.Schema{"replicas": i32}}},
			"status": {SchemaProps: spec.SchemaProps{Type: []string{"object"}, Required: []string{"replicas"},
				Properties: map[string]spec.Schema{"replicas": i32, "selector": str("")}}},
		}},
		VendorExtensible: spec.VendorExtensible{Extensions: spec.Extensions{gvkExtension: []any{map[string]any{"group": "autoscaling", "version": "v1", "kind": "Scale"}}}}}
}
