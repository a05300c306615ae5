// Package marathon simulates a Marathon 1.4 scheduler on a small Mesos
// cluster, well enough that go-marathon v0.7.1 drives it unmodified: apps
// created and updated with PUT (create-or-update), deployments that roll
// tasks over honouring the upgrade strategy, tasks placed on agents with
// finite cpus, mem and ports and the constraint operators, 409 "App is
// locked by one or more deployments", deployment rollback, /v2/info and
// /ping. Tasks of an image marked bad never become healthy. Time moves
// lazily, on requests or Tick. It imports nothing of minka.
package marathon
