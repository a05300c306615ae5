package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/watch"
)

// watchWriteTimeout bounds the write of one watch event: a client that
// takes none of it for that long is gone, or reads nothing, and its
// watch ends. There is no WriteTimeout on the server (it would end every
// watch), so without it a client that stops reading would hold its
// handler until TCP gives up.
const watchWriteTimeout = time.Minute

// watchWriter writes a watch's lines: the events' objects come encoded
// from the watch cache, shared by every watcher, and go to the socket as
// they are, without a copy per watcher.
type watchWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	flusher http.Flusher

	mu       sync.Mutex
	finished bool
	stop     func() bool
}

func newWatchWriter(w http.ResponseWriter) *watchWriter {
	f, _ := w.(http.Flusher)
	return &watchWriter{w: w, rc: http.NewResponseController(w), flusher: f}
}

// unblockWhenDone ends a write in progress as soon as ctx ends: the watch
// timed out, the server is stopping, or the watch cache ended a client
// that fell behind.
func (ww *watchWriter) unblockWhenDone(ctx context.Context) {
	ww.stop = context.AfterFunc(ctx, func() {
		ww.mu.Lock()
		defer ww.mu.Unlock()
		if !ww.finished {
			_ = ww.rc.SetWriteDeadline(time.Now())
		}
	})
}

// finish ends the writer before its handler returns: no deadline may be
// set on the connection after that, and the one set for the last event
// is lifted for the connection's next request.
func (ww *watchWriter) finish() {
	if ww.stop != nil {
		ww.stop()
	}
	ww.mu.Lock()
	defer ww.mu.Unlock()
	ww.finished = true
	_ = ww.rc.SetWriteDeadline(time.Time{})
}

var (
	lineObject = []byte(`","object":`)
	lineEnd    = []byte("}\n")
)

// event writes {"type":T,"object":OBJ}\n, as json.Encoder would for a
// watchLine, and flushes it.
func (ww *watchWriter) event(typ watch.EventType, obj []byte) error {
	_ = ww.rc.SetWriteDeadline(time.Now().Add(watchWriteTimeout))
	for _, b := range [][]byte{[]byte(`{"type":"` + string(typ)), lineObject, obj, lineEnd} {
		if _, err := ww.w.Write(b); err != nil {
			return err
		}
	}
	ww.flush()
	return nil
}

// line writes one encoded line (an ERROR) and flushes it.
func (ww *watchWriter) line(l watchLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	_ = ww.rc.SetWriteDeadline(time.Now().Add(watchWriteTimeout))
	if _, err := ww.w.Write(append(b, '\n')); err != nil {
		return err
	}
	ww.flush()
	return nil
}

func (ww *watchWriter) flush() {
	if ww.flusher != nil {
		ww.flusher.Flush()
	}
}
