package reconcile

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
	"k8s.io/client-go/util/workqueue"
)

// Options tune a Controller.
type Options struct {
	// Workers reconcile different keys in parallel (default 1); one key is
	// never reconciled by two workers at once.
	Workers int
	// RateLimiter spaces the retries of failing keys (default: per-key
	// exponential 5 ms → 1000 s, and 10 qps / burst 100 overall, as
	// client-go's DefaultTypedControllerRateLimiter).
	RateLimiter workqueue.TypedRateLimiter[Request]
	// Timeout bounds one reconcile (default DefaultReconcileTimeout):
	// its context carries the deadline to every call it makes, so a
	// backend that hangs past its own timeouts still frees the worker.
	Timeout time.Duration
	Log     logr.Logger
	Metrics *Metrics
}

// DefaultReconcileTimeout bounds a reconcile: several backend calls, each
// with its own shorter deadline (10 s by default), and the status write.
const DefaultReconcileTimeout = 2 * time.Minute

// Controller runs a Reconciler over a work queue of Requests.
type Controller struct {
	name       string
	reconciler Reconciler
	workers    int
	queue      workqueue.TypedRateLimitingInterface[Request]
	log        logr.Logger
	metrics    *Metrics
	timeout    time.Duration
}

// NewController builds a controller; nothing runs until Start.
func NewController(name string, r Reconciler, opts Options) *Controller {
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.RateLimiter == nil {
		opts.RateLimiter = DefaultRateLimiter()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultReconcileTimeout
	}
	cfg := workqueue.TypedRateLimitingQueueConfig[Request]{Name: name}
	if opts.Metrics != nil {
		cfg.MetricsProvider = queueMetrics{m: opts.Metrics, controller: name}
		opts.Metrics.initController(name, opts.Workers)
	}
	return &Controller{name: name, reconciler: r, workers: opts.Workers, log: opts.Log.WithValues("controller", name),
		metrics: opts.Metrics, timeout: opts.Timeout, queue: workqueue.NewTypedRateLimitingQueueWithConfig(opts.RateLimiter, cfg)}
}

// DefaultRateLimiter is client-go's controller default: the slower of a
// per-key exponential backoff and an overall token bucket.
func DefaultRateLimiter() workqueue.TypedRateLimiter[Request] {
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[Request](5*time.Millisecond, 1000*time.Second),
		&workqueue.TypedBucketRateLimiter[Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}

// BackendRateLimiter is for controllers whose errors come from an outside
// system that goes down and comes back: per-key backoff from 50 ms
// doubling to at most a minute, so that an object is retried within a
// minute of the system's return however long it was down.
func BackendRateLimiter() workqueue.TypedRateLimiter[Request] {
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[Request](50*time.Millisecond, time.Minute),
		&workqueue.TypedBucketRateLimiter[Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}

// Name returns the controller's name.
func (c *Controller) Name() string { return c.name }

// Enqueue asks for req to be reconciled; a key already waiting is not
// added twice.
func (c *Controller) Enqueue(req Request) { c.queue.Add(req) }

// EnqueueAfter asks for req to be reconciled after d.
func (c *Controller) EnqueueAfter(req Request, d time.Duration) { c.queue.AddAfter(req, d) }

// Len is the number of keys waiting.
func (c *Controller) Len() int { return c.queue.Len() }

// Start runs the workers until ctx ends, then shuts the queue down, waits
// for reconciles in flight to return, and returns.
func (c *Controller) Start(ctx context.Context) error {
	var wg sync.WaitGroup
	c.log.Info("starting workers", "workers", c.workers)
	for i := 0; i < c.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c.processNext(ctx) {
			}
		}()
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	c.log.Info("workers stopped")
	return nil
}

// processNext reconciles one key; false when the queue is shut down.
func (c *Controller) processNext(ctx context.Context) bool {
	req, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(req)
	if c.metrics != nil {
		c.metrics.activeWorkers.WithLabelValues(c.name).Inc()
		defer c.metrics.activeWorkers.WithLabelValues(c.name).Dec()
	}
	c.handle(ctx, req)
	return true
}

// handle is controller-runtime's reconcileHandler: an error requeues with
// backoff, RequeueAfter forgets the failures and adds after the delay,
// success forgets, a terminal error is counted and dropped.
func (c *Controller) handle(ctx context.Context, req Request) {
	start := time.Now()
	log := c.log.WithValues("object", req.String())
	res, err := c.call(logr.NewContext(ctx, log), req)
	c.observe(time.Since(start))
	switch {
	case err != nil && ctx.Err() != nil:
		c.queue.Forget(req) // shutting down: the next leader starts afresh
	case IsTerminal(err):
		c.queue.Forget(req)
		c.count("error")
		c.inc(func(m *Metrics) { m.terminalErrors.WithLabelValues(c.name).Inc() })
		log.Error(err, "reconcile failed; not retrying")
	case err != nil:
		c.queue.AddRateLimited(req)
		c.count("error")
		var pe *panicError
		if errors.As(err, &pe) {
			log.Error(err, "reconcile panicked", "stack", string(pe.stack))
		} else {
			log.Error(err, "reconcile failed; retrying", "retries", c.queue.NumRequeues(req))
		}
	case res.RequeueAfter > 0:
		c.queue.Forget(req)
		c.queue.AddAfter(req, res.RequeueAfter)
		c.count("requeue_after")
	default:
		c.queue.Forget(req)
		c.count("success")
	}
}

// call runs the reconciler, turning a panic into an error.
func (c *Controller) call(ctx context.Context, req Request) (res Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
			c.inc(func(m *Metrics) { m.panics.WithLabelValues(c.name).Inc() })
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res, err = c.reconciler.Reconcile(ctx, req)
	if err != nil {
		err = fmt.Errorf("reconciling %s: %w", req, err)
	}
	return res, err
}

func (c *Controller) count(result string) {
	c.inc(func(m *Metrics) {
		m.reconcileTotal.WithLabelValues(c.name, result).Inc()
		if result == "error" {
			m.reconcileErrors.WithLabelValues(c.name).Inc()
		}
	})
}

func (c *Controller) observe(d time.Duration) {
	c.inc(func(m *Metrics) { m.reconcileTime.WithLabelValues(c.name).Observe(d.Seconds()) })
}

func (c *Controller) inc(f func(*Metrics)) {
	if c.metrics != nil {
		f(c.metrics)
	}
}
