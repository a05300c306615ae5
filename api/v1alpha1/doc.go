// Package v1alpha1 holds minka's resource kinds (Deployment, SlavePool, Repo,
// Pipeline, Build, Event), their defaulting, their validation with field
// paths, and strict YAML/JSON decoding.
//
// The types follow Kubernetes conventions on purpose (metav1.TypeMeta,
// metav1.ObjectMeta, metav1.Condition) so that the HTTP API can be spoken by
// kubectl-shaped tools and apimachinery helpers (label selectors, field
// errors, Status errors) apply unchanged. The package imports nothing of
// minka: it is the contract every other package meets on.
//
// +kubebuilder:object:generate=true
package v1alpha1

// Group and Version name the API group minka serves.
const (
	Group      = "minka.dev"
	Version    = "v1alpha1"
	APIVersion = Group + "/" + Version
)
