// Package apiserver is minka's HTTP API: the only door to the store. It
// serves the Kubernetes REST layout for group minka.dev/v1alpha1 so that
// kubectl-shaped tools can speak to it, and runs each request through the
// chain kube-apiserver uses, in its order: resolve the request (verb,
// resource, namespace, name, subresource), authenticate the bearer token,
// authorise the verb for the token's role, limit the body, then decode,
// call the store and encode. Store errors are translated into kind: Status
// responses once, in writeError.
package apiserver
