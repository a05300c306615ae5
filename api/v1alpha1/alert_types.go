package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +kubebuilder:object:root=true

// Alert sends the events of chosen objects to a receiver of the server
// config (a Slack-compatible incoming webhook, or a JSON webhook), as
// Flux's notification-controller Alert does: each event that matches is
// sent once, in the order it was stored, retried while the receiver
// fails.
type Alert struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   AlertSpec   `json:"spec"`
	Status AlertStatus `json:"status,omitempty"`
}

// AlertSpec says which events go to which receiver.
type AlertSpec struct {
	// Receiver names a receiver of the server config's
	// notifications.receivers; its URL is a secret of the config, never
	// of a manifest.
	Receiver string `json:"receiver"`
	// Sources are the objects whose events are sent; none: every object
	// of the Alert's namespace.
	Sources []AlertSource `json:"sources,omitempty"`
	// Severity is the least severity sent: Normal (the default) sends
	// every event, Warning only Warning events.
	Severity string `json:"severity,omitempty"`
	// Reasons, when set, are the only event reasons sent (Started,
	// Finished, RolloutComplete, RolledBack, QuotaExceeded, ...).
	Reasons []string `json:"reasons,omitempty"`
	// ExcludeReasons are never sent.
	ExcludeReasons []string `json:"excludeReasons,omitempty"`
	// RepeatInterval is how soon an event that happens again (the same
	// object, type, reason and message) may be sent again (default 1h).
	RepeatInterval *Duration `json:"repeatInterval,omitempty"`
	// Suspend stops sending; the events stored meanwhile are skipped.
	Suspend bool `json:"suspend,omitempty"`
}

// AlertSource selects objects by kind, name and namespace.
type AlertSource struct {
	// Kind is Deployment, SlavePool, Repo, Pipeline, Build, Alert, or *
	// for every kind.
	Kind string `json:"kind"`
	// Name is a glob of object names (path.Match syntax; default *).
	Name string `json:"name,omitempty"`
	// Namespace is the objects' namespace (default: the Alert's; * for
	// every namespace).
	Namespace string `json:"namespace,omitempty"`
}

// AlertStatus is what has been sent.
type AlertStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// EventRevision is the etcd revision up to which every stored event
	// has been looked at: sent, skipped as a repeat, or not matched. A
	// restart goes on from it, so that nothing is lost or sent twice.
	EventRevision string `json:"eventRevision,omitempty"`
	// Sent counts the messages the receiver took; Rejected those it
	// refused (a 4xx other than 408 and 429), which are not sent again.
	Sent     int64 `json:"sent,omitempty"`
	Rejected int64 `json:"rejected,omitempty"`
	// LastSentTime is when the receiver last took a message.
	LastSentTime *metav1.Time `json:"lastSentTime,omitempty"`
	// FailedAttempts counts the failed tries of the message being sent.
	FailedAttempts int32 `json:"failedAttempts,omitempty"`
	// Recent are the events sent within the repeat interval, by a digest
	// of their object, type, reason and message.
	Recent []SentEvent `json:"recent,omitempty"`
	// Conditions: Ready says whether the receiver takes the messages.
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// SentEvent is an event sent lately.
type SentEvent struct {
	Key  string      `json:"key"`
	Time metav1.Time `json:"time"`
}

// +kubebuilder:object:root=true

// AlertList is a list of Alerts.
type AlertList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Alert `json:"items"`
}
