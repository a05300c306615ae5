package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/rollout"
	"minka/api/v1alpha1"
	"minka/client"
)

// awaited is one object a verb waits on.
type awaited struct {
	kind      v1alpha1.Kind
	namespace string
	name      string
}

func (t awaited) String() string { return ref(t.kind, t.name) }

// id keys an object in the waiter's maps (a Kind holds funcs: no key).
func (t awaited) id() string { return t.kind.Plural + "/" + t.namespace + "/" + t.name }

// waiter follows targets through watches until each is done or failed
// (api/rollout decides which), printing each object's progress line
// when it changes. A watch the server ends is resumed from the last
// revision seen, and one whose revision is gone starts over from a
// fresh read.
type waiter struct {
	c   *client.Client
	out io.Writer

	mu     sync.Mutex
	status map[string]rollout.Status
	rv     map[string]int64
	shown  map[string]string
}

// update is one object's new state from a read or a watch.
type update struct {
	t   awaited
	obj v1alpha1.Object // nil: deleted
}

// wait follows targets until each is done or failed, or ctx ends, and
// returns their last statuses. An object that cannot be read at the
// start is an error.
func (w *waiter) wait(ctx context.Context, targets []awaited) (map[string]rollout.Status, error) {
	w.status, w.rv, w.shown = map[string]rollout.Status{}, map[string]int64{}, map[string]string{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	updates := make(chan update, 64)
	groups := map[[2]string][]awaited{} // one watch per kind and namespace
	for _, t := range targets {
		obj, err := w.c.Get(ctx, t.kind, t.namespace, t.name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", t, err)
		}
		w.apply(update{t, obj})
		key := [2]string{t.kind.Plural, t.namespace}
		groups[key] = append(groups[key], t)
	}
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // every watch goroutine has returned
	errc := make(chan error, len(groups))
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.watch(ctx, g, updates); err != nil {
				errc <- err
			}
		}()
	}
	for !w.finished(targets) {
		select {
		case <-ctx.Done():
			return w.snapshot(), nil
		case err := <-errc:
			return nil, err
		case u := <-updates:
			w.apply(u)
		}
	}
	return w.snapshot(), nil
}

// retryWatch is how long a watch the server did not start waits before
// it is asked again.
const retryWatch = time.Second

// apply records an object's state, unless it is older than one seen,
// and prints its line if that changed.
func (w *waiter) apply(u update) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := rollout.Status{State: rollout.Failed, Reason: "Deleted", Message: u.t.String() + " was deleted"}
	if u.obj != nil {
		rv, _ := strconv.ParseInt(u.obj.GetResourceVersion(), 10, 64)
		if rv < w.rv[u.t.id()] {
			return // a watch replaying what a read already showed
		}
		w.rv[u.t.id()] = rv
		st = rollout.Of(u.obj)
	}
	if prev, ok := w.status[u.t.id()]; ok && prev.State != rollout.Waiting {
		return // an end is final: the rest is for another run
	}
	w.status[u.t.id()] = st
	if st.Message != w.shown[u.t.id()] {
		w.shown[u.t.id()] = st.Message
		fmt.Fprintln(w.out, st.Message)
	}
}

func (w *waiter) finished(targets []awaited) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range targets {
		if w.status[t.id()].State == rollout.Waiting {
			return false
		}
	}
	return true
}

func (w *waiter) snapshot() map[string]rollout.Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]rollout.Status{}
	for t, s := range w.status {
		out[t] = s
	}
	return out
}

// watch streams one kind and namespace's changes into updates, for the
// targets named, until ctx ends. A watch refused for good (forbidden, a
// bad request) is its error; one refused for now (the server restarting,
// etcd away) is asked again.
func (w *waiter) watch(ctx context.Context, targets []awaited, updates chan<- update) error {
	names := map[string]awaited{}
	from := int64(0)
	for _, t := range targets {
		names[t.name] = t
		if rv := w.lastRV(t); from == 0 || rv < from {
			from = rv
		}
	}
	opts := client.WatchOptions{ResourceVersion: strconv.FormatInt(from, 10)}
	if len(targets) == 1 {
		opts.FieldSelector = "metadata.name=" + targets[0].name
	}
	for ctx.Err() == nil {
		events, err := w.c.Watch(ctx, targets[0].kind, targets[0].namespace, opts)
		switch {
		case err == nil:
		case apierrors.IsResourceExpired(err) || apierrors.IsGone(err):
			opts.ResourceVersion = "" // start over from the current objects
			continue
		case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || apierrors.IsBadRequest(err) || apierrors.IsNotFound(err):
			return fmt.Errorf("watching %s: %w", targets[0].kind.Plural, err)
		default:
			select {
			case <-ctx.Done():
			case <-time.After(retryWatch):
			}
			continue
		}
		n := 0
		for ev := range events {
			n++
			if ev.Type == "ERROR" {
				if ev.Status != nil && ev.Status.Code == 410 {
					opts.ResourceVersion = "" // start over from the current objects
				}
				continue // the stream ends after it: watch again
			}
			opts.ResourceVersion = ev.Object.GetResourceVersion() // where to resume
			t, ok := names[ev.Object.GetName()]
			if !ok || ev.Type == "BOOKMARK" {
				continue
			}
			u := update{t, ev.Object}
			if ev.Type == "DELETED" {
				u.obj = nil
			}
			select {
			case updates <- u:
			case <-ctx.Done():
				return nil
			}
		}
		if n == 0 { // ended at once: do not spin against a server that ends every watch
			select {
			case <-ctx.Done():
			case <-time.After(retryWatch):
			}
		}
	}
	return nil
}

func (w *waiter) lastRV(t awaited) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rv[t.id()]
}

// outcome turns the last statuses into the verb's error: nil when every
// target is done, else each one that failed, or is still waiting when
// time ran out, with its reason.
func outcome(targets []awaited, status map[string]rollout.Status, timedOut bool) error {
	var bad []string
	for _, t := range targets {
		st := status[t.id()]
		switch {
		case st.State == rollout.Failed:
			bad = append(bad, fmt.Sprintf("%s: %s: %s", t, st.Reason, st.Message))
		case st.State == rollout.Waiting && timedOut:
			bad = append(bad, fmt.Sprintf("%s: timed out waiting: %s", t, st.Message))
		case st.State == rollout.Waiting:
			bad = append(bad, fmt.Sprintf("%s: not done: %s", t, st.Message))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("%d of %d objects not rolled out:\n  %s", len(bad), len(targets), strings.Join(bad, "\n  "))
}
