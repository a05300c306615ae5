package deployment

import (
	"context"
	"errors"

	marathon "github.com/gambol99/go-marathon"
)

// Marathon is what the controller needs from a Marathon cluster. Apps are
// go-marathon's types: the adapter is go-marathon itself.
type Marathon interface {
	// App returns the app with its tasks, or ErrAppNotFound.
	App(ctx context.Context, id string) (*marathon.Application, error)
	// PutApp creates or updates an app; force overrides a deployment in
	// flight (Marathon cancels it).
	PutApp(ctx context.Context, app *marathon.Application, force bool) (*marathon.DeploymentID, error)
	// RollbackTo makes version the app's definition again, overriding a
	// deployment in flight.
	RollbackTo(ctx context.Context, id, version string) (*marathon.DeploymentID, error)
	// RevertDeployment is Marathon's own rollback (DELETE
	// /v2/deployments/{id}): the app returns to the definition before the
	// deployment, and a new app is removed.
	RevertDeployment(ctx context.Context, deploymentID string) error
	// DeleteApp removes an app (force: whatever deployment holds it).
	DeleteApp(ctx context.Context, id string) (*marathon.DeploymentID, error)
	// AppsLabelled lists apps that carry a label (with their tasks).
	AppsLabelled(ctx context.Context, label string) ([]marathon.Application, error)
}

// Mesos is what the controller needs from the Mesos master: the agents
// and what is free on them, to explain tasks that do not fit.
type Mesos interface {
	Agents(ctx context.Context) ([]Agent, error)
}

// Agent is a Mesos agent's capacity.
type Agent struct {
	Hostname   string
	Attributes map[string]string
	// Total and Free resources: cpus, mem (MiB), disk (MiB), ports (count).
	Total, Free Resources
}

// Resources are the scalar resources a task asks for.
type Resources struct {
	Cpus, Mem, Disk float64
	Ports           int
}

// ErrAppNotFound is Marathon's 404 for an app.
var ErrAppNotFound = errors.New("app not found")

// ErrLocked is Marathon's 409: a deployment holds the app.
var ErrLocked = errors.New("app is locked by a deployment")

// ErrRejected is Marathon's 400 or 422: the app definition is not valid
// for this Marathon; retrying the same definition cannot help.
var ErrRejected = errors.New("app definition rejected")
