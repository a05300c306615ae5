package v1alpha1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +kubebuilder:object:root=true

// Pipeline turns git pushes into Jenkins builds, artifacts and deployments.
type Pipeline struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PipelineSpec   `json:"spec"`
	Status PipelineStatus `json:"status,omitempty"`
}

// PipelineSpec says what to build, how, and where it goes.
type PipelineSpec struct {
	// Jenkins names the Jenkins backend; Job is the Jenkins job to run.
	Jenkins string `json:"jenkins,omitempty"`
	Job     string `json:"job"`
	// Label is the Jenkins label expression the job's builds run on, e.g.
	// "trusty && amd64"; SlavePools whose labels satisfy it serve them.
	Label   string   `json:"label,omitempty"`
	Source  Source   `json:"source"`
	Trigger *Trigger `json:"trigger,omitempty"`
	// Parameters are passed to every build of the job.
	Parameters map[string]string `json:"parameters,omitempty"`
	Artifacts  *Artifacts        `json:"artifacts,omitempty"`
	Deploy     *Deploy           `json:"deploy,omitempty"`
	// HistoryLimit is how many finished Builds are kept (default 10).
	HistoryLimit *int32 `json:"historyLimit,omitempty"`
	// Concurrency says how Builds of one key run beside each other
	// (default: Allow, keyed by branch).
	Concurrency *Concurrency `json:"concurrency,omitempty"`
}

// Concurrency policies.
const (
	// ConcurrencyAllow runs every Build at once.
	ConcurrencyAllow = "Allow"
	// ConcurrencySerial runs one Build of a key at a time, in number
	// order; the others wait Pending.
	ConcurrencySerial = "Serial"
	// ConcurrencyReplace cancels a key's waiting and running Builds when
	// a newer one of the key exists.
	ConcurrencyReplace = "Replace"
)

// Concurrency keys.
const (
	// KeyBranch groups Builds by branch (a tag's Builds by tag).
	KeyBranch = "branch"
	// KeyPipeline puts every Build of the Pipeline in one group.
	KeyPipeline = "pipeline"
)

// Concurrency is a Pipeline's concurrency policy.
type Concurrency struct {
	// Policy is Allow (default), Serial or Replace.
	Policy string `json:"policy,omitempty"`
	// Key is branch (default) or pipeline.
	Key string `json:"key,omitempty"`
}

// Source is the git repository and the branches that trigger builds.
type Source struct {
	Git string `json:"git"`
	// Branches are glob patterns (path.Match syntax), e.g. master, release/*.
	// None: every branch.
	Branches []string `json:"branches,omitempty"`
	// Tags are glob patterns of the tags whose pushes build (v*). None: a
	// tag push builds nothing.
	Tags []string `json:"tags,omitempty"`
}

// Trigger says what starts a build.
type Trigger struct {
	// Webhook names the HMAC secret (from the server config) that signs push
	// hooks for this pipeline.
	Webhook *WebhookTrigger `json:"webhook,omitempty"`
	// Manual allows builds created by hand (default true).
	Manual *bool `json:"manual,omitempty"`
}

// WebhookTrigger says which secret signs the pushes: one of the server
// config's secrets by name, or a value sealed by `minka encrypt` (a
// secret in clear is refused).
type WebhookTrigger struct {
	// SecretRef names a secret of the server config's secrets list.
	SecretRef string `json:"secretRef,omitempty"`
	// Secret is the secret sealed for this Pipeline or its namespace
	// (printf %s SECRET | minka encrypt --scope pipeline/NAME).
	Secret string `json:"secret,omitempty"`
}

// Artifacts are what a successful build produces.
type Artifacts struct {
	// Image is tagged <pipeline>-<build>-<branch>-<git describe>.
	Image *ImageArtifact `json:"image,omitempty"`
	Repo  *RepoArtifact  `json:"repo,omitempty"`
}

// ImageArtifact is a docker image repository.
type ImageArtifact struct {
	Repository string `json:"repository"`
}

// RepoArtifact asks for package repositories of the build's sha1.
type RepoArtifact struct {
	Chacra  string   `json:"chacra,omitempty"`
	Project string   `json:"project"`
	Flavor  string   `json:"flavor,omitempty"`
	Distros []Distro `json:"distros"`
}

// Deploy updates Deployments with the build's image: one (deployment),
// or several in order (stages), each started only once the one before
// it is Available at the new image with its verify passed.
type Deploy struct {
	// Deployment is the one Deployment of a single-stage deploy; Stages
	// the ordered ones of a multi-stage deploy (one of the two).
	Deployment string `json:"deployment,omitempty"`
	// When is stable (default: only a successful build whose describe is
	// exactly a tag) or always (every successful build).
	When   string        `json:"when,omitempty"`
	Stages []DeployStage `json:"stages,omitempty"`
}

// DeployStage is one step of a staged rollout.
type DeployStage struct {
	// Name names the stage (staging, production).
	Name       string `json:"name"`
	Deployment string `json:"deployment"`
}

// StagesOf are a Deploy's stages, a single deployment as one stage of
// its name.
func (d *Deploy) StagesOf() []DeployStage {
	if d == nil {
		return nil
	}
	if len(d.Stages) > 0 {
		return d.Stages
	}
	if d.Deployment == "" {
		return nil
	}
	return []DeployStage{{Name: d.Deployment, Deployment: d.Deployment}}
}

// PipelineStatus is what the controller observed.
type PipelineStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// LastBuildNumber is the number of the newest Build created; numbers
	// never repeat, even when Builds are deleted.
	LastBuildNumber int64      `json:"lastBuildNumber,omitempty"`
	LastBuilds      []BuildRef `json:"lastBuilds,omitempty"`
	// Deliveries are the last webhook deliveries that authenticated, the
	// newest last: at most MaxDeliveries, none older than DeliveryTTL.
	Deliveries []Delivery `json:"deliveries,omitempty"`
	// Conditions: Ready, BackendAvailable.
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// Bounds of PipelineStatus.Deliveries.
const (
	MaxDeliveries = 50
	DeliveryTTL   = 24 * time.Hour
)

// Delivery outcomes.
const (
	// DeliveryBuilt: a Build was created.
	DeliveryBuilt = "Built"
	// DeliveryDuplicate: a redelivery; the first one's Build answers.
	DeliveryDuplicate = "Duplicate"
	// DeliveryIgnored: authenticated, nothing to build (a ping, a branch
	// deletion, a branch not followed, [skip ci], not a push).
	DeliveryIgnored = "Ignored"
)

// Delivery is one webhook delivery as received.
type Delivery struct {
	// ID is the sender's delivery id (X-GitHub-Delivery, ...).
	ID string `json:"id"`
	// Event is the sender's event name; Style the sender (github, gitea,
	// gitlab, token).
	Event string `json:"event"`
	Style string `json:"style"`
	Ref   string `json:"ref,omitempty"`
	SHA1  string `json:"sha1,omitempty"`
	// Outcome is Built, Duplicate or Ignored; Reason says why; Build is
	// the Build it created or answered with.
	Outcome string      `json:"outcome"`
	Reason  string      `json:"reason,omitempty"`
	Build   string      `json:"build,omitempty"`
	Time    metav1.Time `json:"time"`
}

// BuildRef summarises one Build of the pipeline.
type BuildRef struct {
	Name   string `json:"name"`
	Number int64  `json:"number"`
	Branch string `json:"branch,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	Phase  string `json:"phase,omitempty"`
	Tag    string `json:"tag,omitempty"`
}

// +kubebuilder:object:root=true

// PipelineList is a list of Pipelines.
type PipelineList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Pipeline `json:"items"`
}
