package chacra

import (
	"fmt"
	"net/http/httptest"
	"strings"
)

// Cluster runs several chacra nodes, each on its own loopback listener.
type Cluster struct {
	Nodes   []*Node
	servers []*httptest.Server
}

// NewCluster starts n nodes named chacra1..chacraN (unless opts.Name is
// set, then name1..); each gets its server's URL, the rest of opts is
// shared. Close stops them.
func NewCluster(n int, opts Options) *Cluster {
	c := &Cluster{}
	base := opts.Name
	if base == "" {
		base = "chacra"
	}
	for i := 1; i <= n; i++ {
		srv := httptest.NewUnstartedServer(nil)
		o := opts
		o.Name = fmt.Sprintf("%s%d", base, i)
		o.URL = "http://" + srv.Listener.Addr().String()
		o.Seed = opts.Seed + int64(i)
		node := New(o)
		srv.Config.Handler = node
		srv.Start()
		c.Nodes = append(c.Nodes, node)
		c.servers = append(c.servers, srv)
	}
	return c
}

// URLs are the nodes' base URLs, in order.
func (c *Cluster) URLs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.URL()
	}
	return out
}

// Node returns the node with that name or URL, or nil.
func (c *Cluster) Node(nameOrURL string) *Node {
	for _, n := range c.Nodes {
		if n.Name() == nameOrURL || n.URL() == strings.TrimSuffix(nameOrURL, "/") {
			return n
		}
	}
	return nil
}

// Close stops every node and its server.
func (c *Cluster) Close() {
	for i, n := range c.Nodes {
		n.Close()
		c.servers[i].CloseClientConnections()
		c.servers[i].Close()
	}
}
