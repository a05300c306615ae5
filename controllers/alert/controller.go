// Package alert is the Alert controller: it sends the stored Events that
// an Alert selects to a receiver of the server config, as Flux's
// notification-controller does, reliably: in the order etcd stored them,
// each once (the Alert's status.eventRevision says how far it got, so a
// restart goes on from there), retried with backoff while the receiver
// fails (honouring Retry-After), and a repeat of an event not sent again
// within the Alert's repeatInterval. It runs beside the other
// controllers and never holds them up: they only write Events.
package alert

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/reconcile"
	"minka/store"
)

// Name is the controller's name in --controllers.
const Name = "alert"

// Options configure the controller.
type Options struct {
	// Notifications are the config's receivers; their URLs and keys are
	// read once, here.
	Notifications backend.Notifications
	Registry      prometheus.Registerer
	Log           logr.Logger
	// Now is the clock (tests).
	Now func() time.Time
}

// New reads the receivers once per process and returns the SetupFunc run
// on every leadership term.
func New(opts Options) (reconcile.SetupFunc, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	receivers := map[string]*receiver{}
	for _, cfg := range opts.Notifications.Receivers {
		receivers[cfg.Name] = newReceiver(cfg)
	}
	kinds := map[string]v1alpha1.Kind{}
	for _, obj := range []v1alpha1.Object{&v1alpha1.Alert{}, &v1alpha1.Event{}, &v1alpha1.Build{}, &v1alpha1.Deployment{}} {
		k, err := v1alpha1.KindOf(obj)
		if err != nil {
			return nil, fmt.Errorf("alert: %w", err)
		}
		kinds[k.Kind] = k
	}
	return func(t *reconcile.Term) error {
		r := &reconciler{st: t.Store, kind: kinds["Alert"], rec: t.Recorder(Name), log: t.Log.WithValues("controller", Name),
			alerts: t.Informer(kinds["Alert"]), events: t.Informer(kinds["Event"]), builds: t.Informer(kinds["Build"]),
			deployments: t.Informer(kinds["Deployment"]), receivers: receivers, metrics: m, now: opts.Now,
			next: map[string]time.Time{}}
		ctl := t.NewController(Name, r)
		r.alerts.AddEventHandler(reconcile.EnqueueObject(ctl))
		// Every stored event wakes every Alert: each decides what it
		// selects, and the queue folds a burst into one pass.
		all := func(v1alpha1.Object) {
			for _, a := range r.alerts.List("", nil) {
				ctl.Enqueue(reconcile.Request{Namespace: a.GetNamespace(), Name: a.GetName()})
			}
		}
		r.events.AddEventHandler(reconcile.EventHandler{Add: all, Update: func(_, o v1alpha1.Object) { all(o) }})
		return nil
	}, nil
}

// reconciler sends one Alert's events.
type reconciler struct {
	st          *store.Store
	kind        v1alpha1.Kind
	rec         *reconcile.Recorder
	log         logr.Logger
	alerts      *reconcile.Informer
	events      *reconcile.Informer
	builds      *reconcile.Informer
	deployments *reconcile.Informer
	receivers   map[string]*receiver
	metrics     *metrics
	now         func() time.Time

	// next is when each Alert's failing message may be tried again: an
	// event stored meanwhile wakes the Alert, and must not shorten the
	// wait. In memory: after a restart the message is tried at once.
	mu   sync.Mutex
	next map[string]time.Time
}

// httpClient is every receiver's client: no redirect is followed (a
// webhook that redirects is misconfigured, and the redirect would carry
// the body elsewhere).
func httpClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
