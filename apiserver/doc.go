// Package apiserver is minka's HTTP API: the only door to the store. It
// serves the Kubernetes REST layout for group minka.dev/v1alpha1 so that
// kubectl-shaped tools can speak to it. Store errors are translated into
// kind: Status responses once, in writeError.
//
// # The handler chain
//
// A resource request runs through the links kube-apiserver uses, in its
// order, each an http.Handler wrapping the next (filters.go):
//
//  1. resolve and authenticate (resolved): method and path become a
//     requestInfo (verb, kind, namespace, name, subresource) and the
//     authoriser's Attributes, both in the request context, for the
//     metrics, which count every outcome from this link on; then the
//     bearer token is checked (as in link 3) before a path that names no
//     resource is answered 404 or 405, so a caller without a token learns
//     nothing of which paths exist.
//  2. limit in flight (limitInFlight, inflight.go): past
//     --max-requests-inflight (get, list) or
//     --max-mutating-requests-inflight (writes) a request is answered at
//     once with a 429 TooManyRequests Status and Retry-After: 1; watches
//     take no slot.
//  3. authenticate (Server.Authenticated): the bearer token's SHA-256 is
//     compared in constant time with every configured hash; no match is a
//     401 Status with WWW-Authenticate. The token's User (name, role) goes
//     into the context, read with UserFrom. With no token configured every
//     request is an admin named Anonymous (the server then binds loopback
//     only). A request resolved already authenticated is not checked
//     twice.
//  4. authorise (Server.Authorized): the User's role must allow the
//     Attributes, else a 403 Status. view reads (get, list, watch); edit
//     also writes objects and their scale; admin also writes status and
//     events (auth.go).
//  5. limit the body (Server.Limited): http.MaxBytesReader bounds the body
//     to Options.MaxBodyBytes; reading past it is a 413 Status.
//  6. the verb's handler (serveResource, dispatch): decode, call the
//     store, encode.
//
// Links 3 to 5 are Server.Protected. Other routes (git webhooks, a
// shaman-compatible API, a web UI) mount through it with Server.Handle and
// get the same authentication, authorisation and limit; they are
// authorised on RequestAttributes (the verb follows the method: view may
// read, edit may write) unless they set their own with WithAttributes
// before Protected and mount with Server.Mount. A webhook that
// authenticates by signature instead mounts with Server.Mount alone.
//
// # Public paths
//
// No token is needed for /healthz, /readyz, /metrics, /version and the
// discovery documents (/apis, /apis/minka.dev, /apis/minka.dev/v1alpha1),
// so that probes, Prometheus and tools finding the API work before they
// hold one. /debug/pprof/ (with Options.Profiling) takes admin tokens only,
// and answers a plain-text 403 otherwise.
package apiserver
