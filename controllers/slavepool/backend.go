package slavepool

import (
	"context"
	"errors"
	"time"
)

// Jenkins is what the controller needs from a Jenkins controller.
type Jenkins interface {
	// Snapshot reads the queue and the nodes at one moment.
	Snapshot(ctx context.Context) (*Snapshot, error)
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
}

// Snapshot is the Jenkins queue and nodes.
type Snapshot struct {
	Items []QueueItem
	Nodes map[string]Node
	// Taken is when the shared snapshot was read (set by jenkinsBackend).
	Taken time.Time
}

// QueueItem is one queued build.
type QueueItem struct {
	ID        int64
	Why       string
	Buildable bool
	Stuck     bool
	Task      string
}

// Node is a Jenkins agent.
type Node struct {
	Name               string
	Executors          int
	Busy               int
	Offline            bool
	TemporarilyOffline bool
	Labels             []string
}

// NodeSpec is an agent node to create.
type NodeSpec struct {
	Name, Description, RemoteFS string
	Executors                   int
	Labels                      []string
}

// Cloud is what the controller needs from OpenStack.
type Cloud interface {
	// Servers lists the servers whose name starts with prefix.
	Servers(ctx context.Context, prefix string) ([]Server, error)
	CreateServer(ctx context.Context, s ServerSpec) (Server, error)
	DeleteServer(ctx context.Context, id string) error
	// Room is how many more servers of the flavor the quotas allow, and
	// the quota that binds ("" when none does).
	Room(ctx context.Context, flavor string) (int, string, error)
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
