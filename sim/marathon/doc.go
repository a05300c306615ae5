// Package marathon simulates a Marathon 1.4 scheduler on a small Mesos
// cluster, well enough that go-marathon v0.7.1 drives it unmodified: apps
// created and updated with PUT (create-or-update), deployments that roll
// tasks over honouring the upgrade strategy, tasks placed on agents with
// finite cpus, mem and ports and the constraint operators, 409 "App is
// locked by one or more deployments", deployment rollback, /v2/info and
// /ping, and the Mesos master operator API (POST /api/v1: GET_HEALTH,
// GET_VERSION, GET_STATE, GET_AGENTS, GET_TASKS, GET_FRAMEWORKS) over the
// same agents and tasks, as mesos-go v0.0.11 reads it. Tasks of an image
// marked bad never become healthy. Time moves
// lazily, on requests or Tick. Faults and MesosFaults inject latency and
// sim/fault's failures (500, 503, reset, hang, and applied-reset and
// applied-hang: the request applied, its reply lost), and Faults "locked".
// Every route answers paths, methods and media types as Marathon's Jersey
// and Jetty do (jersey.go, routes.go): ids are PathIds (pathid.go), so
// /v2/apps//bar/foreign is app /bar/foreign; a lone trailing slash is
// dropped; unknown routes, methods, Content-Types and Accepts get the
// exception mapper's 404/405/415/406 JSON. The Mesos master routes as
// libprocess does (mesos_http.go): /api/v1, /master/api/v1 and their
// trailing-slash forms, /version, /master/health, /master/redirect, JSON
// or protobuf calls. It imports nothing of minka.
package marathon
