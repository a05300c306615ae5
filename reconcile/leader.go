package reconcile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"minka/store"
)

// ElectorOptions tune leader election.
type ElectorOptions struct {
	// Prefix of the election keys (default /minka-leader/controllers).
	Prefix string
	// Identity names this candidate in the leader key (default: "unknown").
	Identity string
	// LeaseDuration is the etcd lease TTL: a dead leader is replaced within
	// it (default 15s).
	LeaseDuration time.Duration
	Log           logr.Logger
	Metrics       *Metrics
}

// Elector runs a function only while this process holds the leader key.
//
// Liveness rides on one etcd lease kept alive by the client, so a system
// at rest moves no revision. The leader stops its work at the renew
// deadline, 2/3 of the lease after the last renewal etcd confirmed, which
// is before etcd can expire the lease and let another candidate win; and
// every write the work makes through the store carries a fence (the leader
// key's create revision), so a write still in flight after a loss fails
// instead of racing the next leader.
type Elector struct {
	cli  *clientv3.Client
	opts ElectorOptions
}

// NewElector builds an elector on an etcd client.
func NewElector(cli *clientv3.Client, opts ElectorOptions) *Elector {
	if opts.Prefix == "" {
		opts.Prefix = "/minka-leader/controllers"
	}
	if opts.Identity == "" {
		opts.Identity = "unknown"
	}
	if opts.LeaseDuration <= 0 {
		opts.LeaseDuration = 15 * time.Second
	}
	return &Elector{cli: cli, opts: opts}
}

// Run campaigns, runs lead while leading, and campaigns again after a
// loss, until ctx ends. lead gets a context that ends when leadership ends,
// and the fence its writes must carry.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context, fence store.Fence) error) error {
	log := e.opts.Log.WithValues("identity", e.opts.Identity)
	e.setLeader(false)
	for ctx.Err() == nil {
		err := e.term(ctx, log, lead)
		e.setLeader(false)
		if err != nil && ctx.Err() == nil {
			log.Error(err, "leader election term ended; campaigning again")
			sleep(ctx, time.Second)
		}
	}
	return nil
}

// term is one campaign and, if won, one period of leadership.
func (e *Elector) term(ctx context.Context, log logr.Logger, lead func(context.Context, store.Fence) error) error {
	ttl := int64(e.opts.LeaseDuration / time.Second)
	grant, err := e.cli.Grant(ctx, max(ttl, 1))
	if err != nil {
		return fmt.Errorf("granting election lease: %w", err)
	}
	sess, err := concurrency.NewSession(e.cli, concurrency.WithLease(grant.ID), concurrency.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("starting election session: %w", err)
	}
	defer sess.Close() // revokes the lease: a successor need not wait for the TTL
	lctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // the renewal watcher ends with the term
	wg.Add(1)
	go func() { defer wg.Done(); e.watchRenewals(lctx, cancel, grant.ID, log) }()

	el := concurrency.NewElection(sess, e.opts.Prefix)
	if err := el.Campaign(lctx, e.opts.Identity); err != nil {
		if lctx.Err() != nil {
			return fmt.Errorf("lease lost while campaigning: %w", err)
		}
		return fmt.Errorf("campaigning: %w", err)
	}
	fence := store.Fence{Key: el.Key(), CreateRevision: el.Rev()}
	log.Info("became leader", "key", fence.Key, "revision", fence.CreateRevision)
	e.setLeader(true)
	err = lead(lctx, fence)
	e.setLeader(false)
	log.Info("stopped leading")
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer rcancel()
	if rerr := el.Resign(rctx); rerr != nil {
		// The lease is revoked with the session all the same; a
		// successor waits at most for its TTL.
		log.Error(rerr, "resigning leadership")
	}
	return err
}

// watchRenewals cancels the term at the renew deadline: when etcd has not
// confirmed a renewal for 2/3 of the lease, or the lease is gone.
func (e *Elector) watchRenewals(ctx context.Context, cancel func(), id clientv3.LeaseID, log logr.Logger) {
	ka, err := e.cli.KeepAlive(ctx, id)
	if err != nil {
		log.Error(err, "keeping the election lease alive; stepping down")
		cancel()
		return
	}
	deadline := e.opts.LeaseDuration * 2 / 3
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		select {
		case resp, ok := <-ka:
			if !ok || resp == nil {
				log.Info("election lease lost")
				cancel()
				return
			}
			timer.Reset(deadline)
		case <-timer.C:
			log.Info("election lease not renewed in time; stepping down", "renewDeadline", deadline)
			cancel()
			return
		case <-ctx.Done():
			return
		}
	}
}

func (e *Elector) setLeader(leading bool) {
	if e.opts.Metrics != nil {
		e.opts.Metrics.SetLeader(e.opts.Prefix, leading)
	}
}
