package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/zapr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/apiserver"
	"minka/apiserver/buildlog"
	"minka/apiserver/shaman"
	"minka/apiserver/ui"
	"minka/apiserver/webhook"
	"minka/backend"
	"minka/store"
)

// serverOptions are `minka server`'s settings: defaults, then the config
// file, then flags (the flags are the only source so far besides auth).
type serverOptions struct {
	listen          string
	addrFile        string
	dataDir         string
	tlsCert, tlsKey string
	etcdEndpoints   []string
	etcdCert        string
	etcdKey         string
	etcdCA          string
	etcdUser        string
	configFile      string
	maxBody         int64
	etcdMaxRequest  int64
	etcdQuota       int64
	maxInFlight     int
	maxMutating     int
	maxWatches      int
	maxWatchesPer   int
	readTimeout     time.Duration
	idleTimeout     time.Duration
	storeTimeout    time.Duration
	eventTTL        time.Duration
	shutdownTimeout time.Duration
	logFormat       string
	profiling       bool

	controllers   []string
	workers       int
	leaderElect   bool
	leaseDuration time.Duration
	resync        time.Duration

	deleteOrphanedApps bool
}

func defaultServerOptions() *serverOptions {
	return &serverOptions{
		listen: "127.0.0.1:7070", dataDir: "minka-data", etcdMaxRequest: store.DefaultMaxRequestBytes,
		maxInFlight: apiserver.DefaultMaxRequestsInFlight, maxMutating: apiserver.DefaultMaxMutatingRequestsInFlight,
		maxWatches: apiserver.DefaultMaxWatches, maxWatchesPer: apiserver.DefaultMaxWatchesPerClient,
		readTimeout: 30 * time.Second, idleTimeout: 120 * time.Second, storeTimeout: apiserver.DefaultStoreTimeout,
		eventTTL: store.DefaultEventTTL, shutdownTimeout: 30 * time.Second, logFormat: "json",
		controllers: []string{"all"}, workers: 2, leaseDuration: 15 * time.Second, resync: 10 * time.Minute,
	}
}

func (o *serverOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.listen, "listen", o.listen, "address to serve the API on (host:port; port 0 picks a free one)")
	f.StringVar(&o.addrFile, "addr-file", o.addrFile, "write the address actually listened on to this file once ready")
	f.StringVar(&o.dataDir, "data-dir", o.dataDir, "directory of the embedded etcd (unused by etcd with --etcd-endpoints) and of the git mirrors (git/)")
	f.StringSliceVar(&o.etcdEndpoints, "etcd-endpoints", o.etcdEndpoints, "external etcd cluster endpoints (comma-separated); default: embedded etcd")
	f.StringVar(&o.tlsCert, "tls-cert-file", o.tlsCert, "serve HTTPS with this certificate (PEM; with --tls-private-key-file): kubectl sends tokens over HTTPS only")
	f.StringVar(&o.tlsKey, "tls-private-key-file", o.tlsKey, "the private key of --tls-cert-file (PEM)")
	f.StringVar(&o.etcdCert, "etcd-cert", o.etcdCert, "TLS client certificate for etcd")
	f.StringVar(&o.etcdKey, "etcd-key", o.etcdKey, "TLS client key for etcd")
	f.StringVar(&o.etcdCA, "etcd-cacert", o.etcdCA, "CA bundle that signed etcd's certificate")
	f.StringVar(&o.etcdUser, "etcd-username", o.etcdUser, "etcd user (the password is read from $MINKA_ETCD_PASSWORD)")
	f.StringVar(&o.configFile, "config", o.configFile, "server config file (auth tokens, backends); see examples/config/server.yaml")
	f.Int64Var(&o.etcdMaxRequest, "etcd-max-request-bytes", o.etcdMaxRequest, "largest etcd request: the embedded etcd's limit (with --etcd-endpoints, at most the cluster's --max-request-bytes); objects are limited to it less 16 KiB (413 above)")
	f.Int64Var(&o.etcdQuota, "etcd-quota-backend-bytes", o.etcdQuota, "the embedded etcd's database quota (etcd's --quota-backend-bytes; 0 = etcd's 2 GiB): past it writes are refused with 507 until 'minka admin etcd recover'")
	f.Int64Var(&o.maxBody, "max-body-bytes", o.maxBody, "largest request body accepted, 413 above (0 = twice --etcd-max-request-bytes)")
	f.IntVar(&o.maxInFlight, "max-requests-inflight", o.maxInFlight, "read-only API requests (get, list) served at once; more are answered 429 with Retry-After (watches not counted; 0 = no limit)")
	f.IntVar(&o.maxMutating, "max-mutating-requests-inflight", o.maxMutating, "mutating API requests (create, update, patch, delete) served at once; more are answered 429 with Retry-After (0 = no limit)")
	f.IntVar(&o.maxWatches, "max-watches", o.maxWatches, "watches open at once in all; more are answered 429 with Retry-After (0 = no limit)")
	f.IntVar(&o.maxWatchesPer, "max-watches-per-client", o.maxWatchesPer, "watches open at once per client (its user, or without tokens its address); more are answered 429 with Retry-After (0 = no limit)")
	f.DurationVar(&o.readTimeout, "request-read-timeout", o.readTimeout, "time to read a whole request, headers and body; a slower one fails and its connection is closed (0 = no limit; watch streams are not cut)")
	f.DurationVar(&o.idleTimeout, "idle-timeout", o.idleTimeout, "close a keep-alive connection idle for this long (0 = never)")
	f.DurationVar(&o.storeTimeout, "etcd-request-timeout", o.storeTimeout, "answer a request whose etcd calls take longer 504 with Retry-After (watches aside; negative = no bound)")
	f.DurationVar(&o.eventTTL, "event-ttl", o.eventTTL, "how long events are kept")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", o.shutdownTimeout, "grace for requests in flight at SIGTERM")
	f.StringVar(&o.logFormat, "log-format", o.logFormat, "log format: json or text")
	f.BoolVar(&o.profiling, "profiling", o.profiling, "serve Go's pprof at /debug/pprof/ (admin tokens only when auth is on)")
	f.StringSliceVar(&o.controllers, "controllers", o.controllers, "controllers to run: all, none, or names ("+strings.Join(controllerNames(), ", ")+")")
	f.IntVar(&o.workers, "workers", o.workers, "concurrent reconciles per controller")
	f.BoolVar(&o.leaderElect, "leader-elect", o.leaderElect, "run controllers only on the elected leader (default: on with --etcd-endpoints, off with embedded etcd)")
	f.DurationVar(&o.leaseDuration, "leader-elect-lease-duration", o.leaseDuration, "leader lease: a dead leader is replaced within it")
	f.DurationVar(&o.resync, "resync", o.resync, "how often controllers re-examine every object even without changes (0 = never)")
	f.BoolVar(&o.deleteOrphanedApps, "delete-orphaned-apps", o.deleteOrphanedApps, "delete Marathon apps that carry minka's ownership labels but whose Deployment is gone (default: only report them)")
}

func newServerCommand() *cobra.Command {
	o := defaultServerOptions()
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the API server (embedded etcd by default)",
		Long: `Run the minka API server. etcd is embedded under --data-dir unless
--etcd-endpoints names an external cluster. Without auth tokens in --config
the server only binds loopback addresses. With a chacra backend in --config
(the one its shaman: section names, "default" unless set) it also serves
shaman's API at /shaman/ for chacra's callbacks and Jenkins jobs. SIGTERM or
SIGINT shuts down gracefully within --shutdown-timeout; a second signal
exits at once.`,
		Example: `  minka server
  minka server --listen 0.0.0.0:7070 --config /etc/minka/server.yaml --data-dir /var/lib/minka
  minka server --etcd-endpoints https://etcd1:2379,https://etcd2:2379 --etcd-cacert ca.pem --etcd-cert c.pem --etcd-key k.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.defaultLeaderElect(cmd.Flags())
			ctx, stop := signalContext()
			defer stop()
			return runServer(ctx, o, nil)
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

// defaultLeaderElect turns election on for an external etcd, where other
// replicas may share it, unless the flag says otherwise.
func (o *serverOptions) defaultLeaderElect(f *pflag.FlagSet) {
	if !f.Changed("leader-elect") {
		o.leaderElect = len(o.etcdEndpoints) > 0
	}
}

// readyFunc is called once the API is serving, with its URL and a context
// that ends when the server begins to stop: it must return soon after.
type readyFunc func(ctx context.Context, url string)

// runServer serves until ctx ends. ready, when set, runs beside the server
// once it is serving; runServer returns only after it has (see runReady).
func runServer(ctx context.Context, o *serverOptions, ready readyFunc) error {
	log, err := newLogger(o.logFormat)
	if err != nil {
		return err
	}
	var cfg serverConfig
	if o.configFile != "" {
		if cfg, err = loadConfig(o.configFile); err != nil {
			return err
		}
	}
	keys, err := loadKeys(cfg.Encryption)
	if err != nil {
		return fmt.Errorf("%s: %w", o.configFile, err)
	}
	if err := apiserver.CheckListen(o.listen, len(cfg.Auth.Tokens) > 0); err != nil {
		return err
	}
	if o.etcdQuota < 0 {
		return fmt.Errorf("--etcd-quota-backend-bytes %d: must not be negative (0 is etcd's default of 2 GiB)", o.etcdQuota)
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return fmt.Errorf("--tls-cert-file and --tls-private-key-file go together")
	}
	var tlsConfig *tls.Config
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return fmt.Errorf("--tls-cert-file %s, --tls-private-key-file %s: %w", o.tlsCert, o.tlsKey, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.listen, err)
	}
	if tlsConfig != nil {
		l = tls.NewListener(l, tlsConfig)
	}
	defer l.Close()
	etcd, err := store.OpenEtcd(ctx, store.EtcdConfig{
		DataDir: o.dataDir, Endpoints: o.etcdEndpoints, CertFile: o.etcdCert, KeyFile: o.etcdKey,
		TrustedCAFile: o.etcdCA, Username: o.etcdUser, Password: os.Getenv("MINKA_ETCD_PASSWORD"),
		MaxRequestBytes: o.etcdMaxRequest, QuotaBackendBytes: o.etcdQuota,
	}, log)
	if err != nil {
		return err
	}
	defer etcd.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	st := store.New(etcd.Client, store.Options{EventTTL: o.eventTTL, MaxRequestBytes: etcd.MaxRequestBytes})
	if o.maxBody == 0 {
		o.maxBody = store.MaxBodyBytes(etcd.MaxRequestBytes)
	}
	clients, err := newBackendClients(cfg.Backends, cfg.Git, filepath.Join(o.dataDir, "git"), reg, log)
	if err != nil {
		return err
	}
	clients.keys, clients.notifications = keys, cfg.Notifications
	mgr, err := newManager(o, cfg.Backends, clients, st, etcd, reg, log)
	if err != nil {
		return err
	}
	srv, err := apiserver.New(st, apiserver.Options{
		Config: apiserver.Config{Auth: cfg.Auth}, MaxBodyBytes: o.maxBody, Version: serverVersion(), Log: log, Registry: reg, Profiling: o.profiling,
		MaxRequestsInFlight: o.maxInFlight, MaxMutatingRequestsInFlight: o.maxMutating,
		MaxWatches: o.maxWatches, MaxWatchesPerClient: o.maxWatchesPer,
		RequestReadTimeout: o.readTimeout, IdleTimeout: o.idleTimeout, StoreTimeout: o.storeTimeout,
	})
	if err != nil {
		return err
	}
	// The chacra nodes are checked by this process whether or not it
	// leads: the shaman endpoints answer on every replica.
	pctx, stopPools := context.WithCancel(ctx)
	var pools sync.WaitGroup
	defer func() { stopPools(); pools.Wait() }()
	for _, p := range clients.chacra {
		pools.Add(1)
		go func() { defer pools.Done(); p.Run(pctx) }()
	}
	if err := mountShaman(pctx, srv, st, cfg.Shaman, clients, reg, log, &pools); err != nil {
		return err
	}
	if err := mountWebhooks(srv, st, cfg.Secrets, keys, reg, log); err != nil {
		return err
	}
	mountSealing(srv, keys)
	mountBuildLog(srv, st, clients)
	if err := mountUI(srv, log); err != nil {
		return err
	}
	addr := l.Addr().String()
	if !srv.AuthEnabled() {
		log.Info("WARNING: no auth tokens configured: anyone who can reach this address has admin rights; serving loopback only", "address", addr)
	}
	if o.addrFile != "" {
		if err := os.WriteFile(o.addrFile, []byte(addr+"\n"), 0o644); err != nil {
			return fmt.Errorf("writing --addr-file: %w", err)
		}
	}
	log.Info("listening on "+addr, "address", addr, "auth", srv.AuthEnabled(), "version", serverVersion())
	rctx, stopReady := context.WithCancel(ctx)
	defer stopReady()
	scheme := "http://"
	if tlsConfig != nil {
		scheme = "https://"
	}
	rdone := runReady(rctx, ready, scheme+addr)
	mctx, stopControllers := context.WithCancel(ctx)
	defer stopControllers()
	mdone := make(chan error, 1)
	go func() { mdone <- mgr.Start(mctx) }()
	err = srv.Serve(ctx, l, o.shutdownTimeout)
	log.Info("API server stopped")
	stopReady()
	stopControllers()
	if merr := <-mdone; err == nil {
		err = merr
	}
	if rerr := waitReady(rdone, o.shutdownTimeout); err == nil {
		err = rerr
	}
	return err
}

// mountShaman serves the shaman-compatible endpoints at /shaman/ when the
// config has the chacra backend they name; their index runs until ctx
// ends, counted in wg.
func mountShaman(ctx context.Context, srv *apiserver.Server, st *store.Store, cfg shaman.Config, clients *backendClients,
	reg prometheus.Registerer, log logr.Logger, wg *sync.WaitGroup) error {
	pool := clients.chacra[cfg.BackendName()]
	if pool == nil {
		log.V(1).Info("no shaman endpoints: the config has no chacra backend of that name", "chacra", cfg.BackendName())
		return nil
	}
	h, err := shaman.New(shaman.Options{Config: cfg, Store: st, Cache: srv.WatchCache(), Pool: pool,
		ReadGuard: srv.Protected, Registry: reg, Log: log.WithName("shaman")})
	if err != nil {
		return fmt.Errorf("shaman endpoints: %w", err)
	}
	wg.Add(1)
	go func() { defer wg.Done(); h.Run(ctx) }()
	srv.Mount(shaman.Prefix+"/", h)
	return nil
}

// mountWebhooks serves the git webhooks at /webhooks/git/: they
// authenticate by the Pipeline's secret, not by minka's tokens.
func mountWebhooks(srv *apiserver.Server, st *store.Store, secrets []backend.NamedSecret, keys *sealed.Keys, reg prometheus.Registerer, log logr.Logger) error {
	h, err := webhook.New(webhook.Options{Store: st, Builds: srv.Builds(), Registry: reg, Log: log.WithName("webhook"), Keys: keys,
		Secret: func(name string) ([]byte, bool, error) {
			sec, ok := backend.FindSecret(secrets, name)
			if !ok {
				return nil, false, nil
			}
			v, err := sec.Value()
			return []byte(v), err == nil, err
		}})
	if err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	srv.Mount(webhook.Path, h)
	// A replay creates a Build: it needs a token that may.
	replay := srv.Protected(http.HandlerFunc(h.Replay))
	srv.Mount(webhook.ReplayPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := apiserver.RequestAttributes(r)
		a.Verb, a.APIGroup, a.Resource, a.Namespace = "create", v1alpha1.Group, "builds", r.PathValue("namespace")
		replay.ServeHTTP(w, r.WithContext(apiserver.WithAttributes(r.Context(), a)))
	}))
	return nil
}

// mountBuildLog serves builds/NAME/log behind the token chain, as the
// read of a Build's subresource.
func mountBuildLog(srv *apiserver.Server, st *store.Store, clients *backendClients) {
	consoles := map[string]buildlog.Console{}
	for name, c := range clients.jenkins {
		consoles[name] = c
	}
	h := srv.Protected(&buildlog.Handler{Store: st, Jenkins: consoles, Keys: clients.keys})
	srv.Mount(buildlog.Path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := apiserver.RequestAttributes(r)
		a.Verb, a.APIGroup, a.Resource, a.Subresource = "get", v1alpha1.Group, "builds", "log"
		a.Namespace, a.Name = r.PathValue("namespace"), r.PathValue("name")
		h.ServeHTTP(w, r.WithContext(apiserver.WithAttributes(r.Context(), a)))
	}))
}

// mountUI serves the web view at /ui/. It authenticates by its own
// session cookie and hands every API call to srv with that token.
func mountUI(srv *apiserver.Server, log logr.Logger) error {
	h, err := ui.New(ui.Options{API: srv, Log: log.WithName("ui")})
	if err != nil {
		return err
	}
	srv.Mount(ui.Prefix+"/", h)
	srv.Mount(ui.Prefix, h)
	return nil
}

// runReady runs ready (if any) in a goroutine and returns a channel closed
// when it returns. The listener is open, so its requests queue until
// Serve accepts them.
func runReady(ctx context.Context, ready readyFunc, url string) <-chan struct{} {
	done := make(chan struct{})
	if ready == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		ready(ctx, url)
	}()
	return done
}

// waitReady waits for the ready callback, its context already ended, for
// at most grace: a callback that ignores its context fails the shutdown
// rather than hanging it.
func waitReady(done <-chan struct{}, grace time.Duration) error {
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("the ready callback did not return within --shutdown-timeout (%v) of the stop", grace)
	}
}

// signalContext ends at the first SIGTERM or SIGINT; a second exits the
// process at once, for a shutdown that hangs.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
			return
		}
		<-ch
		fmt.Fprintln(os.Stderr, "second signal: exiting now")
		os.Exit(1)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

func newLogger(format string) (logr.Logger, error) {
	var zc zap.Config
	switch strings.ToLower(format) {
	case "json":
		zc = zap.NewProductionConfig()
	case "text":
		zc = zap.NewDevelopmentConfig()
		zc.EncoderConfig.EncodeLevel = zapcore.CapitalColorLevelEncoder
	default:
		return logr.Discard(), fmt.Errorf("--log-format %q is not json or text", format)
	}
	zc.DisableStacktrace = true
	zl, err := zc.Build()
	if err != nil {
		return logr.Discard(), fmt.Errorf("building logger: %w", err)
	}
	return zapr.NewLogger(zl), nil
}
