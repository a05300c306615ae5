package reconcile

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/client-go/util/workqueue"

	"minka/api/v1alpha1"
	"minka/store"
)

// SetupFunc wires one controller into a term: it asks the term for
// informers and registers its controller. It runs once per leadership term.
type SetupFunc func(t *Term) error

// ManagerOptions configure a Manager.
type ManagerOptions struct {
	// Controllers to run: "all", "none", or names (see Manager.Register).
	Controllers []string
	// Workers per controller.
	Workers int
	// Resync period of informers (0 = never).
	Resync time.Duration
	// LeaderElect runs the controllers only on the elected leader.
	LeaderElect bool
	Elector     ElectorOptions
	Log         logr.Logger
	Metrics     *Metrics
}

// Manager runs the registered controllers: on every process, or, with
// leader election, on the leader only, with every write fenced.
type Manager struct {
	st     *store.Store
	cli    *clientv3.Client
	opts   ManagerOptions
	setups map[string]SetupFunc
}

// NewManager builds a manager over the store and its etcd client.
func NewManager(st *store.Store, cli *clientv3.Client, opts ManagerOptions) *Manager {
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	return &Manager{st: st, cli: cli, opts: opts, setups: map[string]SetupFunc{}}
}

// Register adds a controller by name.
func (m *Manager) Register(name string, setup SetupFunc) { m.setups[name] = setup }

// Enabled returns the names --controllers selects, or an error naming an
// unknown one.
func (m *Manager) Enabled() ([]string, error) {
	var known []string
	for n := range m.setups {
		known = append(known, n)
	}
	sort.Strings(known)
	var out []string
	for _, n := range m.opts.Controllers {
		switch n = strings.TrimSpace(n); {
		case n == "all":
			return known, nil
		case n == "none" || n == "":
		case !m.known(n):
			return nil, fmt.Errorf("--controllers: unknown controller %q (known: %s)", n, strings.Join(known, ", "))
		default:
			out = append(out, n)
		}
	}
	return out, nil
}

func (m *Manager) known(name string) bool { _, ok := m.setups[name]; return ok }

// Start runs until ctx ends.
func (m *Manager) Start(ctx context.Context) error {
	names, err := m.Enabled()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		m.opts.Log.Info("no controllers enabled")
		<-ctx.Done()
		return nil
	}
	if !m.opts.LeaderElect {
		return m.runTerm(ctx, names, m.st)
	}
	opts := m.opts.Elector
	opts.Log, opts.Metrics = m.opts.Log, m.opts.Metrics
	return NewElector(m.cli, opts).Run(ctx, func(ctx context.Context, f store.Fence) error {
		return m.runTerm(ctx, names, m.st.WithFence(f))
	})
}

// runTerm builds fresh informers and controllers (nothing survives from an
// earlier term), starts them, and waits for all of them to stop.
func (m *Manager) runTerm(ctx context.Context, names []string, st *store.Store) error {
	t := &Term{Store: st, Log: m.opts.Log, manager: m, informers: map[string]*Informer{}}
	for _, n := range names {
		if err := m.setups[n](t); err != nil {
			return fmt.Errorf("setting up controller %s: %w", n, err)
		}
	}
	var wg sync.WaitGroup
	for _, inf := range t.informers {
		wg.Add(1)
		go func() { defer wg.Done(); _ = inf.Start(ctx) }()
	}
	for _, inf := range t.informers {
		if !inf.WaitForSync(ctx) {
			wg.Wait()
			return nil
		}
	}
	for _, c := range t.controllers {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Start(ctx) }()
	}
	for _, run := range t.runnables {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx) }()
	}
	m.opts.Log.Info("controllers running", "controllers", names)
	wg.Wait()
	return nil
}

// Term is what a SetupFunc builds with: the (fenced) store, shared
// informers, and controller constructors.
type Term struct {
	// Store writes carry the leader's fence when leader election is on.
	Store *store.Store
	Log   logr.Logger

	manager     *Manager
	informers   map[string]*Informer
	controllers []*Controller
	runnables   []func(context.Context)
}

// Go runs fn once the informers have synced, for as long as the term
// lasts: fn must return when its context ends (a watch of a backend's
// event stream, say).
func (t *Term) Go(fn func(ctx context.Context)) { t.runnables = append(t.runnables, fn) }

// Informer returns the term's informer of a kind, shared by controllers.
func (t *Term) Informer(k v1alpha1.Kind) *Informer {
	if inf := t.informers[k.Plural]; inf != nil {
		return inf
	}
	inf := NewInformer(t.Store, k, InformerOptions{Resync: t.manager.opts.Resync, Log: t.Log})
	t.informers[k.Plural] = inf
	return inf
}

// NewController registers a controller with the manager's workers and
// metrics; rl, if given, replaces the default rate limiter.
func (t *Term) NewController(name string, r Reconciler, rl ...workqueue.TypedRateLimiter[Request]) *Controller {
	opts := Options{Workers: t.manager.opts.Workers, Log: t.Log, Metrics: t.manager.opts.Metrics}
	if len(rl) > 0 {
		opts.RateLimiter = rl[0]
	}
	c := NewController(name, r, opts)
	t.controllers = append(t.controllers, c)
	return c
}

// Recorder returns an event recorder writing through the term's store.
func (t *Term) Recorder(component string) *Recorder {
	return NewRecorder(t.Store, component, t.manager.opts.Elector.Identity, t.Log.WithValues("component", component))
}
