package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"minka/api/v1alpha1"
)

// maxWatched bounds the resources of one /ui/watch.
const maxWatched = 12

// writeTimeout bounds the write of one line to the page: a page that
// reads nothing for that long is gone.
const writeTimeout = time.Minute

// watch serves GET /ui/watch?namespace=NS&watch=RESOURCE:RV&...: the API's
// watch of each resource (in NS, or all namespaces when it is empty) from
// its resourceVersion, joined into one stream of lines
// {"resource":R,"type":T,"object":O}, bookmarks included. When any of
// the watches ends the stream does, after a line of type END for it
// whose object is the API's Status when it refused or broke off (410
// Gone: list that resource again); the page then watches again from the
// versions it has seen.
func (h *Handler) watch(w http.ResponseWriter, r *http.Request) {
	token, _, ok := h.token(r)
	if !ok {
		writeStatus(w, apierrors.NewUnauthorized("not logged in (or the token is no longer valid): log in again"))
		return
	}
	q := r.URL.Query()
	ns := q.Get("namespace")
	subs, err := parseWatched(q["watch"])
	if err != nil {
		writeStatus(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	lines := make(chan line)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // before Wait: the watches end with ctx
	for _, s := range subs {
		path := "/apis/" + v1alpha1.Group + "/" + v1alpha1.Version + "/" + s.resource
		if ns != "" {
			path = "/apis/" + v1alpha1.Group + "/" + v1alpha1.Version + "/namespaces/" + url.PathEscape(ns) + "/" + s.resource
		}
		query := url.Values{"watch": {"true"}, "resourceVersion": {s.rv}, "allowWatchBookmarks": {"true"}}.Encode()
		sw := &lineWriter{ctx: ctx, resource: s.resource, out: lines, header: http.Header{}}
		req := h.apiRequest(ctx, r, path, query, token)
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.api.ServeHTTP(sw, req)
			sw.end()
		}()
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
	for {
		select {
		case <-ctx.Done():
			return
		case l := <-lines:
			_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := w.Write(l.b); err != nil {
				return
			}
			_ = rc.Flush()
			if l.end {
				return
			}
		}
	}
}

type watched struct{ resource, rv string }

func parseWatched(values []string) ([]watched, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("watch: name at least one RESOURCE:RESOURCEVERSION")
	}
	if len(values) > maxWatched {
		return nil, fmt.Errorf("watch: at most %d resources, not %d", maxWatched, len(values))
	}
	var out []watched
	for _, v := range values {
		res, rv, ok := strings.Cut(v, ":")
		if !ok {
			return nil, fmt.Errorf("watch: %q is not RESOURCE:RESOURCEVERSION", v)
		}
		if !slices.ContainsFunc(v1alpha1.Kinds(), func(k v1alpha1.Kind) bool { return k.Plural == res }) {
			return nil, fmt.Errorf("watch: %q is not a resource of %s/%s", res, v1alpha1.Group, v1alpha1.Version)
		}
		if n, err := strconv.ParseUint(rv, 10, 63); err != nil || n == 0 {
			return nil, fmt.Errorf("watch: %s: resourceVersion %q must be a positive number (a list's)", res, rv)
		}
		if slices.ContainsFunc(out, func(w watched) bool { return w.resource == res }) {
			return nil, fmt.Errorf("watch: %s named twice", res)
		}
		out = append(out, watched{res, rv})
	}
	return out, nil
}

// line is one line of the joined stream; end marks a watch's END.
type line struct {
	b   []byte
	end bool
}

// lineWriter is the ResponseWriter of one API watch inside /ui/watch: it
// cuts the API's stream into its lines and sends each, tagged with the
// resource, to the joined stream. An answer other than 200 (the API
// refused the watch) is kept whole and sent as the END line's object.
type lineWriter struct {
	ctx      context.Context
	resource string
	out      chan<- line
	header   http.Header
	code     int
	buf      []byte
}

func (lw *lineWriter) Header() http.Header { return lw.header }

func (lw *lineWriter) WriteHeader(code int) {
	if lw.code == 0 {
		lw.code = code
	}
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	if lw.code == 0 {
		lw.code = http.StatusOK
	}
	lw.buf = append(lw.buf, p...)
	if lw.code != http.StatusOK {
		return len(p), nil
	}
	for {
		i := bytes.IndexByte(lw.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l := lw.buf[:i+1]
		if len(l) > 1 && l[0] == '{' {
			if err := lw.send(append([]byte(`{"resource":"`+lw.resource+`",`), l[1:]...), false); err != nil {
				return 0, err
			}
		}
		lw.buf = lw.buf[i+1:]
	}
}

// Flush is a no-op: every whole line is sent as it is written.
func (lw *lineWriter) Flush() {}

func (lw *lineWriter) send(b []byte, end bool) error {
	select {
	case lw.out <- line{bytes.Clone(b), end}:
		return nil
	case <-lw.ctx.Done():
		return lw.ctx.Err()
	}
}

// end sends the END line once the API's handler has returned.
func (lw *lineWriter) end() {
	var obj json.RawMessage = []byte("null")
	if lw.code != http.StatusOK && json.Valid(lw.buf) {
		obj = bytes.TrimSpace(lw.buf)
	}
	b, _ := json.Marshal(struct {
		Resource string          `json:"resource"`
		Type     string          `json:"type"`
		Code     int             `json:"code"`
		Object   json.RawMessage `json:"object"`
	}{lw.resource, "END", lw.code, obj})
	_ = lw.send(append(b, '\n'), true)
}

func schemaResource(r string) schema.GroupResource {
	return schema.GroupResource{Group: v1alpha1.Group, Resource: r}
}
