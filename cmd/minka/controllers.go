package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/sealed"
	"minka/backend"
	"minka/backend/chacra"
	"minka/backend/gitmirror"
	"minka/backend/jenkins"
	"minka/backend/transport"
	"minka/controllers/alert"
	"minka/controllers/deployment"
	"minka/controllers/gc"
	"minka/controllers/pipeline"
	"minka/controllers/repo"
	"minka/controllers/slavepool"
	"minka/reconcile"
	"minka/store"
)

// controllerDeps is what a controller's constructor may use; it runs once
// per process, and the SetupFunc it returns once per leadership term.
type controllerDeps struct {
	opts     *serverOptions
	backends backend.Config
	clients  *backendClients
	reg      prometheus.Registerer
	log      logr.Logger
}

// backendClients are built once per process and shared by the
// controllers: one transport's metrics, one client per Jenkins.
type backendClients struct {
	metrics *transport.Metrics
	jenkins map[string]*jenkins.Client
	// chacra are the nodes of each chacra backend, shared by the Repo
	// controller and the shaman endpoints; runServer runs their health
	// checks.
	chacra map[string]*chacra.Pool
	// git mirrors the Pipelines' sources under the data directory, with
	// the config's insteadOf rules applied.
	git rewritingGit
	// keys open sealed values as they are handed to a backend (Jenkins'
	// parameters, Marathon's env); nil when the config has none.
	keys *sealed.Keys
	// notifications are the receivers Alerts send to.
	notifications backend.Notifications
}

// rewritingGit applies the server config's insteadOf rules to every
// source URL before the mirror sees it.
type rewritingGit struct {
	m   *gitmirror.Mirrors
	cfg backend.Git
}

func (g rewritingGit) Resolve(ctx context.Context, url, ref string) (string, error) {
	return g.m.Resolve(ctx, g.cfg.Rewrite(url), ref)
}

func (g rewritingGit) Describe(ctx context.Context, url, sha1 string) (gitmirror.Describe, error) {
	return g.m.Describe(ctx, g.cfg.Rewrite(url), sha1)
}

func newBackendClients(cfg backend.Config, git backend.Git, gitDir string, reg prometheus.Registerer, log logr.Logger) (*backendClients, error) {
	m, err := transport.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	cm, err := chacra.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	pools, err := chacra.NewPools(cfg, chacra.Options{BackendMetrics: m, Metrics: cm, Log: log.WithName("chacra")})
	if err != nil {
		return nil, err
	}
	c := &backendClients{metrics: m, jenkins: map[string]*jenkins.Client{}, chacra: pools,
		git: rewritingGit{m: gitmirror.New(gitDir, gitmirror.Options{}), cfg: git}}
	for _, jc := range cfg.Jenkins {
		if c.jenkins[jc.Name], err = jenkins.New(jc, m); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// controllerSetups is the registry of controllers `--controllers` names.
var controllerSetups = map[string]func(controllerDeps) (reconcile.SetupFunc, error){
	gc.Name: func(controllerDeps) (reconcile.SetupFunc, error) { return gc.Setup, nil },
	alert.Name: func(d controllerDeps) (reconcile.SetupFunc, error) {
		return alert.New(alert.Options{Notifications: d.clients.notifications, Registry: d.reg, Log: d.log})
	},
	slavepool.Name: func(d controllerDeps) (reconcile.SetupFunc, error) {
		return slavepool.New(slavepool.Options{Backends: d.backends, Jenkins: d.clients.jenkins, BackendMetrics: d.clients.metrics,
			Registry: d.reg, Log: d.log})
	},
	repo.Name: func(d controllerDeps) (reconcile.SetupFunc, error) {
		return repo.New(repo.Options{Backends: d.backends, Pools: d.clients.chacra, BackendMetrics: d.clients.metrics,
			Registry: d.reg, Log: d.log})
	},
	pipeline.Name: func(d controllerDeps) (reconcile.SetupFunc, error) {
		return pipeline.New(pipeline.Options{Backends: d.backends, Jenkins: d.clients.jenkins, BackendMetrics: d.clients.metrics,
			Git: d.clients.git, Keys: d.clients.keys, Registry: d.reg, Log: d.log})
	},
	deployment.Name: func(d controllerDeps) (reconcile.SetupFunc, error) {
		return deployment.New(deployment.Options{Backends: d.backends, DeleteOrphans: d.opts.deleteOrphanedApps, Keys: d.clients.keys,
			BackendMetrics: d.clients.metrics, Registry: d.reg, Log: d.log})
	},
}

func controllerNames() []string {
	var out []string
	for n := range controllerSetups {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// newManager builds the controller manager; an unknown --controllers name
// or a backend whose client cannot be built fails here, before anything
// serves.
func newManager(o *serverOptions, backends backend.Config, clients *backendClients, st *store.Store, etcd *store.Etcd, reg prometheus.Registerer, log logr.Logger) (*reconcile.Manager, error) {
	metrics, err := reconcile.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	m := reconcile.NewManager(st, etcd.Client, reconcile.ManagerOptions{
		Controllers: o.controllers, Workers: o.workers, Resync: o.resync, LeaderElect: o.leaderElect,
		Elector: reconcile.ElectorOptions{Identity: fmt.Sprintf("%s_%d", host, os.Getpid()), LeaseDuration: o.leaseDuration},
		Log:     log.WithName("controllers"), Metrics: metrics,
	})
	// Names first, so that --controllers is checked before any client
	// is built; then the constructors of the enabled ones.
	for name := range controllerSetups {
		m.Register(name, nil)
	}
	enabled, err := m.Enabled()
	if err != nil {
		return nil, err
	}
	deps := controllerDeps{opts: o, backends: backends, clients: clients, reg: reg, log: log.WithName("controllers")}
	for _, name := range enabled {
		setup, err := controllerSetups[name](deps)
		if err != nil {
			return nil, fmt.Errorf("controller %s: %w", name, err)
		}
		m.Register(name, setup)
	}
	return m, nil
}
