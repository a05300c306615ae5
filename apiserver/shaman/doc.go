// Package shaman serves ceph's shaman API from minka's store, so that
// Jenkins jobs, teuthology-style consumers and chacra nodes configured
// for shaman keep working with only the URL changed: the same paths,
// methods, status codes, content types and JSON shapes (captured from a
// real shaman in sim/chacra/testdata/reference/chacra; the shaman__*
// files are copied into testdata/ here, which the fidelity test replays).
//
// It is not a second database: repositories are the Repos' status,
// read through an in-memory index that follows the server's watch cache;
// chacra's callbacks and Jenkins' build reports are written into Repos
// with UpdateStatus; nodes are a chacra.Pool, health-checked in the
// background. Where shaman misbehaves minka does better, and says so
// where it does: callbacks are validated (400 naming the field, never a
// 500), a node that recovers comes back by itself, a redelivered or
// late callback never moves a state backwards.
package shaman
