package deployment_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/backend"
	"minka/backend/transport"
	"minka/controllers/deployment"
	"minka/reconcile"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
	"minka/store"
)

// appPut is one app PUT that reached the simulated Marathon: the image it
// sets, or the version it rolls back to, and whether its reply was lost
// (a fault applied it and sent nothing back).
type appPut struct {
	app, image, version string
	lost                bool
}

// putLog records, in front of the simulated Marathon (and its faults),
// every PUT /v2/apps/... in order.
type putLog struct {
	mu   sync.Mutex
	puts []appPut
	// onRollback, if set, runs once a rollback PUT has been answered;
	// onPut once any PUT has.
	onRollback func()
	onPut      func(appPut)
}

func (l *putLog) wrap(h http.Handler) http.Handler {
	isPut := func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v2/apps/")
	}
	return fault.Observe(h, isPut, func(r *http.Request, body []byte, replied bool) {
		var app marathon.Application
		_ = json.Unmarshal(body, &app)
		p := appPut{app: strings.TrimPrefix(r.URL.Path, "/v2/apps"), version: app.Version, lost: !replied}
		if app.Container != nil && app.Container.Docker != nil {
			p.image = app.Container.Docker.Image
		}
		l.mu.Lock()
		l.puts = append(l.puts, p)
		onRollback, onPut := l.onRollback, l.onPut
		l.mu.Unlock()
		if p.version != "" && onRollback != nil {
			onRollback()
		}
		if onPut != nil {
			onPut(p)
		}
	})
}

func (l *putLog) setOnRollback(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onRollback = f
}

func (l *putLog) setOnPut(f func(appPut)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onPut = f
}

// of lists the PUTs of app id.
func (l *putLog) of(id string) []appPut {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []appPut
	for _, p := range l.puts {
		if p.app == id {
			out = append(out, p)
		}
	}
	return out
}

// marathonEnv is a simulated Marathon with a PUT log in front, a client
// of the test's own, and the backend config naming it "default".
type marathonEnv struct {
	sim     *simmarathon.Cluster
	log     *putLog
	api     marathon.Marathon
	url     string
	backend backend.Config
	// keys, when set, are the controller's sealing keys.
	keys *sealed.Keys
}

func startMarathon(t *testing.T, opts simmarathon.Options, timeout time.Duration) *marathonEnv {
	t.Helper()
	c := simmarathon.New(opts)
	l := &putLog{}
	hs := httptest.NewServer(l.wrap(c.Marathon()))
	t.Cleanup(func() { c.Close(); hs.Close() })
	cfg := marathon.NewDefaultConfig()
	cfg.URL = hs.URL
	api, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &marathonEnv{sim: c, log: l, api: api, url: hs.URL, backend: backend.Config{Marathon: []backend.Marathon{
		{Name: "default", URLs: []string{hs.URL}, Timeout: metav1.Duration{Duration: timeout}}}}}
}

// runController runs the Deployment controller on st against env, as the
// server does (one manager, no election), until the returned stop.
func runController(t *testing.T, env *marathonEnv, st *store.Store, e *store.Etcd) func() {
	return runControllerWith(t, env, st, e, nil)
}

// runControllerWith registers the controller and backend metrics on reg,
// when not nil.
func runControllerWith(t *testing.T, env *marathonEnv, st *store.Store, e *store.Etcd, reg prometheus.Registerer) func() {
	t.Helper()
	opts := deployment.Options{Backends: env.backend, Keys: env.keys, Log: logr.Discard()}
	mopts := reconcile.ManagerOptions{Controllers: []string{"all"}, Workers: 2, Log: logr.Discard()}
	if reg != nil {
		var err error
		if opts.BackendMetrics, err = transport.NewMetrics(reg); err != nil {
			t.Fatal(err)
		}
		if mopts.Metrics, err = reconcile.NewMetrics(reg); err != nil {
			t.Fatal(err)
		}
	}
	setup, err := deployment.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	m := reconcile.NewManager(st, e.Client, mopts)
	m.Register(deployment.Name, setup)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Start(ctx) }()
	return func() { cancel(); <-done }
}

var deploymentKind = func() v1alpha1.Kind { k, _ := v1alpha1.KindFor("Deployment"); return k }()

// webDeployment is ci/web: two replicas with a health check (an image
// marked bad never passes it), deadline in seconds.
func webDeployment(ns, image string, deadline int32) *v1alpha1.Deployment {
	two := int32(2)
	return &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"}, Spec: v1alpha1.DeploymentSpec{
		Image: image, Replicas: &two, Cpus: 0.1, Mem: 64, ProgressDeadlineSeconds: &deadline,
		Ports:        []v1alpha1.Port{{Name: "http", ContainerPort: 8080}},
		HealthChecks: []v1alpha1.HealthCheck{{Protocol: "HTTP", Path: "/health", PortName: "http"}},
	}}
}

// setImage updates the stored spec's image and progress deadline.
func setImage(t *testing.T, st *store.Store, ns, image string, deadline int32) {
	t.Helper()
	obj, err := st.Get(context.Background(), deploymentKind, ns, "web")
	if err != nil {
		t.Fatal(err)
	}
	d := obj.(*v1alpha1.Deployment)
	d.Spec.Image, d.Spec.ProgressDeadlineSeconds, d.ResourceVersion = image, &deadline, ""
	if _, err := st.Update(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls ns/web until ok says so; it returns the last object
// read, and whether ok said so before timeout.
func waitFor(st *store.Store, ns string, timeout time.Duration, ok func(*v1alpha1.Deployment) bool) (*v1alpha1.Deployment, bool) {
	var last *v1alpha1.Deployment
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		obj, err := st.Get(context.Background(), deploymentKind, ns, "web")
		if err != nil {
			continue
		}
		if last = obj.(*v1alpha1.Deployment); ok(last) {
			return last, true
		}
	}
	return last, false
}

func isTrue(d *v1alpha1.Deployment, typ, reason string) bool {
	c := meta.FindStatusCondition(d.Status.Conditions, typ)
	return c != nil && c.Status == metav1.ConditionTrue && (reason == "" || c.Reason == reason) && c.ObservedGeneration == d.Generation
}

func available(d *v1alpha1.Deployment) bool {
	return isTrue(d, deployment.Available, deployment.ReasonAllReplicasReady) && d.Status.ObservedGeneration == d.Generation
}

// forget deletes ns/web from the store without its finalizer, so that
// the next run's controller does not see it.
func forget(t *testing.T, st *store.Store, ns string) {
	t.Helper()
	ctx := context.Background()
	obj, err := st.Delete(ctx, deploymentKind, ns, "web", nil)
	if err != nil || obj == nil {
		return
	}
	obj.SetFinalizers(nil)
	obj.SetResourceVersion("")
	if _, err := st.Update(ctx, obj); err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting %s/web: %v", ns, err)
	}
}

// liveImage is the image Marathon has for the app ("" when it has none).
func (e *marathonEnv) liveImage(id string) string {
	app, err := e.api.Application(id)
	if err != nil || app.Container == nil || app.Container.Docker == nil {
		return ""
	}
	return app.Container.Docker.Image
}
