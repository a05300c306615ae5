package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// WatchOptions select what a watch streams.
type WatchOptions struct {
	// ResourceVersion to start after; "" sends the current objects first.
	ResourceVersion string
	LabelSelector   string
	FieldSelector   string
}

// Event is one line of a watch stream. For Type "ERROR", Status says why
// (Code 410: the resourceVersion is gone; relist and watch again).
type Event struct {
	Type   string
	Object v1alpha1.Object
	Status *metav1.Status
	// Err is set on the ERROR event the client makes itself when the
	// stream breaks (see Watch); it is nil on the server's ERROR lines.
	Err error
}

// ReasonWatchDecoding is the Status cause type of a broken stream, as
// client-go's (its Status is a 500 InternalError made by the client).
const ReasonWatchDecoding metav1.CauseType = "ClientWatchDecoding"

// Watch streams changes of a kind in ns ("" = every namespace). The
// channel closes when ctx ends or the server ends the stream between two
// lines; the goroutine feeding it exits with it. A stream that breaks
// otherwise (a line that does not decode, a connection cut mid-line or
// failing) ends with one last ERROR Event whose Err says why and whose
// Status is a 500 InternalError, so a reader of ERROR events stops there
// rather than mistaking it for a quiet end.
func (c *Client) Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts WatchOptions) (<-chan Event, error) {
	q := ListOptions{LabelSelector: opts.LabelSelector, FieldSelector: opts.FieldSelector}.query()
	q.Set("watch", "true")
	if opts.ResourceVersion != "" {
		q.Set("resourceVersion", opts.ResourceVersion)
	}
	resp, err := c.startWatch(ctx, k, path(k, ns, "", ""), q)
	if err != nil {
		return nil, err
	}
	out := make(chan Event, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		for {
			ev, err := decodeEvent(dec, k)
			if errors.Is(err, io.EOF) || (err != nil && ctx.Err() != nil) {
				return // the server ended the stream, or the caller did
			}
			if err != nil {
				ev = brokenStream(k, err)
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out, nil
}

// startWatch opens the stream, retrying a start the server refused with
// Retry-After (a watch limit, a watch cache not ready) as doWith does.
func (c *Client) startWatch(ctx context.Context, k v1alpha1.Kind, p string, q url.Values) (*http.Response, error) {
	var resp *http.Response
	err := retry(ctx, func() (time.Duration, error) {
		req, err := c.newRequest(ctx, http.MethodGet, p, q, nil)
		if err != nil {
			return 0, err
		}
		if resp, err = c.stream.Do(req); err != nil {
			return 0, fmt.Errorf("watching %s: %w", k.Plural, err)
		}
		if resp.StatusCode == http.StatusOK {
			return 0, nil
		}
		var buf [64 << 10]byte
		n, _ := io.ReadFull(resp.Body, buf[:])
		resp.Body.Close()
		return retryAfter(http.MethodGet, resp), statusError(resp.StatusCode, buf[:n])
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// brokenStream is the last Event of a stream that broke.
func brokenStream(k v1alpha1.Kind, err error) Event {
	err = fmt.Errorf("watching %s: unable to decode an event from the watch stream: %w", k.Plural, err)
	st := apierrors.NewInternalError(err).ErrStatus
	st.Details.Causes = []metav1.StatusCause{{Type: ReasonWatchDecoding, Message: err.Error()}}
	return Event{Type: "ERROR", Status: &st, Err: err}
}

func decodeEvent(dec *json.Decoder, k v1alpha1.Kind) (Event, error) {
	var line struct {
		Type   string          `json:"type"`
		Object json.RawMessage `json:"object"`
	}
	if err := dec.Decode(&line); err != nil {
		return Event{}, err
	}
	ev := Event{Type: line.Type}
	if line.Type == "ERROR" {
		ev.Status = &metav1.Status{}
		return ev, json.Unmarshal(line.Object, ev.Status)
	}
	ev.Object = k.New()
	return ev, json.Unmarshal(line.Object, ev.Object)
}
