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
	// Number is the build number within the pipeline, assigned by the
	// server when 0 (the Build is then named <pipeline>-<number>).
	Number int64 `json:"number,omitempty"`
	// Branch is the branch built; GitTag the tag, for a tag push (one of
	// the two).
	Branch string `json:"branch,omitempty"`
	GitTag string `json:"gitTag,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	// Trigger is what created the Build.
	Trigger *BuildTrigger `json:"trigger,omitempty"`
	// Parameters override the pipeline's for this build.
	Parameters map[string]string `json:"parameters,omitempty"`
}

// BuildTrigger says what created a Build.
type BuildTrigger struct {
	// Kind is webhook, manual or replay.
	Kind string `json:"kind"`
	// Delivery is the webhook delivery id; Style its sender's style;
	// Sender who pushed.
	Delivery string `json:"delivery,omitempty"`
	Style    string `json:"style,omitempty"`
	Sender   string `json:"sender,omitempty"`
}

// LabelPipeline is the label of a Pipeline's Builds (its name).
const LabelPipeline = "minka.dev/pipeline"

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
