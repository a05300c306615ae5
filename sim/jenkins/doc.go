// Package jenkins simulates the parts of a Jenkins controller (2.4xx) that
// minka, ceph's mita (python-jenkins), gojenkins v1.1.0 and curl scripts
// use, well enough that they drive it unmodified.
//
// URLs are bound as Stapler binds them (stapler.go): canonical paths
// (empty and dot segments dropped), per-token decoding, the trailing-slash
// redirect of an object, web methods that ignore what follows them, 405
// for @RequirePOST, 404 for a verb an @POST method does not take. Every
// object's api/ serves json, xml and python with ?tree= and ?pretty
// (api.go, tree.go). Errors have Jenkins' bodies (pages.go): the "Oops!"
// 404 page, hudson.model.Failure's 400 with X-Error, the /oops 500,
// Jetty's error page for sendError, the login-redirect 403.
//
// In front, the filter chain (auth.go): basic auth with the API token
// (no crumb needed) or, with Options.Password, the password (a crumb from
// /crumbIssuer bound to the session cookie needed to POST); anonymous
// without Overall/Read only reaches /whoAmI.
//
// The model: jobs created from config.xml (served back, replaced by POST),
// builds and parameterised builds (the json form or named parameters),
// permalinks, the queue with Jenkins' `why` texts (2.125+ quoting,
// canonical label expressions) and cancelItem's 204/404/500, JNLP agents
// created from the New Node form or a config.xml, their agent files,
// offline causes and deletion. A scheduler starts queued builds on online,
// idle executors whose labels satisfy the job's label expression. Faults
// injects latency and sim/fault's failures (500, 503, reset, hang, and
// applied-reset and applied-hang: the request applied, its reply lost).
// It imports nothing of minka: it is the outside world.
package jenkins
