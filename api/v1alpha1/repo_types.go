package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +kubebuilder:object:root=true

// Repo is a set of package repositories of one project at one sha1, built
// on a chacra node (what ceph's shaman coordinates).
type Repo struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RepoSpec   `json:"spec"`
	Status RepoStatus `json:"status,omitempty"`
}

// RepoSpec names what to build repositories for.
type RepoSpec struct {
	// Chacra names the chacra backend in the server config.
	Chacra  string `json:"chacra,omitempty"`
	Project string `json:"project"`
	Ref     string `json:"ref"`
	SHA1    string `json:"sha1"`
	// Flavor is chacra's flavor (default "default").
	Flavor  string   `json:"flavor,omitempty"`
	Distros []Distro `json:"distros"`
	// Node pins the Repo to one chacra node of the backend (its name or
	// URL). Unset, the controller picks the least recently used healthy
	// node and keeps it in status.node; setting it moves the Repo there
	// (the new node builds from the binaries it has).
	Node string `json:"node,omitempty"`
	// BuildTimeout is how long a build may stay queued or building before
	// it is Failed/BuildStalled and retried with recreate (default 30m):
	// chacra never reports a failed build.
	BuildTimeout *Duration `json:"buildTimeout,omitempty"`
	// MaxRetries is how many recreates a stalled build gets before it
	// stays Failed (default 3).
	MaxRetries *int32 `json:"maxRetries,omitempty"`
	// DeletePolicy is what deleting the Repo does to chacra's data:
	// Retain (default) keeps its repositories and binaries, which other
	// consumers may share; Delete removes them from the node first.
	DeletePolicy string `json:"deletePolicy,omitempty"`
}

// Repo delete policies.
const (
	RepoRetain = "Retain"
	RepoDelete = "Delete"
)

// Distro is one distribution a repository is built for.
type Distro struct {
	Distro  string `json:"distro"`
	Version string `json:"version"`
	// Arch is x86_64, aarch64, ... (default x86_64).
	Arch string `json:"arch,omitempty"`
}

// RepoStatus is what the controller observed.
type RepoStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Node is the chacra node holding the repositories (its name in the
	// backend, or the host that registered or called back), chosen once
	// and then kept; NodeURL is its base URL.
	Node    string `json:"node,omitempty"`
	NodeURL string `json:"nodeURL,omitempty"`
	// URL is the node's /repos/{project}/{ref}/{sha1}/ URL.
	URL     string        `json:"url,omitempty"`
	Distros []DistroState `json:"distros,omitempty"`
	// CIBuilds are the CI builds of this sha1 that reported to the
	// shaman endpoints (POST /api/builds/{project}/, as ceph-build's
	// Jenkins jobs do), the newest last, at most MaxCIBuilds.
	CIBuilds []CIBuild `json:"ciBuilds,omitempty"`
	// Conditions: Ready, NodeAvailable.
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// MaxCIBuilds bounds RepoStatus.CIBuilds.
const MaxCIBuilds = 100

// CIBuild is one build report, as shaman's builds API holds it.
type CIBuild struct {
	// URL is the build's page; it identifies the build (shaman's key).
	URL     string `json:"url"`
	LogURL  string `json:"logURL,omitempty"`
	BuildID string `json:"buildID,omitempty"`
	// Status is shaman's: queued, started, completed or failed.
	Status string `json:"status"`
	// Distro, DistroVersion and DistroArch are empty for a build of no
	// one distro (a setup job).
	Distro        string `json:"distro,omitempty"`
	DistroVersion string `json:"distroVersion,omitempty"`
	DistroArch    string `json:"distroArch,omitempty"`
	// Extra is the report's free-form "extra" object, as JSON text.
	Extra     string            `json:"extra,omitempty"`
	Started   *metav1.MicroTime `json:"started,omitempty"`
	Completed *metav1.MicroTime `json:"completed,omitempty"`
	Modified  *metav1.MicroTime `json:"modified,omitempty"`
}

// Per-distro repository states, in the order a build moves through them.
const (
	RepoWaitingForBinaries = "WaitingForBinaries"
	RepoRequested          = "Requested"
	RepoQueued             = "Queued"
	RepoBuilding           = "Building"
	RepoReady              = "Ready"
	RepoFailed             = "Failed"
)

// DistroState is one distro's repository state.
type DistroState struct {
	Distro  string `json:"distro"`
	Version string `json:"version"`
	Arch    string `json:"arch,omitempty"`
	// State is WaitingForBinaries, Requested, Queued, Building, Ready or
	// Failed; Reason says why in CamelCase (BuildStalled, ...).
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// URL is the repository (chacra's /r/... URL); ChacraURL its API
	// resource (/repos/...).
	URL       string `json:"url,omitempty"`
	ChacraURL string `json:"chacraURL,omitempty"`
	// Archs are the architectures chacra has binaries of in this repo.
	Archs []string `json:"archs,omitempty"`
	// Modified is chacra's modified time of the repo as last seen: a
	// callback or poll older than it never moves the state back.
	Modified *metav1.MicroTime `json:"modified,omitempty"`
	// LastTransitionTime is when State last changed; Transitions the last
	// time each state was entered.
	LastTransitionTime *metav1.Time      `json:"lastTransitionTime,omitempty"`
	Transitions        []StateTransition `json:"transitions,omitempty"`
	// Binaries is how many binaries chacra has for this distro and arch;
	// BinariesDigest fingerprints them (names, sizes, checksums), and
	// BuiltDigest is the fingerprint the last build requested or seen
	// covered: they differ when binaries changed after it.
	Binaries       int32  `json:"binaries,omitempty"`
	BinariesDigest string `json:"binariesDigest,omitempty"`
	BuiltDigest    string `json:"builtDigest,omitempty"`
	// Builds counts the update and recreate calls minka made; Retries the
	// recreates after a stall.
	Builds  int32 `json:"builds,omitempty"`
	Retries int32 `json:"retries,omitempty"`
}

// StateTransition is the last time a distro entered a state.
type StateTransition struct {
	State string      `json:"state"`
	Time  metav1.Time `json:"time"`
}

// +kubebuilder:object:root=true

// RepoList is a list of Repos.
type RepoList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Repo `json:"items"`
}

// LabelDiscovered marks a Repo that the shaman endpoints created from a
// chacra callback for a repository no manifest declared ("true").
const LabelDiscovered = "minka.dev/discovered"
