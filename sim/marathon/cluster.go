package marathon

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"minka/sim/fault"
	"minka/sim/reqcount"
)

// Agent is a Mesos agent with finite resources.
type Agent struct {
	ID, Hostname string
	Cpus, Mem    float64
	Disk         float64
	// Ports is the inclusive host port range offered.
	PortsLo, PortsHi int
	Attributes       map[string]string
}

// Locked is the named failure that answers Marathon's 409 "App is locked
// by one or more deployments" whatever the app's state.
const Locked = "locked"

const lockedMessage = "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'."

// Options configure the cluster.
type Options struct {
	// Agents default to three of 4 cpus, 8192 MiB, ports 31000-31999.
	Agents []Agent
	// StageDelay is how long a task stays TASK_STAGING (default 1s);
	// HealthDelay how long a running task with health checks waits for its
	// first healthy result (default 1s).
	StageDelay, HealthDelay time.Duration
	Now                     func() time.Time
	Seed                    int64
}

// Cluster is a simulated Marathon on a simulated Mesos.
type Cluster struct {
	opts        Options
	mu          sync.Mutex
	agents      []*Agent
	apps        map[string]*app
	deployments map[string]*deployment
	badImages   map[string]bool
	puts        int
	nextService int
	subscribers map[*subscriber]struct{}
	closed      bool
	// Faults injects latency and failures into the Marathon API,
	// MesosFaults into the Mesos master's; each is also at /__sim/faults
	// of its server.
	Faults, MesosFaults *fault.Injector
	// Requests and MesosRequests count the requests each API answers, by
	// method and path (the event stream is one request, however long).
	Requests, MesosRequests reqcount.Counter
	handler, mesos          http.Handler
	api                     resource // Marathon's REST routes
	// heartbeat is EventSourceServlet's heartBeatPeriod (10 s): an idle
	// event stream gets a CRLF this often.
	heartbeat time.Duration
	started   time.Time // when this Marathon started (WADL's Last-modified)
}

// New returns a cluster.
func New(opts Options) *Cluster {
	if opts.Agents == nil {
		for i := 1; i <= 3; i++ {
			opts.Agents = append(opts.Agents, Agent{ID: fmt.Sprintf("a1b2c3d4-0000-4000-8000-00000000000%d-S%d", i, i),
				Hostname: fmt.Sprintf("10.0.1.%d", 10+i), Cpus: 4, Mem: 8192, Disk: 100000, PortsLo: 31000, PortsHi: 31999,
				Attributes: map[string]string{"rack": fmt.Sprintf("r%d", (i+1)/2)}})
		}
	}
	if opts.StageDelay == 0 {
		opts.StageDelay = time.Second
	}
	if opts.HealthDelay == 0 {
		opts.HealthDelay = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cluster{opts: opts, apps: map[string]*app{}, deployments: map[string]*deployment{}, badImages: map[string]bool{}, nextService: 10000,
		subscribers: map[*subscriber]struct{}{}, heartbeat: 10 * time.Second, started: opts.Now()}
	for i := range opts.Agents {
		a := opts.Agents[i]
		c.agents = append(c.agents, &a)
	}
	c.Faults = fault.New(opts.Seed)
	c.Faults.Define(Locked, func(w http.ResponseWriter, r *http.Request) {
		// go-marathon calls a 409 "locked" only when it names a deployment.
		mappedJSON(w, http.StatusConflict, map[string]any{"message": lockedMessage, "deployments": []any{map[string]any{"id": uuid()}}})
	})
	c.api = c.marathonAPI()
	c.handler = c.Requests.Wrap(c.Faults.Wrap(http.HandlerFunc(c.serveMarathon)))
	c.MesosFaults = fault.New(opts.Seed + 1)
	c.mesos = c.MesosRequests.Wrap(c.MesosFaults.Wrap(http.HandlerFunc(c.serveMesos)))
	return c
}

// Marathon is the Marathon v2 API handler.
func (c *Cluster) Marathon() http.Handler { return c.handler }

// Close releases requests held by a hang fault and ends event streams,
// so that the servers serving the cluster can shut down.
func (c *Cluster) Close() {
	c.Faults.Close()
	c.MesosFaults.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for s := range c.subscribers {
		close(s.ch)
		delete(c.subscribers, s)
	}
}

// DropEventStreams ends every /v2/events stream, as a Marathon failover
// or a proxy timeout does; clients reconnect.
func (c *Cluster) DropEventStreams() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := range c.subscribers {
		close(s.ch)
		delete(c.subscribers, s)
	}
}

// AddAgent adds capacity; waiting tasks may now fit.
func (c *Cluster) AddAgent(a Agent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.agents = append(c.agents, &a)
	c.unsettle()
	c.advance()
}

// MarkImageBad makes tasks of a docker image fail their health checks.
func (c *Cluster) MarkImageBad(image string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.badImages[image] = true
	c.unsettle()
}

// Puts is how many app PUTs and POSTs the API has accepted (tests count
// a controller's writes with it).
func (c *Cluster) Puts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts
}

// Tick moves time on without a request.
func (c *Cluster) Tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
}
