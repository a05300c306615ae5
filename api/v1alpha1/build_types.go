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

// LabelPipeline is the label of a Pipeline's Builds (its name), and of
// the Repos its Builds make.
const LabelPipeline = "minka.dev/pipeline"

// LabelBuild is the label of a Repo a Build made or last touched (its
// name), and the annotation of a Deployment a Build's stage set.
const LabelBuild = "minka.dev/build"

// Build phases.
const (
	BuildPending   = "Pending"
	BuildQueued    = "Queued"
	BuildRunning   = "Running"
	BuildSucceeded = "Succeeded"
	BuildFailed    = "Failed"
	BuildAborted   = "Aborted"
	// BuildCancelled: minka cancelled it (a newer Build replaced it).
	BuildCancelled = "Cancelled"
)

// Finished says whether a phase is final.
func Finished(phase string) bool {
	switch phase {
	case BuildSucceeded, BuildFailed, BuildAborted, BuildCancelled:
		return true
	}
	return false
}

// BuildStatus is what the controller observed.
type BuildStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Phase is Pending, Queued, Running, Succeeded, Failed, Aborted or
	// Cancelled.
	Phase string `json:"phase,omitempty"`
	// Reason is why the Build is in its phase, in CamelCase
	// (QueueItemLost, JenkinsFailure, Replaced, WaitingForBuild, ...);
	// Message says it for people.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// SHA1 is the commit built: spec.sha1, or the branch head resolved
	// from the git source when the spec has none.
	SHA1 string `json:"sha1,omitempty"`
	// Describe is `git describe --tags` of the commit (g<short sha1>
	// when the source could not be reached or has no tag); Tag is
	// <pipeline>-<number>-<branch>-<describe>; Stable is true when
	// describe is exactly a tag.
	Describe string `json:"describe,omitempty"`
	Tag      string `json:"tag,omitempty"`
	Stable   bool   `json:"stable,omitempty"`
	// Key is the concurrency key the Pipeline's policy applies to.
	Key string `json:"key,omitempty"`
	// TriggerTime is when the Jenkins trigger was first sent (set before
	// sending: a Build with it and no queue item is looked for in
	// Jenkins by its MINKA_BUILD parameter before any second trigger).
	TriggerTime *metav1.Time `json:"triggerTime,omitempty"`
	// QueueItem is the Jenkins queue item id and QueueURL its URL;
	// JenkinsBuild and URL are set once the build has started.
	QueueItem    int64  `json:"queueItem,omitempty"`
	QueueURL     string `json:"queueURL,omitempty"`
	JenkinsBuild int64  `json:"jenkinsBuild,omitempty"`
	URL          string `json:"url,omitempty"`
	// JenkinsSession is Jenkins' X-Jenkins-Session when the build was
	// seen started: a build ABORTED under another session was cut off by
	// a Jenkins restart.
	JenkinsSession string `json:"jenkinsSession,omitempty"`
	// Result is Jenkins' result (SUCCESS, UNSTABLE, FAILURE, ABORTED,
	// NOT_BUILT).
	Result string `json:"result,omitempty"`
	// StopRequested is when minka asked Jenkins to cancel or stop it.
	StopRequested *metav1.Time `json:"stopRequested,omitempty"`
	// Repo is the Repo of the build's packages (artifacts.repo).
	Repo string `json:"repo,omitempty"`
	// Stages are the deploy's stages and their outcomes, in order.
	Stages []StageStatus `json:"stages,omitempty"`
	// QueuedTime is when Jenkins queued it, StartTime when its build
	// started, BuiltTime when that ended, CompletionTime when the Build
	// did (after its Repo and deploy).
	QueuedTime     *metav1.Time       `json:"queuedTime,omitempty"`
	StartTime      *metav1.Time       `json:"startTime,omitempty"`
	BuiltTime      *metav1.Time       `json:"builtTime,omitempty"`
	CompletionTime *metav1.Time       `json:"completionTime,omitempty"`
	Conditions     []metav1.Condition `json:"conditions,omitempty"`
}

// Stage outcomes.
const (
	StagePending     = "Pending"
	StageProgressing = "Progressing"
	StageAvailable   = "Available"
	StageRolledBack  = "RolledBack"
	StageSkipped     = "Skipped"
	StageSuperseded  = "Superseded"
)

// StageStatus is one deploy stage of a Build.
type StageStatus struct {
	Name       string `json:"name"`
	Deployment string `json:"deployment"`
	// Image is what the stage set; Generation the Deployment's generation
	// that set it.
	Image      string `json:"image,omitempty"`
	Generation int64  `json:"generation,omitempty"`
	// Phase is Pending, Progressing, Available, RolledBack, Skipped or
	// Superseded (another image was set before this one was Available).
	Phase          string       `json:"phase"`
	Message        string       `json:"message,omitempty"`
	StartTime      *metav1.Time `json:"startTime,omitempty"`
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`
}

// +kubebuilder:object:root=true

// BuildList is a list of Builds.
type BuildList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Build `json:"items"`
}
