// Package jenkins simulates the parts of a Jenkins controller (2.4xx) that
// minka and ceph's mita use, well enough that gojenkins v1.1.0 drives it
// unmodified: the JSON API of the root, the queue, jobs, builds and
// computers; job creation from config.xml; builds and parameterised
// builds; JNLP agent creation, deletion and temporary offline; basic auth
// with an API token. A scheduler starts queued builds on online, idle
// executors whose labels satisfy the job's label expression, and explains
// a waiting item with Jenkins' own `why` texts (2.125+ quoting, canonical
// label expressions). Faults injects latency and sim/fault's failures
// (500, 503, reset, hang, and applied-reset and applied-hang: the request
// applied, its reply lost). It imports nothing of minka: it is the outside
// world.
package jenkins
