// Package chacra simulates ceph's chacra binary and repository server
// (github.com/ceph/chacra @11471163), well enough that chacractl, shaman's
// clients and minka's repo controller drive it unmodified.
//
// The URL tree is chacra's Pecan tree, trailing slashes included:
// /binaries/{project}/{ref}/{sha1}/{distro}/{version}/{arch}/[flavors/{flavor}/][{name}/]
// (listings at every level, multipart upload with file and force, HEAD,
// GET, PUT and DELETE of a binary), /repos/{project}/{ref}/{sha1}/{distro}/{version}/[flavors/{flavor}/]
// (listings, the repo JSON, POST of its fields, update, recreate, extra,
// repo), /search/, /health/ and /. Writes need basic auth; a refusal is
// webob's 401 page with chacra's WWW-Authenticate header. Errors are
// webob's HTML pages, or chacra's {"message": ...} JSON where chacra uses
// its error controller; the upstream 500s (PUT of a missing binary,
// DELETE of a repo with binaries) are reproduced.
//
// Repositories are built as chacra's celery tasks build them (builds.go):
// every PollInterval, each repo that needs_update and is neither queued
// nor updating is queued (callback "queued"); QuietTime later its build
// starts (callback "building", then is_updating) and BuildTime later it is
// ready (callback "ready"). POST update clears is_updating, so an update
// during a build starts a second one (the upstream race); HangBuilds or
// HangRepo leave a build in is_updating forever. Callbacks are POSTed to
// {CallbackURL}/{project}/ with the repo JSON plus status, chacra_url and
// url, retried 3 times CallbackRetryDelay apart on any failure (celery's
// default max_retries with chacra's default_retry_delay).
//
// Poll runs a polling cycle on demand (with a long PollInterval a test
// drives the cycle itself); Builds, UpdateCalls and Callbacks count what
// happened. With HealthPingURL a starting node pings shaman's
// /api/nodes/{host}/ as chacra's post_if_healthy does.
//
// A Cluster runs several nodes on loopback listeners; a node can be
// marked down (its connections closed unanswered) or made to fail its
// health check. Faults injects sim/fault's failures, plus Crash
// (wsgiref's text/plain 500 of an unhandled exception). It imports
// nothing of minka: it is the outside world.
package chacra
