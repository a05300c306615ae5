package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Event types.
const (
	EventTypeNormal  = "Normal"
	EventTypeWarning = "Warning"
)

// +kubebuilder:object:root=true

// Event records something that happened to an object. Events are stored
// with an etcd lease so they expire (1 h by default).
type Event struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	InvolvedObject ObjectReference `json:"involvedObject"`
	// Reason is CamelCase and machine-readable; Message is for people.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Type is Normal or Warning.
	Type           string      `json:"type,omitempty"`
	Count          int32       `json:"count,omitempty"`
	FirstTimestamp metav1.Time `json:"firstTimestamp,omitempty"`
	LastTimestamp  metav1.Time `json:"lastTimestamp,omitempty"`
	Source         EventSource `json:"source,omitempty"`
}

// ObjectReference points at the object an event is about.
type ObjectReference struct {
	APIVersion      string `json:"apiVersion,omitempty"`
	Kind            string `json:"kind"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name"`
	UID             string `json:"uid,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

// EventSource names the component that reported an event.
type EventSource struct {
	Component string `json:"component,omitempty"`
	Host      string `json:"host,omitempty"`
}

// +kubebuilder:object:root=true

// EventList is a list of Events.
type EventList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Event `json:"items"`
}
