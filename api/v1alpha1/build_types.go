package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +kubebuilder:object:root=true

// Build is one run of a Pipeline, owned by it (like a Tekton PipelineRun).
type Build struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   BuildSpec   `json:"spec"`
	Status BuildStatus `json:"status,omitempty"`
}

// BuildSpec is what to build.
type BuildSpec struct {
	Pipeline string `json:"pipeline"`
	// Number is the build number within the pipeline (assigned when 0).
	Number int64  `json:"number,omitempty"`
	Branch string `json:"branch"`
	SHA1   string `json:"sha1,omitempty"`
	// Parameters override the pipeline's for this build.
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Build phases.
const (
	BuildPending   = "Pending"
	BuildQueued    = "Queued"
	BuildRunning   = "Running"
	BuildSucceeded = "Succeeded"
	BuildFailed    = "Failed"
	BuildAborted   = "Aborted"
)

// BuildStatus is what the controller observed.
type BuildStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Phase is Pending, Queued, Running, Succeeded, Failed or Aborted.
	Phase string `json:"phase,omitempty"`
	// QueueItem is the Jenkins queue item id; JenkinsBuild and URL are set
	// once the build has started.
	QueueItem      int64              `json:"queueItem,omitempty"`
	JenkinsBuild   int64              `json:"jenkinsBuild,omitempty"`
	URL            string             `json:"url,omitempty"`
	Describe       string             `json:"describe,omitempty"`
	Tag            string             `json:"tag,omitempty"`
	Stable         bool               `json:"stable,omitempty"`
	Message        string             `json:"message,omitempty"`
	StartTime      *metav1.Time       `json:"startTime,omitempty"`
	CompletionTime *metav1.Time       `json:"completionTime,omitempty"`
	Conditions     []metav1.Condition `json:"conditions,omitempty"`
}

// +kubebuilder:object:root=true

// BuildList is a list of Builds.
type BuildList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Build `json:"items"`
}
