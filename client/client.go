package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"minka/api/v1alpha1"
)

const apiPrefix = "/apis/" + v1alpha1.Group + "/" + v1alpha1.Version

// Client talks to one minka API server.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
	// stream has no overall timeout: watches last as long as their context.
	stream *http.Client
}

// New returns a client for cfg.Server.
func New(cfg Config) (*Client, error) {
	if cfg.Server == "" {
		cfg.Server = DefaultServer
	}
	u, err := url.Parse(strings.TrimRight(cfg.Server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q is not an http(s) URL", cfg.Server)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
		if cfg.CAFile != "" {
			pem, err := os.ReadFile(cfg.CAFile)
			if err != nil {
				return nil, fmt.Errorf("certificate authority: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("certificate authority %s: no PEM certificate in it", cfg.CAFile)
			}
			hc.Transport = &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
		}
	}
	stream := *hc
	stream.Timeout = 0
	timed := *hc
	if cfg.Timeout > 0 {
		timed.Timeout = cfg.Timeout
	}
	return &Client{base: u, token: cfg.Token, hc: &timed, stream: &stream}, nil
}

// Server returns the API server URL.
func (c *Client) Server() string { return c.base.String() }

// path is the URL path of a kind's collection, an object, or a subresource.
func path(k v1alpha1.Kind, ns, name, sub string) string {
	p := apiPrefix
	if k.Namespaced && ns != "" {
		p += "/namespaces/" + url.PathEscape(ns)
	}
	p += "/" + k.Plural
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	if sub != "" {
		p += "/" + sub
	}
	return p
}

func (c *Client) newRequest(ctx context.Context, method, p string, q url.Values, body any) (*http.Request, error) {
	u := *c.base
	u.Path += p
	u.RawQuery = q.Encode()
	var rd io.Reader
	contentType := "application/json"
	if tb, ok := body.(typedBody); ok {
		body, contentType = tb.v, tb.contentType
	}
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	// The server names a write's field manager after the User-Agent's
	// product, as kube-apiserver does.
	req.Header.Set("User-Agent", "minka")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// typedBody is a request body sent as JSON under another content type
// (a merge patch).
type typedBody struct {
	contentType string
	v           any
}

// do sends a request and decodes a 2xx body into out, or returns the
// server's Status as an error.
func (c *Client) do(ctx context.Context, method, p string, q url.Values, body, out any) error {
	return c.doWith(ctx, c.hc, method, p, q, body, out)
}

// doWith is do over hc: the stream client has no overall timeout, for a
// request that takes as long as its context allows.
//
// Like client-go, it retries a request the server did not take: a 429
// (an in-flight or watch limit) with Retry-After, whatever the method,
// and a GET answered 503 or 504 with Retry-After (etcd unavailable or
// slow); at most maxRetries times, waiting what Retry-After says (at most
// maxRetryAfter), within ctx.
func (c *Client) doWith(ctx context.Context, hc *http.Client, method, p string, q url.Values, body, out any) error {
	return retry(ctx, func() (time.Duration, error) { return c.once(ctx, hc, method, p, q, body, out) })
}

// retry calls try again after the wait it asks for, until it asks for
// none, maxRetries are spent or ctx ends meanwhile; its last error is the
// caller's.
func retry(ctx context.Context, try func() (wait time.Duration, err error)) error {
	for attempt := 0; ; attempt++ {
		wait, err := try()
		if wait == 0 || attempt == maxRetries {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// Retries of doWith.
const (
	maxRetries    = 5
	maxRetryAfter = 10 * time.Second
)

// once sends the request; wait > 0 says it may be sent again after wait.
func (c *Client) once(ctx context.Context, hc *http.Client, method, p string, q url.Values, body, out any) (wait time.Duration, err error) {
	req, err := c.newRequest(ctx, method, p, q, body)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err // a *url.Error: it names the method and URL
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("%s %s: reading response: %w", method, req.URL.Redacted(), err)
	}
	if resp.StatusCode >= 300 {
		return retryAfter(method, resp), statusError(resp.StatusCode, data)
	}
	if out == nil {
		return 0, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return 0, fmt.Errorf("decoding %s response: %w", p, err)
	}
	return 0, nil
}

// retryAfter is how long to wait before sending a refused request again,
// 0 when it must not be.
func retryAfter(method string, resp *http.Response) time.Duration {
	retryable := resp.StatusCode == http.StatusTooManyRequests ||
		(method == http.MethodGet && (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout))
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if !retryable || err != nil || secs < 0 {
		return 0
	}
	return min(max(time.Duration(secs)*time.Second, 100*time.Millisecond), maxRetryAfter)
}

// statusError turns an error response into a StatusError.
func statusError(code int, body []byte) error {
	var st metav1.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" {
		return &apierrors.StatusError{ErrStatus: st}
	}
	// The surfaces beside the resource API (webhooks) answer
	// {"error": "..."}: keep their message.
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: int32(code),
			Reason: apierrors.NewGenericServerResponse(code, "", schema.GroupResource{}, "", "", 0, false).ErrStatus.Reason, Message: e.Error}}
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return apierrors.NewGenericServerResponse(code, "", v1alpha1.SchemeGroupVersion.WithResource("").GroupResource(), "", msg, 0, false)
}

// Timeout is the default per-request timeout of the CLI.
const Timeout = 30 * time.Second
