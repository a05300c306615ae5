package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"minka/backend"
)

// receiver posts messages to one receiver of the config. Its URL and key
// are read once; an error reading them is reported on every Alert that
// names the receiver, never with their contents.
type receiver struct {
	cfg    backend.Receiver
	url    string
	key    []byte
	err    error
	client *http.Client
}

func newReceiver(cfg backend.Receiver) *receiver {
	r := &receiver{cfg: cfg, client: httpClient(backend.RequestTimeout(cfg.Timeout))}
	r.url, r.err = backend.ReceiverURL(cfg)
	if r.err == nil && cfg.HMACKey != (backend.Secret{}) {
		k, err := cfg.HMACKey.Value()
		if err != nil {
			r.err = fmt.Errorf("receiver %s: hmacKey: %w", cfg.Name, err)
		}
		r.key = []byte(k)
	}
	return r
}

// deliveryError is a failed post: retry says whether to try again (5xx,
// 408, 429, no answer), after how long the receiver asked for (Retry-After).
// Its text names the receiver and the answer, never the URL.
type deliveryError struct {
	retry bool
	after time.Duration
	msg   string
}

func (e *deliveryError) Error() string { return e.msg }

// send posts m, as the receiver's type has it.
func (r *receiver) send(ctx context.Context, m message, delivery string) error {
	if r.cfg.Type == backend.ReceiverWebhook {
		return r.postJSON(ctx, m, delivery)
	}
	err := slack.PostWebhookCustomHTTPContext(ctx, r.url, r.client, slackMessage(r.cfg, m))
	var limited *slack.RateLimitedError
	var status slack.StatusCodeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &limited):
		return r.failed(http.StatusTooManyRequests, "429 Too Many Requests", limited.RetryAfter)
	case errors.As(err, &status):
		return r.failed(status.Code, status.Status, 0)
	}
	return r.unanswered(err)
}

// postJSON is the generic webhook: the event as JSON, signed when the
// receiver has a key, with an id that stays the same on every try, so
// that a receiver can tell a retry from a new message.
func (r *receiver) postJSON(ctx context.Context, m message, delivery string) error {
	body, err := json.Marshal(webhookBody(m))
	if err != nil {
		return &deliveryError{msg: fmt.Sprintf("receiver %s: encoding the message: %v", r.cfg.Name, err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return &deliveryError{msg: fmt.Sprintf("receiver %s: the URL does not make a request", r.cfg.Name)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "minka")
	req.Header.Set("X-Minka-Event", m.Event.Reason)
	req.Header.Set("X-Minka-Delivery", delivery)
	if r.key != nil {
		mac := hmac.New(sha256.New, r.key)
		mac.Write(body)
		req.Header.Set("X-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return r.unanswered(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return r.failed(resp.StatusCode, resp.Status, retryAfter(resp.Header.Get("Retry-After"), time.Now()))
}

// failed is an answer other than 2xx: 408, 429 and 5xx are tried again,
// any other refuses the message for good (as Flux does: a 400 will not
// become a 200 by asking again).
func (r *receiver) failed(code int, status string, after time.Duration) error {
	retry := code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
	return &deliveryError{retry: retry, after: after, msg: fmt.Sprintf("receiver %s answered %s", r.cfg.Name, status)}
}

// unanswered is a post with no answer. The error of net/http quotes the
// URL (url.Error), which is a secret: only what went wrong is kept.
func (r *receiver) unanswered(err error) error {
	why := "the request failed"
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		why = fmt.Sprintf("no answer within %v", r.client.Timeout)
	case errors.As(err, &op):
		why = op.Op + ": " + op.Err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		why = "the connection closed without an answer"
	}
	return &deliveryError{retry: true, msg: fmt.Sprintf("receiver %s: %s", r.cfg.Name, why)}
}

// retryAfter reads Retry-After: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
