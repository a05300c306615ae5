package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/watchcache"
)

// DefaultMaxBodyBytes bounds a request body (kube-apiserver uses 3 MiB too).
const DefaultMaxBodyBytes = 3 << 20

// Store is what the API server needs of the store.
type Store interface {
	Create(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
	Get(ctx context.Context, k v1alpha1.Kind, ns, name string) (v1alpha1.Object, error)
	List(ctx context.Context, k v1alpha1.Kind, ns string, opts store.ListOptions) (v1alpha1.ObjectList, error)
	Update(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
	UpdateStatus(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
	UpdateReplicas(ctx context.Context, k v1alpha1.Kind, ns, name string, replicas int32, rv string) (v1alpha1.Object, error)
	UpdateWith(ctx context.Context, k v1alpha1.Kind, ns, name, rv string, f func(cur v1alpha1.Object) (v1alpha1.Object, error)) (v1alpha1.Object, error)
	Apply(ctx context.Context, k v1alpha1.Kind, applied *unstructured.Unstructured, manager string, force bool) (v1alpha1.Object, error)
	Delete(ctx context.Context, k v1alpha1.Kind, ns, name string, pre *store.Preconditions) (v1alpha1.Object, error)
	Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts store.WatchOptions) (<-chan store.WatchEvent, error)
	Revision(ctx context.Context) (int64, error)
	RequestProgress(ctx context.Context) error
	Ready(ctx context.Context) error
}

// Options configure a Server.
type Options struct {
	Config       Config
	MaxBodyBytes int64
	// Version is reported at /version.
	Version string
	Log     logr.Logger
	// Registry receives the server's metrics and is served at /metrics.
	Registry *prometheus.Registry
	// Profiling serves Go's pprof at /debug/pprof/ (as kube-apiserver's
	// --profiling); with auth on, only to admin tokens.
	Profiling bool
	// MaxRequestsInFlight and MaxMutatingRequestsInFlight bound the
	// read-only (get, list) and the mutating resource requests served at
	// once; past them a request is answered 429 at once (inflight.go).
	// Watches are not counted. 0: no limit.
	MaxRequestsInFlight         int
	MaxMutatingRequestsInFlight int
	// RequestReadTimeout bounds the reading of a whole request, headers
	// and body, from its first byte (http.Server's ReadTimeout): a body
	// still unread then fails and the connection is closed. 0: no bound.
	RequestReadTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that waits that long for
	// its next request. 0: never.
	IdleTimeout time.Duration
	// StoreTimeout bounds the store calls of a request (watches aside):
	// past it the request is answered 504 with Retry-After. 0:
	// DefaultStoreTimeout; negative: no bound.
	StoreTimeout time.Duration
	// MaxWatches and MaxWatchesPerClient bound the watches open at once,
	// in all and per client (the user, or without tokens the remote
	// address); past them a watch is answered 429 (watchlimit.go). 0: no
	// limit.
	MaxWatches, MaxWatchesPerClient int
	// WatchCache tunes the cache every watch is served from; its Registry
	// and Log are the server's.
	WatchCache watchcache.Options
}

// Server serves the API over a Store.
type Server struct {
	store   Store
	auth    *authenticator
	maxBody int64
	version string
	log     logr.Logger
	metrics *metrics
	mux     *http.ServeMux
	limits  inflightLimits
	read    time.Duration
	idle    time.Duration
	ready   readiness

	storeTimeout time.Duration
	cache        *watchcache.Cache
	builds       *BuildNumbers
	watchLimits  *watchLimits
}

// New builds a Server. The config must be valid (LoadConfig checks it).
func New(st Store, opts Options) (*Server, error) {
	if errs := opts.Config.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("invalid config: %w", errs.ToAggregate())
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxRequestsInFlight < 0 || opts.MaxMutatingRequestsInFlight < 0 || opts.RequestReadTimeout < 0 || opts.IdleTimeout < 0 ||
		opts.MaxWatches < 0 || opts.MaxWatchesPerClient < 0 {
		return nil, errors.New("in-flight and watch limits and timeouts must not be negative (0 turns one off)")
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	s := &Server{store: st, auth: newAuthenticator(opts.Config.Auth), maxBody: opts.MaxBodyBytes,
		version: opts.Version, log: opts.Log, mux: http.NewServeMux(),
		read: opts.RequestReadTimeout, idle: opts.IdleTimeout, storeTimeout: opts.StoreTimeout}
	if s.storeTimeout == 0 {
		s.storeTimeout = DefaultStoreTimeout
	}
	s.builds = NewBuildNumbers(st)
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	im, err := newInflightMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	s.limits = newInflightLimits(opts.MaxRequestsInFlight, opts.MaxMutatingRequestsInFlight, im)
	s.watchLimits = newWatchLimits(opts.MaxWatches, opts.MaxWatchesPerClient, im)
	wc := opts.WatchCache
	wc.Registry, wc.Log = opts.Registry, opts.Log.WithName("watchcache")
	if s.cache, err = watchcache.New(st, wc); err != nil {
		return nil, err
	}
	// Updates build on the cache's copy rather than reading etcd first.
	if sg, ok := st.(interface{ SuggestFrom(store.Suggester) }); ok {
		sg.SuggestFrom(s.cache)
	}
	// Every kind's cache starts now, not at its first watch, and has its
	// first list before the server answers (unless etcd does not answer
	// in time), so that a client that lists and then watches from the
	// list's resourceVersion finds that revision in the cache's history.
	s.cache.Start(v1alpha1.Kinds()...)
	wctx, cancel := context.WithTimeout(context.Background(), DefaultStoreTimeout)
	defer cancel()
	if err := s.cache.WaitReady(wctx); err != nil {
		s.log.Info("the watch cache is not filled yet; watches wait for it", "error", err.Error())
	}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{Registry: opts.Registry}))
	s.mux.HandleFunc("GET /version", s.versionInfo)
	s.mux.HandleFunc("GET /apis", s.apiGroups)
	s.mountCore()
	s.mountSelfReviews()
	s.mountOpenAPI()
	s.mux.HandleFunc("GET /apis/"+v1alpha1.Group, s.apiGroup)
	s.mux.HandleFunc("GET "+apiPrefix, s.apiResources)
	// The in-flight limit comes right after resolving and the token check
	// (it needs the verb; an unauthenticated flood takes no slot), before
	// the body is read.
	s.mux.Handle(apiPrefix+"/", s.resolved(s.limitInFlight(s.Protected(s.withStoreDeadline(http.HandlerFunc(s.serveResource))))))
	if err := s.mountAdmin(opts.Registry); err != nil {
		s.cache.Close()
		return nil, fmt.Errorf("registering etcd metrics: %w", err)
	}
	if opts.Profiling {
		s.mux.Handle("/debug/pprof/", s.adminOnly(http.HandlerFunc(pprof.Index)))
		s.mux.Handle("/debug/pprof/profile", s.adminOnly(http.HandlerFunc(pprof.Profile)))
	}
	return s, nil
}

// Close stops the watch cache, ending every watch. Serve calls it when it
// returns; a Server used only as an http.Handler must, once done.
func (s *Server) Close() { s.cache.Close() }

// WatchCache is the server's cache of every kind, for the surfaces
// mounted beside the resource API that read the same objects (the shaman
// endpoints).
func (s *Server) WatchCache() *watchcache.Cache { return s.cache }

// Builds numbers the Builds created through the server, for the
// surfaces mounted beside the resource API that create them (webhooks).
func (s *Server) Builds() *BuildNumbers { return s.builds }

// AuthEnabled says whether any token is configured.
func (s *Server) AuthEnabled() bool { return s.auth.enabled() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Serve serves on l until ctx ends, then shuts down: it stops accepting,
// ends open watches, and waits up to grace for requests in flight.
//
// The read timeout covers the request only: once the body is read to its
// end (at once for a GET), net/http lifts the connection's read deadline
// for the read that notices a client going away, so a watch or a slow
// handler is not cut. A client trickling a body holds its handler (and
// its in-flight slot) for the read timeout at most. There is no
// WriteTimeout: it would end every watch.
func (s *Server) Serve(ctx context.Context, l net.Listener, grace time.Duration) error {
	defer s.Close()
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	header := 10 * time.Second
	if s.read > 0 {
		header = min(header, s.read)
	}
	idle := s.idle
	if idle == 0 {
		idle = -1 // net/http would fall back to ReadTimeout
	}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: header,
		ReadTimeout:       s.read,
		IdleTimeout:       idle,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving API: %w", err)
	case <-ctx.Done():
	}
	cancelBase() // watches end with their request context
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down API server: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// readyzTimeout bounds the readiness probe's read of etcd: /readyz goes
// 503 within it of losing etcd.
const readyzTimeout = 2 * time.Second

// readyz answers 503 while etcd does not answer a linearizable read, or
// has raised its NOSPACE alarm. The body is public, so it says only that
// etcd is not ready, or out of space; the reason goes to the log, once
// per change.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyzTimeout)
	defer cancel()
	err := s.store.Ready(ctx)
	s.ready.report(s.log, err)
	switch {
	case store.NoSpace(err):
		http.Error(w, "etcd: out of space (NOSPACE alarm): writes are refused; see 'minka admin etcd'", http.StatusServiceUnavailable)
		return
	case err != nil:
		http.Error(w, "etcd: not ready", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
}

// readiness remembers the last readiness outcome, so that a probe every
// second logs a failure when it starts or changes, not each time.
type readiness struct {
	mu   sync.Mutex
	last string // the last error's text, "" when ready
}

func (rd *readiness) report(log logr.Logger, err error) {
	text := ""
	if err != nil {
		text = err.Error()
	}
	rd.mu.Lock()
	changed := text != rd.last
	was := rd.last
	rd.last = text
	rd.mu.Unlock()
	switch {
	case !changed:
	case err != nil:
		log.Error(err, "readyz: etcd not ready")
	case was != "":
		log.Info("readyz: etcd ready again")
	}
}

// serveResource is the last link of a resource route's chain (see
// filters.go): the verb's handler, the request resolved, authenticated,
// authorised and limited before it.
func (s *Server) serveResource(w http.ResponseWriter, r *http.Request) {
	info := requestInfoFrom(r.Context())
	done := s.metrics.inflight(info)
	defer done()
	if err := s.dispatch(w, r, info); err != nil {
		s.writeError(w, r, info, err)
	}
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	r, err := withDryRun(r, info.Verb, r.URL.Query()["dryRun"])
	if err != nil {
		return err
	}
	if info.FieldValidation, err = fieldValidation(info.Verb, r.URL.Query()["fieldValidation"]); err != nil {
		return err
	}
	if r, err = withFieldManager(r, info); err != nil {
		return err
	}
	r = withRoleAdmission(r, info)
	switch {
	case info.Subresource == "scale":
		return s.scale(w, r, info)
	case info.Subresource == "rollback":
		return s.rollback(w, r, info)
	case info.Verb == "get":
		return s.get(w, r, info)
	case info.Verb == "list":
		return s.list(w, r, info)
	case info.Verb == "watch":
		return s.watch(w, r, info)
	case info.Verb == "create":
		return s.create(w, r, info)
	case info.Verb == "update":
		return s.update(w, r, info)
	case info.Verb == "patch":
		return s.patch(w, r, info)
	case info.Verb == "delete":
		return s.delete(w, r, info)
	}
	return apierrors.NewMethodNotSupported(info.Kind.GroupResource(), info.Verb)
}

// statusRecorder remembers the response code for metrics and passes
// flushes through for watch streams.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (the watch
// writer sets write deadlines through it).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
