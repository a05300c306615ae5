package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"minka/api/v1alpha1"
)

// DeliveryAnswer is the webhook endpoint's answer to a delivery or a
// replay: what happened, and the Build it made or found.
type DeliveryAnswer struct {
	Outcome  string `json:"outcome,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Build    string `json:"build,omitempty"`
	Delivery string `json:"delivery,omitempty"`
	Error    string `json:"error,omitempty"`
}

// ReplayDelivery processes a delivery a Pipeline recorded again.
func (c *Client) ReplayDelivery(ctx context.Context, ns, pipeline, delivery string) (*DeliveryAnswer, error) {
	var a DeliveryAnswer
	p := "/webhooks/git/" + url.PathEscape(ns) + "/" + url.PathEscape(pipeline) + "/replay/" + url.PathEscape(delivery)
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// BuildLog copies a Build's Jenkins console to w: all of it so far, or
// with follow until the build ends (and, before it starts, from when it
// does).
func (c *Client) BuildLog(ctx context.Context, ns, name string, follow bool, w io.Writer) error {
	k, _ := v1alpha1.KindOf(&v1alpha1.Build{})
	q := url.Values{}
	if follow {
		q.Set("follow", "true")
	}
	req, err := c.newRequest(ctx, http.MethodGet, path(k, ns, name, "log"), q, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/plain, application/json")
	resp, err := c.stream.Do(req)
	if err != nil {
		return fmt.Errorf("reading the log of build %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return statusError(resp.StatusCode, data)
	}
	if _, err := io.Copy(w, resp.Body); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading the log of build %s: %w", name, err)
	}
	return nil
}
