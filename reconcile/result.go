package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Request names the object to reconcile.
type Request struct {
	Namespace string
	Name      string
}

func (r Request) String() string {
	if r.Namespace == "" {
		return r.Name
	}
	return r.Namespace + "/" + r.Name
}

// Result says when to look again. A zero Result with a nil error means
// "done until something changes".
type Result struct {
	// RequeueAfter > 0 reconciles the object again after this long, without
	// counting as a failure (waiting on the outside world).
	RequeueAfter time.Duration
}

// Reconciler makes the world match one object's spec. It must be
// idempotent: it is called again after errors, restarts and resyncs.
type Reconciler interface {
	Reconcile(ctx context.Context, req Request) (Result, error)
}

// Func adapts a function to Reconciler.
type Func func(ctx context.Context, req Request) (Result, error)

// Reconcile implements Reconciler.
func (f Func) Reconcile(ctx context.Context, req Request) (Result, error) { return f(ctx, req) }

// terminalError is an error retrying cannot fix (a spec that can never
// work): it is recorded and counted, not requeued.
type terminalError struct{ err error }

func (e *terminalError) Error() string { return "terminal error: " + e.err.Error() }
func (e *terminalError) Unwrap() error { return e.err }

// TerminalError marks err as not worth retrying.
func TerminalError(err error) error {
	if err == nil {
		return nil
	}
	return &terminalError{err: err}
}

// IsTerminal reports whether err was marked with TerminalError.
func IsTerminal(err error) bool {
	var t *terminalError
	return errors.As(err, &t)
}

// panicError carries a recovered panic and its stack.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }
