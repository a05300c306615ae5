package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

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
}

// Watch streams changes of a kind in ns ("" = every namespace). The
// channel closes when ctx ends, the server ends the stream, or the
// connection fails; the goroutine feeding it exits with it.
func (c *Client) Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts WatchOptions) (<-chan Event, error) {
	q := ListOptions{LabelSelector: opts.LabelSelector, FieldSelector: opts.FieldSelector}.query()
	q.Set("watch", "true")
	if opts.ResourceVersion != "" {
		q.Set("resourceVersion", opts.ResourceVersion)
	}
	req, err := c.newRequest(ctx, http.MethodGet, path(k, ns, "", ""), q, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.stream.Do(req)
	if err != nil {
		return nil, fmt.Errorf("watching %s: %w", k.Plural, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var buf [64 << 10]byte
		n, _ := resp.Body.Read(buf[:])
		return nil, statusError(resp.StatusCode, buf[:n])
	}
	out := make(chan Event, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		for {
			ev, err := decodeEvent(dec, k)
			if err != nil {
				return // end of stream, ctx cancelled, or a broken line
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
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
