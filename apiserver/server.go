package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/v1alpha1"
	"minka/store"
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
	Delete(ctx context.Context, k v1alpha1.Kind, ns, name string, pre *store.Preconditions) (v1alpha1.Object, error)
	Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts store.WatchOptions) (<-chan store.WatchEvent, error)
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
}

// New builds a Server. The config must be valid (LoadConfig checks it).
func New(st Store, opts Options) (*Server, error) {
	if errs := opts.Config.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("invalid config: %w", errs.ToAggregate())
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	s := &Server{store: st, auth: newAuthenticator(opts.Config.Auth), maxBody: opts.MaxBodyBytes,
		version: opts.Version, log: opts.Log, mux: http.NewServeMux()}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{Registry: opts.Registry}))
	s.mux.HandleFunc("GET /version", s.versionInfo)
	s.mux.HandleFunc("GET /apis", s.apiGroups)
	s.mux.HandleFunc("GET /apis/"+v1alpha1.Group, s.apiGroup)
	s.mux.HandleFunc("GET "+apiPrefix, s.apiResources)
	s.mux.Handle(apiPrefix+"/", s.resolved(s.Protected(http.HandlerFunc(s.serveResource))))
	if opts.Profiling {
		s.mux.Handle("/debug/pprof/", s.adminOnly(http.HandlerFunc(pprof.Index)))
		s.mux.Handle("/debug/pprof/profile", s.adminOnly(http.HandlerFunc(pprof.Profile)))
	}
	return s, nil
}

// AuthEnabled says whether any token is configured.
func (s *Server) AuthEnabled() bool { return s.auth.enabled() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Serve serves on l until ctx ends, then shuts down: it stops accepting,
// ends open watches, and waits up to grace for requests in flight.
func (s *Server) Serve(ctx context.Context, l net.Listener, grace time.Duration) error {
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
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

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		http.Error(w, "etcd not ready: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
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
	switch {
	case info.Subresource == "scale":
		return s.scale(w, r, info)
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

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
