package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
)

// maxWatchTimeout ends a watch that asked for no timeout, so clients
// rebalance across servers now and then (kube-apiserver does the same).
const maxWatchTimeout = 30 * time.Minute

// watchLine is one line of a watch stream.
type watchLine struct {
	Type   watch.EventType `json:"type"`
	Object any             `json:"object"`
}

// watch streams changes as newline-delimited JSON, one writer, flushed per
// event, in etcd revision order. A compacted resourceVersion gets one ERROR
// line with a 410 Status, as from kube-apiserver; the client relists.
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
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	wopts := store.WatchOptions{ResourceVersion: q.Get("resourceVersion"), Labels: opts.Labels, Fields: opts.Fields,
		Bookmarks: q.Get("allowWatchBookmarks") == "true"}
	ch, err := s.store.Watch(ctx, info.Kind, info.Namespace, wopts)
	if err != nil && !errors.Is(err, store.ErrGone) {
		return err
	}
	done := s.metrics.longrunning(info)
	defer done()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	if err != nil {
		_ = enc.Encode(errorLine(err, info))
		return nil
	}
	if flusher != nil {
		flusher.Flush()
	}
	for ev := range ch {
		line := watchLine{Type: ev.Type, Object: ev.Object}
		if ev.Type == watch.Error {
			line = errorLine(ev.Err, info)
		} else {
			v1alpha1.SetTypeMeta(ev.Object)
		}
		if err := enc.Encode(line); err != nil {
			return nil // the client went away
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	return nil
}

func errorLine(err error, info *requestInfo) watchLine {
	st := toStatus(err, info).ErrStatus
	st.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}
	return watchLine{Type: watch.Error, Object: &st}
}
