package jenkins

import "time"

// Snapshot is the Jenkins queue and nodes, read at one moment.
type Snapshot struct {
	Items []QueueItem
	Nodes map[string]Node
	// Taken is when the queue was read, NodesTaken when the nodes were.
	Taken, NodesTaken time.Time
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
