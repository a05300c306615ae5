package main

import (
	"fmt"
	"os"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/controllers/gc"
	"minka/reconcile"
	"minka/store"
)

// controllerSetups is the registry of controllers `--controllers` names.
var controllerSetups = map[string]reconcile.SetupFunc{
	gc.Name: gc.Setup,
}

func controllerNames() []string {
	var out []string
	for n := range controllerSetups {
		out = append(out, n)
	}
	return out
}

// newManager builds the controller manager; an unknown --controllers name
// fails here, before anything serves.
func newManager(o *serverOptions, st *store.Store, etcd *store.Etcd, reg prometheus.Registerer, log logr.Logger) (*reconcile.Manager, error) {
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
	for name, setup := range controllerSetups {
		m.Register(name, setup)
	}
	if _, err := m.Enabled(); err != nil {
		return nil, err
	}
	return m, nil
}
