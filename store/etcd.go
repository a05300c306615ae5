package store

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// EtcdConfig says which etcd to use: an external cluster when Endpoints
// is set, else an embedded single-member etcd under DataDir.
type EtcdConfig struct {
	DataDir   string
	Endpoints []string
	// TLS client credentials for an external cluster.
	CertFile, KeyFile, TrustedCAFile string
	// Username and Password for etcd auth on an external cluster.
	Username, Password string
	// AutoCompactionRetention keeps this much history in the embedded etcd
	// (default 1h); watches older than that get Gone and relist.
	AutoCompactionRetention time.Duration
	// ClientURL is where the embedded etcd listens for clients (default
	// http://127.0.0.1:0, a free loopback port).
	ClientURL string
	// DialTimeout bounds connecting to etcd (default 5s).
	DialTimeout time.Duration
	// MaxRequestBytes is the largest request etcd accepts (default
	// DefaultMaxRequestBytes, etcd's own): the embedded etcd is started
	// with it, an external one must accept at least as much (its
	// --max-request-bytes), and the client may send that much. Give the
	// store the same value (Options.MaxRequestBytes): see limits.go.
	MaxRequestBytes int64
	// QuotaBackendBytes is the embedded etcd's database quota (etcd's
	// --quota-backend-bytes; 0: etcd's 2 GiB). Past it etcd raises its
	// NOSPACE alarm and refuses writes: see maintenance.go.
	QuotaBackendBytes int64
	// Logger receives the embedded etcd's own logs (default: errors to
	// stderr, less the noise of a clean shutdown).
	Logger *zap.Logger
}

// Etcd is an open etcd: a client, and the embedded server when there is one.
type Etcd struct {
	Client *clientv3.Client
	// Embedded is nil for an external cluster.
	Embedded *embed.Etcd
	// Endpoints the client talks to.
	Endpoints []string
	// MaxRequestBytes is the EtcdConfig's, defaulted: what the store's
	// Options.MaxRequestBytes should be.
	MaxRequestBytes int64

	closeOnce sync.Once
	closeErr  error
}

// Close closes the client and stops the embedded server, if any. Calling
// it again is harmless.
func (e *Etcd) Close() error {
	e.closeOnce.Do(func() {
		e.closeErr = e.Client.Close()
		if e.Embedded != nil {
			e.Embedded.Close()
			<-e.Embedded.Server.StopNotify()
		}
	})
	return e.closeErr
}

// OpenEtcd connects to an external etcd, or starts the embedded one.
func OpenEtcd(ctx context.Context, cfg EtcdConfig, log logr.Logger) (*Etcd, error) {
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.MaxRequestBytes == 0 {
		cfg.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if err := checkMaxRequest(cfg.MaxRequestBytes); err != nil {
		return nil, err
	}
	if len(cfg.Endpoints) > 0 {
		return openExternal(ctx, cfg, log)
	}
	return openEmbedded(ctx, cfg, log)
}

func openExternal(ctx context.Context, cfg EtcdConfig, log logr.Logger) (*Etcd, error) {
	var tlsCfg *tls.Config
	if cfg.CertFile != "" || cfg.TrustedCAFile != "" {
		info := transport.TLSInfo{CertFile: cfg.CertFile, KeyFile: cfg.KeyFile, TrustedCAFile: cfg.TrustedCAFile}
		var err error
		if tlsCfg, err = info.ClientConfig(); err != nil {
			return nil, fmt.Errorf("loading etcd TLS credentials: %w", err)
		}
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints: cfg.Endpoints, TLS: tlsCfg, Username: cfg.Username, Password: cfg.Password,
		DialTimeout: cfg.DialTimeout, Context: context.WithoutCancel(ctx), Logger: zap.NewNop(),
		MaxCallSendMsgSize: int(cfg.MaxRequestBytes + grpcOverhead),
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to etcd %v: %w", cfg.Endpoints, err)
	}
	// clientv3.New does not wait for a connection: prove one now so a wrong
	// endpoint fails at start, not at the first request.
	sctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	if _, err := cli.Status(sctx, cfg.Endpoints[0]); err != nil {
		cli.Close()
		return nil, fmt.Errorf("reaching etcd at %s: %w", cfg.Endpoints[0], err)
	}
	log.Info("using external etcd", "endpoints", cfg.Endpoints)
	return &Etcd{Client: cli, Endpoints: cfg.Endpoints, MaxRequestBytes: cfg.MaxRequestBytes}, nil
}

func openEmbedded(ctx context.Context, cfg EtcdConfig, log logr.Logger) (*Etcd, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("embedded etcd needs a data directory")
	}
	if cfg.AutoCompactionRetention == 0 {
		cfg.AutoCompactionRetention = time.Hour
	}
	if cfg.ClientURL == "" {
		cfg.ClientURL = "http://127.0.0.1:0"
	}
	ecfg := embed.NewConfig()
	ecfg.Name = "minka"
	ecfg.Dir = cfg.DataDir
	ecfg.LogLevel = "error"
	if cfg.Logger == nil {
		var err error
		if cfg.Logger, err = etcdLogger(); err != nil {
			return nil, err
		}
	}
	ecfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(cfg.Logger)
	ecfg.MaxRequestBytes = uint(cfg.MaxRequestBytes)
	ecfg.QuotaBackendBytes = cfg.QuotaBackendBytes
	ecfg.AutoCompactionMode = "periodic"
	ecfg.AutoCompactionRetention = cfg.AutoCompactionRetention.String()
	cu, err := url.Parse(cfg.ClientURL)
	if err != nil {
		return nil, fmt.Errorf("parsing etcd client URL %q: %w", cfg.ClientURL, err)
	}
	// The peer listener is never dialled (one member), but embed insists on
	// one: a free loopback port keeps two servers on one machine apart.
	pu, err := freeLoopbackURL()
	if err != nil {
		return nil, err
	}
	ecfg.ListenClientUrls, ecfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	ecfg.ListenPeerUrls, ecfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	ecfg.InitialCluster = ecfg.InitialClusterFromName(ecfg.Name)
	e, err := embed.StartEtcd(ecfg)
	if err != nil {
		return nil, fmt.Errorf("starting embedded etcd in %s: %w", cfg.DataDir, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-ctx.Done():
		e.Close()
		return nil, fmt.Errorf("starting embedded etcd: %w", ctx.Err())
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("embedded etcd failed: %w", err)
	}
	endpoint := "http://" + e.Clients[0].Addr().String()
	cli, err := clientv3.New(clientv3.Config{
		Endpoints: []string{endpoint}, DialTimeout: cfg.DialTimeout,
		Context: context.WithoutCancel(ctx), Logger: zap.NewNop(),
		MaxCallSendMsgSize: int(cfg.MaxRequestBytes + grpcOverhead),
	})
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("connecting to embedded etcd: %w", err)
	}
	log.Info("started embedded etcd", "dataDir", cfg.DataDir, "endpoint", endpoint,
		"autoCompactionRetention", ecfg.AutoCompactionRetention, "maxRequestBytes", ecfg.MaxRequestBytes, "quotaBackendBytes", ecfg.QuotaBackendBytes)
	return &Etcd{Client: cli, Embedded: e, Endpoints: []string{endpoint}, MaxRequestBytes: cfg.MaxRequestBytes}, nil
}

func freeLoopbackURL() (*url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("finding a free port for etcd: %w", err)
	}
	addr := l.Addr().String()
	l.Close()
	return &url.URL{Scheme: "http", Host: addr}, nil
}
