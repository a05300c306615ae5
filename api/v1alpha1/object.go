package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// +kubebuilder:object:generate=false

// Object is any stored minka resource: Kubernetes object metadata plus a
// kind and a deep copy.
type Object interface {
	metav1.Object
	runtime.Object
}

// +kubebuilder:object:generate=false

// ObjectList is the list form of a kind (DeploymentList, ...).
type ObjectList interface {
	metav1.ListInterface
	runtime.Object
	// GetItems returns pointers into the list's items.
	GetItems() []Object
	// SetItems replaces the items; every element must be of the list's kind.
	SetItems([]Object)
}

// +kubebuilder:object:generate=false

// SpecStatus is implemented by kinds with a spec and a status. The store
// uses it to bump metadata.generation only on spec changes and to keep a
// status write from touching the spec (and the reverse).
type SpecStatus interface {
	Object
	// SpecValue returns the spec, for comparison only.
	SpecValue() any
	// CopyStatusFrom replaces this object's status with src's.
	CopyStatusFrom(src Object)
}

// +kubebuilder:object:generate=false

// Scalable is implemented by kinds with a scale subresource.
type Scalable interface {
	Object
	// GetReplicas returns spec.replicas (defaulted) and status.replicas.
	GetReplicas() (spec, status int32)
	// SetReplicas sets spec.replicas.
	SetReplicas(n int32)
	// ScaleSelector returns the label selector string shown in Scale.status.
	ScaleSelector() string
}
