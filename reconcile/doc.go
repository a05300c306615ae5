// Package reconcile is minka's controller machinery, in the manner of
// controller-runtime and client-go but smaller: informers that list and
// watch the store into an indexed cache, rate-limited work queues
// (client-go's workqueue), a runner that calls a Reconciler for each key
// with one worker per key at a time, per-key exponential backoff and
// panic recovery, plus condition and event helpers and Prometheus metrics
// named as controller-runtime's. It names no kind: controllers bring their
// own.
package reconcile
