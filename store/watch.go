package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
)

// WatchOptions select what a Watch streams.
type WatchOptions struct {
	// ResourceVersion to start after; "" or "0" first sends every current
	// object as ADDED, then the changes after that list.
	ResourceVersion string
	Labels          labels.Selector
	Fields          fields.Selector
	// Bookmarks asks for BOOKMARK events carrying the latest revision
	// (from etcd progress notifications) so an idle watcher can resume
	// without a relist.
	Bookmarks bool
}

func (o WatchOptions) list() ListOptions { return ListOptions{Labels: o.Labels, Fields: o.Fields} }

// WatchEvent is one change. Type watch.Error carries Err (ErrGone when
// the revision was compacted) and ends the stream.
type WatchEvent struct {
	Type   watch.EventType
	Object v1alpha1.Object
	Err    error
}

// watchBuffer decouples the etcd stream from a slow consumer for a while;
// past it the producer waits (etcd buffers further on its side).
const watchBuffer = 128

// Watch streams changes of a kind in one namespace ("" = all). The channel
// closes when ctx ends or the stream fails; the goroutine feeding it is
// owned by ctx. A resourceVersion older than the last compaction fails
// with ErrGone at once.
func (s *Store) Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts WatchOptions) (<-chan WatchEvent, error) {
	rv, err := parseRV(k, opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	prefix := s.nsPrefix(k, ns)
	var initial []v1alpha1.Object
	if rv == 0 {
		list, err := s.List(ctx, k, ns, opts.list())
		if err != nil {
			return nil, err
		}
		initial = list.GetItems()
		rv, _ = strconv.ParseInt(list.GetResourceVersion(), 10, 64)
	} else if err := s.checkCompacted(ctx, k, prefix, rv); err != nil {
		return nil, err
	}
	// The etcd watch starts at rv itself, not rv+1, and run drops what rv
	// holds (the caller has it): etcd answers no progress request on a
	// stream while any of its watches starts past the current revision
	// (mvcc's progressIfSync), and rv+1 after a fresh list is just that —
	// every watch cache and informer on the stream would wait for the next
	// write anywhere before it could learn it is up to date.
	wopts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithRev(rv), clientv3.WithPrevKV()}
	if opts.Bookmarks {
		wopts = append(wopts, clientv3.WithProgressNotify())
	}
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	wch := s.cli.Watch(wctx, prefix, wopts...)
	out := make(chan WatchEvent, watchBuffer)
	w := &watcher{k: k, opts: opts, out: out, after: rv}
	go func() {
		defer close(out)
		defer cancel()
		for _, obj := range initial {
			if !w.send(wctx, WatchEvent{Type: watch.Added, Object: obj}) {
				return
			}
		}
		w.run(wctx, wch)
	}()
	return out, nil
}

// RequestProgress asks etcd to tell every watch of this store (those
// opened by Watch) how far it has got: each watch that asked for
// Bookmarks then sends one at etcd's current revision once it has sent
// every event up to it. A watch cache waits on it for freshness.
func (s *Store) RequestProgress(ctx context.Context) error {
	// Watch opens its streams under WithRequireLeader; etcd's client finds
	// the stream to ask by the context's metadata.
	if err := s.cli.RequestProgress(clientv3.WithRequireLeader(ctx)); err != nil {
		return fmt.Errorf("requesting watch progress: %w", err)
	}
	return nil
}

// checkCompacted fails with ErrGone when rv is below etcd's compaction point.
func (s *Store) checkCompacted(ctx context.Context, k v1alpha1.Kind, prefix string, rv int64) error {
	_, err := s.cli.Get(ctx, prefix, clientv3.WithRev(rv), clientv3.WithCountOnly())
	switch {
	case errors.Is(err, rpctypes.ErrCompacted):
		return &Error{Err: ErrGone, Kind: k.Kind, Msg: fmt.Sprintf("resourceVersion %d has been compacted", rv)}
	case errors.Is(err, rpctypes.ErrFutureRev), err == nil:
		return nil
	default:
		return fmt.Errorf("checking watch revision %d: %w", rv, err)
	}
}

type watcher struct {
	k     v1alpha1.Kind
	opts  WatchOptions
	out   chan WatchEvent
	after int64 // the revision the watch is from: its own changes are not sent
}

func (w *watcher) send(ctx context.Context, ev WatchEvent) bool {
	select {
	case w.out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

func (w *watcher) run(ctx context.Context, wch clientv3.WatchChan) {
	for resp := range wch {
		if resp.CompactRevision != 0 {
			w.send(ctx, WatchEvent{Type: watch.Error, Err: &Error{Err: ErrGone, Kind: w.k.Kind,
				Msg: fmt.Sprintf("revision compacted at %d", resp.CompactRevision)}})
			return
		}
		if err := resp.Err(); err != nil {
			if ctx.Err() == nil {
				w.send(ctx, WatchEvent{Type: watch.Error, Err: fmt.Errorf("watching %s: %w", w.k.Plural, err)})
			}
			return
		}
		if resp.IsProgressNotify() {
			if w.opts.Bookmarks && !w.send(ctx, w.bookmark(resp.Header.Revision)) {
				return
			}
			continue
		}
		for _, ev := range resp.Events {
			if ev.Kv.ModRevision <= w.after {
				continue
			}
			wev, ok, err := w.translate(ev)
			if err != nil {
				w.send(ctx, WatchEvent{Type: watch.Error, Err: err})
				return
			}
			if ok && !w.send(ctx, wev) {
				return
			}
		}
	}
}

func (w *watcher) bookmark(rev int64) WatchEvent {
	obj := w.k.New()
	v1alpha1.SetTypeMeta(obj)
	obj.SetResourceVersion(strconv.FormatInt(rev, 10))
	return WatchEvent{Type: watch.Bookmark, Object: obj}
}

// translate turns an etcd event into a watch event as seen through the
// selectors: an object that starts matching is ADDED, one that stops
// matching is DELETED, as Kubernetes' watch cache does.
func (w *watcher) translate(ev *clientv3.Event) (WatchEvent, bool, error) {
	var cur, prev v1alpha1.Object
	var err error
	if ev.Type != mvccpb.DELETE && ev.PrevKv != nil && w.opts.list().everything() {
		// Without selectors a previous version only says MODIFIED rather
		// than ADDED; decoding it cost 13% of the server's CPU per status
		// write (issue 19's profile).
		if cur, err = decode(w.k, ev.Kv.Value, ev.Kv.ModRevision); err != nil {
			return WatchEvent{}, false, err
		}
		return WatchEvent{Type: watch.Modified, Object: cur}, true, nil
	}
	if ev.PrevKv != nil {
		if prev, err = decode(w.k, ev.PrevKv.Value, ev.PrevKv.ModRevision); err != nil {
			return WatchEvent{}, false, err
		}
	}
	if ev.Type == mvccpb.DELETE {
		if prev == nil || !w.opts.list().matches(prev) {
			return WatchEvent{}, false, nil
		}
		prev.SetResourceVersion(strconv.FormatInt(ev.Kv.ModRevision, 10))
		return WatchEvent{Type: watch.Deleted, Object: prev}, true, nil
	}
	if cur, err = decode(w.k, ev.Kv.Value, ev.Kv.ModRevision); err != nil {
		return WatchEvent{}, false, err
	}
	curOK := w.opts.list().matches(cur)
	prevOK := prev != nil && w.opts.list().matches(prev)
	switch {
	case curOK && prevOK:
		return WatchEvent{Type: watch.Modified, Object: cur}, true, nil
	case curOK:
		return WatchEvent{Type: watch.Added, Object: cur}, true, nil
	case prevOK:
		return WatchEvent{Type: watch.Deleted, Object: cur}, true, nil
	}
	return WatchEvent{}, false, nil
}
