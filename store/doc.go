// Package store is minka's typed resource storage on etcd v3. It owns every
// storage invariant: resourceVersion is the etcd mod revision, creates are
// guarded by mod_revision 0, updates by the caller's revision, generation
// moves only on spec changes, status writes never touch the spec, deletion
// honours finalizers, and a write whose encoded bytes are unchanged is not a
// write at all (so "apply unchanged" and "zero writes at rest" hold).
//
// Keys are /minka/<plural>/<namespace>/<name>; values are the object's JSON,
// at most MaxObjectBytes of the etcd request limit (limits.go: one setting
// bounds etcd's requests, objects and, by default, the API's bodies).
// Errors are typed (ErrNotFound, ErrConflict, ErrTooLarge, ...) and matched with
// errors.Is; the HTTP layer translates them once.
package store
