package client

import (
	"context"
	"net/http"
	"net/url"
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
