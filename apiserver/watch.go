package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/watchcache"
)

// maxWatchTimeout ends a watch that asked for no timeout, so clients
// rebalance across servers now and then (kube-apiserver does the same).
const maxWatchTimeout = 30 * time.Minute

// watchLine is one line of a watch stream.
type watchLine struct {
	Type   watch.EventType `json:"type"`
	Object any             `json:"object"`
}

// watch streams changes from the watch cache as newline-delimited JSON,
// one writer, flushed per event, in etcd revision order. A compacted or
// too old resourceVersion gets one ERROR line with a 410 Status, as from
// kube-apiserver; the client relists. A resourceVersion past etcd's
// revision (checkNotFuture), or one the cache does not reach in time, gets
// one ERROR line with a 504 "Too large resource version" Status. Past the
// watch limits the answer is 429 (watchlimit.go); a cache not ready yet,
// 503.
func (s *Server) watch(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	opts, err := listOptions(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	timeout := maxWatchTimeout
	if t := q.Get("timeoutSeconds"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return apierrors.NewBadRequest("timeoutSeconds must be a non-negative integer")
		}
		timeout = min(time.Duration(n)*time.Second, maxWatchTimeout)
	}
	release, err := s.watchLimits.admit(r)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	wopts := store.WatchOptions{ResourceVersion: q.Get("resourceVersion"), Labels: opts.Labels, Fields: opts.Fields,
		Bookmarks: q.Get("allowWatchBookmarks") == "true"}
	wt, err := s.startWatch(ctx, info, wopts)
	if err != nil && !inStream(err) {
		return err
	}
	done := s.metrics.longrunning(info)
	defer done()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	out := newWatchWriter(w)
	defer out.finish()
	if err != nil {
		_ = out.line(errorLine(err, info))
		return nil
	}
	defer wt.Stop()
	out.unblockWhenDone(wt.Context())
	out.flush()
	tableVersion, asTable := wantsTable(r)
	for {
		ev, ok := wt.Next()
		if !ok {
			return nil
		}
		data := ev.Object.JSON()
		if asTable && ev.Type != watch.Bookmark && ev.Type != watch.Error {
			// kubectl get -w: each change a Table of one row, encoded for
			// this watcher alone.
			t, err := table(r, tableVersion, info.Kind.Kind, []v1alpha1.Object{ev.Object.Object()}, metav1.ListMeta{ResourceVersion: ev.Object.Object().GetResourceVersion()})
			if err != nil {
				_ = out.line(errorLine(err, info))
				return nil
			}
			if data, err = json.Marshal(t); err != nil {
				return nil
			}
		}
		if err := out.event(ev.Type, data); err != nil {
			return nil // the client went away, or read nothing for watchWriteTimeout
		}
	}
}

// startWatch opens a watch of the cache from a resourceVersion that is
// not in the future. Its set-up is bounded (the read of etcd's revision
// by the store deadline, the cache's wait to reach it by its
// FreshTimeout); the watch itself is not.
func (s *Server) startWatch(ctx context.Context, info *requestInfo, opts store.WatchOptions) (*watchcache.Watcher, error) {
	sctx, cancel := s.storeContext(ctx)
	err := s.checkNotFuture(sctx, opts.ResourceVersion)
	cancel()
	if err != nil {
		return nil, err
	}
	wt, err := s.cache.Watch(ctx, info.Kind, info.Namespace, opts)
	var tooLarge *watchcache.TooLargeResourceVersionError
	var notReady *watchcache.NotReadyError
	switch {
	case errors.As(err, &tooLarge):
		return nil, tooLargeResourceVersion(tooLarge.ResourceVersion, tooLarge.Current)
	case errors.As(err, &notReady):
		se := apierrors.NewServiceUnavailable(notReady.Error())
		se.ErrStatus.Details = &metav1.StatusDetails{RetryAfterSeconds: 1}
		return nil, se
	}
	return wt, err
}

// inStream says whether a watch that could not start is told so by an
// ERROR line in a 200 stream rather than by the response's status: the
// errors of a resourceVersion that parsed, compacted or in the future, as
// kube-apiserver does ("once we have passed authn/authz/admission, and
// successfully parsed a resource version, other errors must fail with a
// watch event of type ERROR", its cacher.go).
func inStream(err error) bool {
	return errors.Is(err, store.ErrGone) || apierrors.HasStatusCause(err, metav1.CauseTypeResourceVersionTooLarge)
}

func errorLine(err error, info *requestInfo) watchLine {
	st := toStatus(err, info).ErrStatus
	st.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}
	return watchLine{Type: watch.Error, Object: &st}
}

// tooLargeRetrySeconds is the retryAfterSeconds of a "Too large resource
// version" Status.
const tooLargeRetrySeconds = 1

// checkNotFuture fails a watch from a resourceVersion past etcd's current
// revision, which would otherwise stream nothing until etcd got there,
// with kube-apiserver's error for it (storage.NewTooLargeResourceVersionError,
// sent by its etcd3 watcher when the start revision is past the storage's):
// 504 Timeout "Too large resource version: N, current: C", cause
// ResourceVersionTooLarge. etcd is read linearizably, so every revision a
// client was given is at most the current one: there is nothing to wait
// for. "", "0" and malformed versions are the store's to handle.
func (s *Server) checkNotFuture(ctx context.Context, rv string) error {
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil || n <= 0 {
		return nil
	}
	cur, err := s.store.Revision(ctx)
	if err != nil {
		return err
	}
	if n <= cur {
		return nil
	}
	return tooLargeResourceVersion(n, cur)
}

// tooLargeResourceVersion is kube-apiserver's error for a watch from a
// revision its storage has not reached.
func tooLargeResourceVersion(rv, cur int64) error {
	tooLarge := apierrors.NewTimeoutError(fmt.Sprintf("Too large resource version: %d, current: %d", rv, cur), tooLargeRetrySeconds)
	tooLarge.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: metav1.CauseTypeResourceVersionTooLarge, Message: "Too large resource version"}}
	return tooLarge
}
