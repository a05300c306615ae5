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
}

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
	// Node is the chacra node chosen round-robin among healthy ones, then kept.
	Node    string        `json:"node,omitempty"`
	URL     string        `json:"url,omitempty"`
	Distros []DistroState `json:"distros,omitempty"`
	// Conditions: Ready, NodeAvailable.
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// DistroState is one distro's repository state.
type DistroState struct {
	Distro  string `json:"distro"`
	Version string `json:"version"`
	Arch    string `json:"arch,omitempty"`
	// State is Requested, Queued, Building, Ready or Failed.
	State   string `json:"state"`
	URL     string `json:"url,omitempty"`
	Message string `json:"message,omitempty"`
}

// +kubebuilder:object:root=true

// RepoList is a list of Repos.
type RepoList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Repo `json:"items"`
}
