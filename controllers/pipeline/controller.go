// Package pipeline holds the controllers of Pipelines and their Builds:
// a Build is described from the Pipeline's git source (its tag), waits
// for its turn under the Pipeline's concurrency policy, triggers the
// Pipeline's Jenkins job once — the trigger carries MINKA_BUILD, and a
// Build that may have triggered already looks for it in Jenkins before
// triggering again, so a crash between Jenkins' answer and the status
// write starts no second build — then follows the queue item and the
// build to their result. The Pipeline's controller summarises its last
// Builds and garbage-collects those past spec.historyLimit.
package pipeline

import (
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/labels"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/backend"
	"minka/backend/jenkins"
	"minka/backend/transport"
	"minka/reconcile"
	"minka/store"
)

// Name is the controllers' name for --controllers.
const Name = "pipeline"

// Options configure the controllers.
type Options struct {
	Backends backend.Config
	// Jenkins are the process's Jenkins clients by backend name, shared
	// with the SlavePool controller.
	Jenkins        map[string]*jenkins.Client
	BackendMetrics *transport.Metrics
	// Git answers for the Pipelines' git sources (backend/gitmirror).
	Git Git
	// Keys open sealed parameters as they are handed to Jenkins; nil: the
	// server holds none, and a Build with one waits, saying so.
	Keys *sealed.Keys
	// Poll is how often a queued or running build is read from Jenkins
	// (default 2s).
	Poll     time.Duration
	Registry prometheus.Registerer
	Log      logr.Logger
	Now      func() time.Time
}

// New builds the clients and metrics once per process and returns the
// SetupFunc run on every leadership term.
func New(opts Options) (reconcile.SetupFunc, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.Git == nil {
		return nil, fmt.Errorf("pipeline: no git mirror")
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	clients, err := jenkins.Clients(opts.Backends.Jenkins, opts.Jenkins, opts.BackendMetrics)
	if err != nil {
		return nil, err
	}
	jk := map[string]Jenkins{}
	for name, c := range clients {
		jk[name] = c
	}
	bk, err := v1alpha1.KindOf(&v1alpha1.Build{})
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	pk, err := v1alpha1.KindOf(&v1alpha1.Pipeline{})
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	dk, err := v1alpha1.KindOf(&v1alpha1.Deployment{})
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	rk, err := v1alpha1.KindOf(&v1alpha1.Repo{})
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return func(t *reconcile.Term) error {
		log := t.Log.WithValues("controller", Name)
		binf, pinf := t.Informer(bk), t.Informer(pk)
		br := &builds{st: t.Store, kind: bk, builds: binf, pipelines: pinf, rec: t.Recorder(Name), log: log,
			jenkins: jk, git: opts.Git, metrics: m, poll: opts.Poll, now: opts.Now, jobs: newJobCache(opts.Now), keys: opts.Keys}
		pr := &pipelines{st: t.Store, kind: pk, bkind: bk, builds: binf, log: log, metrics: m}
		bctl := t.NewController("build", br, reconcile.BackendRateLimiter())
		pctl := t.NewController(Name, pr)
		binf.AddEventHandler(reconcile.EnqueueObject(bctl))
		binf.AddEventHandler(reconcile.EnqueueOwner(pctl, "Pipeline"))
		// A Build that finishes or appears may end another's wait (Serial)
		// or replace it (Replace): its unfinished siblings look again.
		siblings := func(o v1alpha1.Object) {
			b := o.(*v1alpha1.Build)
			for _, s := range pipelineBuilds(binf, b.Namespace, b.Spec.Pipeline) {
				if s.Name != b.Name && !v1alpha1.Finished(s.Status.Phase) {
					bctl.Enqueue(reconcile.Request{Namespace: s.Namespace, Name: s.Name})
				}
			}
		}
		binf.AddEventHandler(reconcile.EventHandler{Add: siblings, Delete: siblings, Update: func(old, o v1alpha1.Object) {
			if old.(*v1alpha1.Build).Status.Phase != o.(*v1alpha1.Build).Status.Phase {
				siblings(o)
			}
		}})
		// A Pipeline that appears (its Builds were applied first) or
		// changes (its policy, its job) is looked at by its unfinished
		// Builds too.
		pinf.AddEventHandler(reconcile.EnqueueObject(pctl))
		unfinished := func(o v1alpha1.Object) {
			for _, s := range pipelineBuilds(binf, o.GetNamespace(), o.GetName()) {
				if !v1alpha1.Finished(s.Status.Phase) {
					bctl.Enqueue(reconcile.Request{Namespace: s.Namespace, Name: s.Name})
				}
			}
		}
		pinf.AddEventHandler(reconcile.EventHandler{Add: unfinished, Update: func(_, o v1alpha1.Object) { unfinished(o) }})
		// A Deployment or Repo that moves wakes the Builds waiting on it
		// (their stages, their Repo), not only their next poll.
		waiting := func(o v1alpha1.Object) {
			for _, x := range binf.List(o.GetNamespace(), nil) {
				b := x.(*v1alpha1.Build)
				if v1alpha1.Finished(b.Status.Phase) {
					continue
				}
				_, isRepo := o.(*v1alpha1.Repo)
				hit := isRepo && b.Status.Repo == o.GetName()
				for _, st := range b.Status.Stages {
					hit = hit || (!isRepo && st.Deployment == o.GetName())
				}
				if hit {
					bctl.Enqueue(reconcile.Request{Namespace: b.Namespace, Name: b.Name})
				}
			}
		}
		for _, k := range []v1alpha1.Kind{dk, rk} {
			t.Informer(k).AddEventHandler(reconcile.EventHandler{Add: waiting, Update: func(_, o v1alpha1.Object) { waiting(o) }})
		}
		return nil
	}, nil
}

// pipelineBuilds are the Builds of one Pipeline in the informer's cache.
func pipelineBuilds(inf *reconcile.Informer, ns, pipeline string) []*v1alpha1.Build {
	sel := labels.SelectorFromSet(labels.Set{v1alpha1.LabelPipeline: pipeline})
	var out []*v1alpha1.Build
	for _, o := range inf.List(ns, sel) {
		if b := o.(*v1alpha1.Build); b.Spec.Pipeline == pipeline {
			out = append(out, b)
		}
	}
	return out
}

type builds struct {
	st        *store.Store
	kind      v1alpha1.Kind
	builds    *reconcile.Informer
	pipelines *reconcile.Informer
	rec       *reconcile.Recorder
	log       logr.Logger
	jenkins   map[string]Jenkins
	git       Git
	metrics   *metrics
	poll      time.Duration
	now       func() time.Time
	jobs      *jobCache
	keys      *sealed.Keys
}
