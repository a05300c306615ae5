package slavepool

import (
	"context"
	"errors"
	"time"

	"minka/backend/jenkins"
)

// Jenkins is what the controller needs from a Jenkins controller
// (implemented by minka/backend/jenkins).
type Jenkins interface {
	// Name is the backend's name in the server config.
	Name() string
	// Snapshot reads the queue, then the nodes, each unless the one
	// shared was read at most its maxAge ago with no write attempt since.
	Snapshot(ctx context.Context, queueAge, nodesAge time.Duration) (*Snapshot, error)
	// CreateNode adds a JNLP agent node; an existing one is not an error.
	CreateNode(ctx context.Context, n NodeSpec) error
	// Secret is the JNLP agent secret of a node.
	Secret(ctx context.Context, name string) (string, error)
	// SetOffline marks a node temporarily offline (or back online).
	SetOffline(ctx context.Context, name string, offline bool, message string) error
	// DeleteNode removes a node; a missing one is not an error.
	DeleteNode(ctx context.Context, name string) error
	// URL is the Jenkins URL agents connect to.
	URL() string
	// LastFailure is the last timeout, transport error or 5xx.
	LastFailure() string
}

// The Jenkins client's types, under the names this package uses.
type (
	Snapshot  = jenkins.Snapshot
	QueueItem = jenkins.QueueItem
	Node      = jenkins.Node
	NodeSpec  = jenkins.NodeSpec
)

// Cloud is what the controller needs from OpenStack.
type Cloud interface {
	// Name is the backend's name in the server config.
	Name() string
	// AllServers lists every server of the project, or returns a list
	// read at most maxAge ago with no create or delete attempt since.
	AllServers(ctx context.Context, maxAge time.Duration) ([]Server, error)
	CreateServer(ctx context.Context, s ServerSpec) (Server, error)
	DeleteServer(ctx context.Context, id string) error
	// Room is how many more servers of the flavor the quotas allow, and
	// the quota that binds ("" when none does).
	Room(ctx context.Context, flavor string) (int, string, error)
	// LastFailure is the last timeout, transport error or 5xx.
	LastFailure() string
}

// Server is a Nova server.
type Server struct {
	ID, Name, Status, IP string
	Metadata             map[string]string
	Created              time.Time
	Fault                string
}

// ServerSpec is a server to boot.
type ServerSpec struct {
	Name, Image, Flavor, KeyName, AvailabilityZone string
	Networks, SecurityGroups                       []string
	Metadata                                       map[string]string
	UserData                                       []byte
	VolumeSizeGB                                   int
}

// ErrQuota is Nova's 403/413 for an exceeded quota.
var ErrQuota = errors.New("quota exceeded")

// specError is a failure the spec causes (a user-data template that does
// not render, a flavor or image the cloud does not have): a condition
// naming the field, not a backend outage.
type specError struct {
	field string
	err   error
}

func (e *specError) Error() string { return e.field + ": " + e.err.Error() }
func (e *specError) Unwrap() error { return e.err }

// jenkinsError marks a failed Jenkins call, for the condition's reason.
type jenkinsError struct{ err error }

func (e *jenkinsError) Error() string { return e.err.Error() }
func (e *jenkinsError) Unwrap() error { return e.err }
