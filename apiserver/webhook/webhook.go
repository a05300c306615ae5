// Package webhook is the git webhook endpoint of the API server:
// POST /webhooks/git/{namespace}/{pipeline}. A push signed with the
// Pipeline's secret (GitHub, Gitea/Forgejo, GitLab or the Ochopod hook's
// plain token; verified and parsed by apiserver/webhook/push) that the
// Pipeline follows becomes a Build in etcd before the answer, so that
// nothing is lost while the controllers are down; a redelivery makes no
// second Build. Every authenticated delivery is recorded in the
// Pipeline's status.deliveries, and every answer says what happened:
// 201 with the Build, 200 with the reason nothing was built, or an error
// status when nothing will run.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/apiserver/webhook/push"
	"minka/store"
)

// storeTimeout bounds the store calls of one delivery (a read, a
// create, two status writes).
const storeTimeout = 15 * time.Second

// Path is the route the server mounts the handler at.
const Path = "POST /webhooks/git/{namespace}/{pipeline}"

// BuildCreator creates a Build numbered by the server, or returns the
// Build of the same delivery (created false): apiserver.BuildNumbers.
type BuildCreator interface {
	Create(ctx context.Context, b *v1alpha1.Build, delivery string) (*v1alpha1.Build, bool, error)
}

// Options configure the Handler.
type Options struct {
	Store  *store.Store
	Builds BuildCreator
	// Secret reads the secret a Pipeline's spec.trigger.webhook.secretRef
	// names (the server config's secrets); false when there is none.
	Secret func(name string) ([]byte, bool, error)
	// Keys open a sealed spec.trigger.webhook.secret; nil: the server
	// holds no sealing key, and such a Pipeline's pushes are refused.
	Keys *sealed.Keys
	// MaxBodyBytes bounds a delivery (default push.MaxBodyBytes).
	MaxBodyBytes int64
	Registry     prometheus.Registerer
	Log          logr.Logger
	Now          func() time.Time
}

// Handler serves the webhook route.
type Handler struct {
	o       Options
	metrics *metrics

	// recording serializes this process's delivery records per
	// Pipeline: a burst of pushes writes one after the other instead of
	// retrying on each other's conflicts.
	mu        sync.Mutex
	recording map[string]*sync.Mutex
}

// New builds the handler.
func New(o Options) (*Handler, error) {
	if o.Store == nil || o.Builds == nil || o.Secret == nil {
		return nil, errors.New("webhook: Store, Builds and Secret are required")
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = push.MaxBodyBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m, err := newMetrics(o.Registry)
	if err != nil {
		return nil, err
	}
	return &Handler{o: o, metrics: m, recording: map[string]*sync.Mutex{}}, nil
}

// answer is every reply's body.
type answer struct {
	Outcome  string `json:"outcome,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Build    string `json:"build,omitempty"`
	Delivery string `json:"delivery,omitempty"`
	Error    string `json:"error,omitempty"`
}

func reply(w http.ResponseWriter, code int, a answer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(a)
}

// ServeHTTP takes one delivery.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.o.Now()
	style, outcome := "unknown", "error"
	defer func() { h.metrics.observe(style, outcome, h.o.Now().Sub(start)) }()
	ns, name := r.PathValue("namespace"), r.PathValue("pipeline")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.o.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		outcome = "too-large"
		reply(w, http.StatusRequestEntityTooLarge, answer{Error: fmt.Sprintf("the delivery is larger than %d bytes", h.o.MaxBodyBytes)})
		return
	case err != nil:
		reply(w, http.StatusBadRequest, answer{Error: "reading the delivery: " + err.Error()})
		return
	}
	// Mounted outside the resource routes' store deadline: bound the
	// delivery's store calls here, so that an etcd outage answers 503
	// instead of holding the sender (which retries) until it gives up.
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	pl, code, msg := h.pipeline(r.Context(), ns, name)
	if pl == nil {
		outcome = "refused"
		reply(w, code, answer{Error: msg})
		return
	}
	secret, err := h.secret(pl)
	if err != nil {
		h.o.Log.Error(err, "webhook refused: nothing will run")
		reply(w, http.StatusServiceUnavailable, answer{Error: err.Error()})
		return
	}
	st, err := push.Verify(r.Header, r.URL.Query(), body, secret)
	if err != nil {
		outcome = "unauthorized"
		h.o.Log.V(1).Info("webhook delivery refused", "pipeline", ns+"/"+name, "error", err.Error())
		reply(w, http.StatusUnauthorized, answer{Error: err.Error()})
		return
	}
	style = string(st)
	p, err := push.Parse(st, r.Header, body)
	var bad *push.BadRequestError
	switch {
	case errors.As(err, &bad):
		outcome = "invalid"
		reply(w, http.StatusBadRequest, answer{Error: bad.Error()})
		return
	case errors.Is(err, push.ErrNotAPush):
		a := answer{Outcome: v1alpha1.DeliveryIgnored, Reason: "not a push: event " + p.Event, Delivery: p.DeliveryID}
		outcome = h.record(r.Context(), pl, p, a)
		reply(w, http.StatusOK, a)
		return
	case err != nil:
		outcome = "invalid"
		reply(w, http.StatusBadRequest, answer{Error: err.Error()})
		return
	}
	a, code := h.decide(r.Context(), pl, p)
	outcome = h.record(r.Context(), pl, p, a)
	reply(w, code, a)
}

// pipeline reads the Pipeline and checks it takes webhooks; else the
// status and message of the refusal.
func (h *Handler) pipeline(ctx context.Context, ns, name string) (*v1alpha1.Pipeline, int, string) {
	o, err := h.o.Store.Get(ctx, pipelineKind, ns, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, http.StatusNotFound, fmt.Sprintf("no pipeline %s/%s", ns, name)
	case err != nil:
		return nil, http.StatusServiceUnavailable, fmt.Sprintf("reading pipeline %s/%s: %v", ns, name, err)
	}
	pl := o.(*v1alpha1.Pipeline)
	if pl.DeletionTimestamp != nil {
		return nil, http.StatusNotFound, fmt.Sprintf("pipeline %s/%s is being deleted", ns, name)
	}
	if pl.Spec.Trigger == nil || pl.Spec.Trigger.Webhook == nil {
		return nil, http.StatusNotFound, fmt.Sprintf("pipeline %s/%s takes no webhooks (spec.trigger.webhook is not set)", ns, name)
	}
	return pl, 0, ""
}

var pipelineKind = func() v1alpha1.Kind {
	k, err := v1alpha1.KindFor("Pipeline")
	if err != nil {
		panic(err)
	}
	return k
}()

// secret is what signs pl's pushes: its sealed spec.trigger.webhook.secret
// opened, or the server config's secret its secretRef names. Errors name
// the field and the Pipeline, never the value.
func (h *Handler) secret(pl *v1alpha1.Pipeline) ([]byte, error) {
	wh, id := pl.Spec.Trigger.Webhook, pl.Namespace+"/"+pl.Name
	if wh.Secret != "" {
		var f *v1alpha1.SealedField
		for _, sf := range v1alpha1.SealedFields(pl) {
			if sf.Path.String() == "spec.trigger.webhook.secret" {
				f = &sf
			}
		}
		if f == nil { // SealedFields lists every set secret
			return nil, fmt.Errorf("pipeline %s: spec.trigger.webhook.secret not found", id)
		}
		v, err := v1alpha1.OpenValue(h.o.Keys, *f)
		if err != nil {
			return nil, fmt.Errorf("pipeline %s: %w", id, err)
		}
		return []byte(v), nil
	}
	secret, ok, err := h.o.Secret(wh.SecretRef)
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading the webhook secret %q of pipeline %s: %w", wh.SecretRef, id, err)
	case !ok:
		return nil, fmt.Errorf("the webhook secret %q of pipeline %s is not in the server config's secrets", wh.SecretRef, id)
	}
	return secret, nil
}
