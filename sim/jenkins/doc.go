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
//
// Builds (console.go, stop.go): a freestyle build's console log grows with
// the clock, lazily like everything else: at /consoleText, at
// logText/progressiveText and progressiveHtml with LargeText's offsets,
// X-Text-Size and X-More-Data, also through permalinks. POST stop aborts
// a running build ("Aborted by admin", "Finished: ABORTED") and redirects
// as AbstractBuild.doStop does.
//
// How builds end (outcome.go), first match wins:
//   - a build parameter SIM_RESULT (SUCCESS, UNSTABLE, FAILURE, ABORTED),
//     if the job defines it (Jenkins drops parameters a job does not
//     define, so an undefined one is never seen);
//   - SetResultFor(job, param, value, result): the builds of job whose
//     parameter has that value ("" job: any job);
//   - the job's outcome (SetJobOutcome), then Options.Result.
//
// How long they run: a defined SIM_DURATION parameter holding a Go
// duration ("3s"), the job's duration, Options.BuildDuration.
//
// Restarts (restart.go): Restart, POST /restart, POST /safeRestart (which
// first waits for running builds, as Jenkins does) and POST
// /__sim/restart abort running builds and forget the queue, waiting and
// left items alike; jobs, history and numbering stay, queue ids keep
// counting. For Options.RestartDuration every request gets Jenkins'
// 503 "Jenkins is restarting" page.
//
// Records (requests.go): BuildRequests lists every request to build or
// buildWithParameters with its parameters as sent, its status and queue
// item; Builds lists the builds run, with their logs.
//
// Uploads (upload.go): with SetJobUpload, a SUCCESS-bound build that has
// a CHACRA_URL parameter uploads one package per distro to chacra before
// it finishes, as ceph-build's chacractl calls do; a failed upload makes
// it FAILURE. Uploads lists them. These uploads are the simulator's only
// goroutines; Close cancels and waits for them.
//
// It imports nothing of minka but minka/sim: it is the outside world.
package jenkins
