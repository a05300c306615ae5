// Package deployment is the Deployment controller: each Deployment is the
// Marathon app /<namespace>/<name>, PUT when the live app differs from the
// spec, followed through its Marathon deployment to healthy and verified,
// rolled back when it fails or stalls, restored when changed behind
// minka's back, and deleted (behind a finalizer) with its object.
package deployment

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/backend"
	"minka/backend/transport"
	"minka/reconcile"
)

// Name is the controller's name for --controllers.
const Name = "deployment"

// Finalizer holds a Deployment until its Marathon app is gone.
const Finalizer = "minka.dev/marathon-app"

// Event reasons.
const (
	EventRolloutStarted        = "RolloutStarted"
	EventRolloutComplete       = "RolloutComplete"
	EventRolloutFailed         = "RolloutFailed"
	EventRolledBack            = "RolledBack"
	EventDriftCorrected        = "DriftCorrected"
	EventInsufficientResources = "InsufficientResources"
	EventVerifyFailed          = "VerifyFailed"
	EventDeletingApp           = "DeletingApp"
	EventAppDeleted            = "AppDeleted"
	EventOrphanedApp           = "OrphanedApp"
	EventOrphanDeleted         = "OrphanedAppDeleted"
	// A backend error's event has the reason of its Degraded condition.
	EventMarathonUnavailable = ReasonMarathonUnavailable
	EventAppLocked           = ReasonAppLocked
	EventAppRejected         = ReasonAppRejected
)

// Options configure the controller.
type Options struct {
	Backends backend.Config
	// DeleteOrphans deletes apps that carry minka's ownership labels and
	// have no Deployment; otherwise they are only reported.
	DeleteOrphans bool
	// OrphanScan is how often apps are checked for orphans (default 1m).
	OrphanScan time.Duration
	Registry   prometheus.Registerer
	// BackendMetrics count the requests to Marathon, Mesos and the
	// verify endpoints (minka_backend_requests_total); nil counts nothing.
	BackendMetrics *transport.Metrics
	// Keys open sealed env values as they are handed to Marathon; nil:
	// the server holds none, and a Deployment with one is Degraded.
	Keys *sealed.Keys
	Log  logr.Logger
	// Now is the clock (tests).
	Now func() time.Time
}

// clients are one Marathon backend's clients, built once per process.
type clients struct {
	name     string
	cfg      backend.Marathon
	marathon Marathon
	mesos    Mesos // nil without mesosURL
	verify   *verifier
	events   *eventStream
}

// New builds the clients and metrics once, and returns the SetupFunc that
// wires the controller into each leadership term.
func New(opts Options) (reconcile.SetupFunc, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OrphanScan <= 0 {
		opts.OrphanScan = time.Minute
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	backends := map[string]*clients{}
	for _, cfg := range opts.Backends.Marathon {
		c, err := newClients(cfg, opts.BackendMetrics, opts.Log)
		if err != nil {
			return nil, err
		}
		backends[cfg.Name] = c
	}
	kind, err := v1alpha1.KindOf(&v1alpha1.Deployment{})
	if err != nil {
		return nil, err
	}
	// Deployments created in this server carry the finalizer from their
	// create on, which spares the first pass a write before its PUT; the
	// pass still adds it to one created elsewhere (an API-only server).
	v1alpha1.AddDefaultFinalizer(kind.Kind, Finalizer)
	failed := &failedSet{ids: map[string]time.Time{}, now: opts.Now}
	return func(t *reconcile.Term) error {
		writes := reconcile.NewWrites()
		r := &reconciler{st: writes.Store(t.Store), writes: writes, kind: kind, inf: t.Informer(kind), rec: t.Recorder(Name),
			log: t.Log.WithValues("controller", Name), backends: backends, failed: failed, metrics: m, keys: opts.Keys, now: opts.Now}
		ctl := t.NewController(Name, r, reconcile.BackendRateLimiter())
		// The echo of a status this controller wrote is no news to it: the
		// pass that wrote it has asked for its next look already.
		r.inf.AddEventHandler(reconcile.EnqueueObjectExceptOwn(ctl, writes))
		o := &orphans{r: r, deleteOrphans: opts.DeleteOrphans, every: opts.OrphanScan, reported: map[string]bool{}}
		octl := t.NewController(Name+"-orphans", o)
		octl.Enqueue(reconcile.Request{Name: "scan"})
		for _, c := range backends {
			t.Go(func(ctx context.Context) { r.followEvents(ctx, c, ctl) })
		}
		return nil
	}, nil
}

// newClients builds one backend's clients, each over its own backend
// transport: Marathon's API, its event stream (no request deadline; a
// response header timeout bounds the connect), Mesos, and the verify GETs.
func newClients(cfg backend.Marathon, m *transport.Metrics, log logr.Logger) (*clients, error) {
	mc, err := newMarathonClient(cfg, m)
	if err != nil {
		return nil, err
	}
	v, err := newVerifier(cfg, m)
	if err != nil {
		return nil, fmt.Errorf("marathon backend %s: %w", cfg.Name, err)
	}
	password, _ := cfg.Password.Value() // newMarathonClient checked it
	timeout := backend.RequestTimeout(cfg.Timeout)
	stream := transport.New(transport.Options{Backend: "marathon", Name: cfg.Name, Timeout: timeout, Metrics: m,
		Base: &http.Transport{Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: timeout}})
	c := &clients{name: cfg.Name, cfg: cfg, marathon: mc, verify: v, events: &eventStream{urls: cfg.URLs, user: cfg.User, pass: password,
		client: stream.Client(), log: log.WithValues("controller", Name, "marathon", cfg.Name)}}
	if cfg.MesosURL != "" {
		c.mesos = newMesosClient(cfg, m)
	}
	return c, nil
}

// followEvents enqueues the Deployment of every app an event names, and
// every Deployment of the backend when the stream (re)connects, since
// events may have been missed meanwhile. Deployments Marathon reports
// failed are remembered for the rollback decision.
func (r *reconciler) followEvents(ctx context.Context, c *clients, ctl *reconcile.Controller) {
	s := *c.events
	s.onDisconnect = c.streamDown
	s.onConnect = func() {
		c.streamUp()
		for _, o := range r.inf.List("", nil) {
			if d := o.(*v1alpha1.Deployment); d.Spec.Marathon == c.name {
				ctl.Enqueue(reconcile.Request{Namespace: d.Namespace, Name: d.Name})
			}
		}
	}
	s.onEvent = func(ev *marathonEvent) {
		if ev.EventType == "deployment_failed" && ev.ID != "" {
			r.failed.add(ev.ID)
		}
		c.appsChanged(ev.apps())
		for _, id := range ev.apps() {
			if ns, name, ok := splitAppID(id); ok {
				ctl.Enqueue(reconcile.Request{Namespace: ns, Name: name})
			}
		}
	}
	s.run(ctx)
}

// splitAppID is AppID's inverse: /ns/name.
func splitAppID(id string) (ns, name string, ok bool) {
	ns, name, ok = strings.Cut(strings.TrimPrefix(id, "/"), "/")
	return ns, name, ok && strings.HasPrefix(id, "/") && ns != "" && name != "" && !strings.Contains(name, "/")
}

type reconciler struct {
	st       reconcile.ObjectStore // notes its writes in writes
	writes   *reconcile.Writes
	kind     v1alpha1.Kind
	inf      *reconcile.Informer
	rec      *reconcile.Recorder
	log      logr.Logger
	backends map[string]*clients
	failed   *failedSet
	metrics  *metrics
	keys     *sealed.Keys
	now      func() time.Time
}
