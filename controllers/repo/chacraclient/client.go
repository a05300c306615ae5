// Package chacraclient is the Repo controller's client of one chacra
// node: the repo JSON, the binaries of one distro/arch/flavor, update,
// recreate, and deletes. It exists apart from backend/chacra's Pool
// (which knows the nodes and their health) so that the controller reads
// chacra's answers strictly: a proxy's HTML page or a truncated body is
// an error naming the node, the URL and the status, never a repo that
// looks "not built".
package chacraclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"minka/backend/transport"
)

// maxBody bounds an answer: a repo JSON is a few hundred bytes, a
// binaries listing a few KiB per binary.
const maxBody = 8 << 20

// ErrNotFound is chacra's 404 (no such repo, or no binaries there).
var ErrNotFound = errors.New("not found")

// Error is a failed request to a node.
type Error struct {
	Node, Method, URL string
	// Status is the HTTP status (0: no answer).
	Status int
	// Body is the start of the answer, for the message.
	Body string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chacra node %s: %s %s", e.Node, e.Method, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, " (%q)", e.Body)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *Error) Is(target error) bool {
	return target == ErrNotFound && e.Status == http.StatusNotFound
}

// Unreachable reports whether err is a node that did not answer (as
// opposed to one that answered with an error).
func Unreachable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 0
}

// Key names one chacra repository: a flavor of a distro version of a
// build; the arch entries of a Repo share it.
type Key struct {
	Project, Ref, SHA1, Distro, Version, Flavor string
}

// URI is the repo's path below /repos/ and /r/, as chacra's Repo.uri.
func (k Key) URI() string {
	return path.Join(k.Project, k.Ref, k.SHA1, k.Distro, k.Version, "flavors", k.Flavor)
}

func (k Key) String() string { return k.Distro + "/" + k.Version + " (flavor " + k.Flavor + ")" }

// Client talks to one node.
type Client struct {
	node, base, user, key string
	http                  *http.Client
}

// New is a client of the node called name at base, over hc (the pool's
// client: its deadline and metrics) with chacra's api user and key.
func New(name, base string, hc *http.Client, user, key string) *Client {
	return &Client{node: name, base: strings.TrimSuffix(base, "/"), user: user, key: key, http: hc}
}

// Node is the node's name; URL its base URL.
func (c *Client) Node() string { return c.node }
func (c *Client) URL() string  { return c.base }

// RepoURL is the repo's API resource; PublicURL the repository itself.
func (c *Client) RepoURL(k Key) string   { return c.base + "/repos/" + k.URI() + "/" }
func (c *Client) PublicURL(k Key) string { return c.base + "/r/" + k.URI() + "/" }

func (c *Client) binariesURL(k Key, arch string) string {
	// The arch level lists every flavor's binaries; flavors/{flavor}/
	// only that flavor's, "default" included (see the reference pair
	// GET binaries_..._ARCH_flavors_FLAVOR).
	return c.base + "/binaries/" + path.Join(k.Project, k.Ref, k.SHA1, k.Distro, k.Version, arch, "flavors", k.Flavor) + "/"
}

// Repo reads the repo JSON; a repo chacra does not have is ErrNotFound.
func (c *Client) Repo(ctx context.Context, k Key) (*Repo, error) {
	u := c.RepoURL(k)
	body, err := c.do(transport.WithOperation(ctx, "repo"), http.MethodGet, u, false)
	if err != nil {
		return nil, err
	}
	r, err := DecodeRepo(body, k)
	if err != nil {
		return nil, c.fail(http.MethodGet, u, http.StatusOK, body, err)
	}
	return r, nil
}

// Binaries lists the binaries of one arch of a repo (none: an empty
// list, chacra's 404).
func (c *Client) Binaries(ctx context.Context, k Key, arch string) ([]Binary, error) {
	u := c.binariesURL(k, arch)
	body, err := c.do(transport.WithOperation(ctx, "binaries"), http.MethodGet, u, false)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	bs, err := DecodeBinaries(body, k, arch)
	if err != nil {
		return nil, c.fail(http.MethodGet, u, http.StatusOK, body, err)
	}
	return bs, nil
}

// Update asks chacra to build the repo (POST update/); Recreate to
// remove and rebuild it (POST recreate/). Both answer the repo JSON.
func (c *Client) Update(ctx context.Context, k Key) (*Repo, error) {
	return c.action(transport.WithOperation(ctx, "update"), k, "update")
}

func (c *Client) Recreate(ctx context.Context, k Key) (*Repo, error) {
	return c.action(transport.WithOperation(ctx, "recreate"), k, "recreate")
}

func (c *Client) action(ctx context.Context, k Key, action string) (*Repo, error) {
	u := c.RepoURL(k) + action + "/"
	body, err := c.do(ctx, http.MethodPost, u, true)
	if err != nil {
		return nil, err
	}
	r, err := DecodeRepo(body, k)
	if err != nil {
		return nil, c.fail(http.MethodPost, u, http.StatusOK, body, err)
	}
	return r, nil
}

// DeleteBinary removes one binary (chacra removes the repo with its
// last binary); a missing one is not an error.
func (c *Client) DeleteBinary(ctx context.Context, k Key, arch, name string) error {
	u := c.binariesURL(k, arch) + name + "/"
	_, err := c.do(transport.WithOperation(ctx, "delete-binary"), http.MethodDelete, u, true)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// DeleteRepo removes a repo; a missing one is not an error. chacra
// answers 500 for a repo that still has binaries: delete them first.
func (c *Client) DeleteRepo(ctx context.Context, k Key) error {
	u := c.RepoURL(k)
	_, err := c.do(transport.WithOperation(ctx, "delete-repo"), http.MethodDelete, u, true)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// do sends one request and returns the body of a 2xx answer; a GET's
// answer must be JSON.
func (c *Client) do(ctx context.Context, method, u string, auth bool) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, c.fail(method, u, 0, nil, err)
	}
	if auth {
		req.SetBasicAuth(c.user, c.key)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// net/http's error repeats the method and URL the Error names.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, c.fail(method, u, 0, nil, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, c.fail(method, u, 0, nil, fmt.Errorf("reading the answer: %w", err))
	}
	if len(body) > maxBody {
		return nil, c.fail(method, u, resp.StatusCode, nil, fmt.Errorf("answer larger than %d bytes", maxBody))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.fail(method, u, resp.StatusCode, body, nil)
	}
	if method == http.MethodDelete || resp.StatusCode == http.StatusNoContent {
		return body, nil
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return nil, c.fail(method, u, resp.StatusCode, body, fmt.Errorf("answer is %q, not JSON", resp.Header.Get("Content-Type")))
	}
	return body, nil
}

func (c *Client) fail(method, u string, status int, body []byte, err error) error {
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return &Error{Node: c.node, Method: method, URL: u, Status: status, Body: s, Err: err}
}
