package deployment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"minka/backend"
)

// marathonClient adapts go-marathon v0.7.1. It takes no contexts: each
// request is bounded by the backend's timeout instead, and a context that
// has ended stops the next call. On a 5xx, a reset or a timeout it marks
// that URL down and fails over to the next; when all are down it answers
// ErrMarathonDown, so the transport keeps the last failure to say why.
type marathonClient struct {
	api  marathon.Marathon
	last *lastFailure
}

func newMarathonClient(cfg backend.Marathon) (*marathonClient, error) {
	password, err := cfg.Password.Value()
	if err != nil {
		return nil, fmt.Errorf("marathon backend %s: password: %w", cfg.Name, err)
	}
	last := &lastFailure{}
	mc := marathon.NewDefaultConfig()
	mc.URL = strings.Join(cfg.URLs, ",")
	mc.HTTPBasicAuthUser, mc.HTTPBasicPassword = cfg.User, password
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32 // workers share the client: keep their connections
	timeout := backend.RequestTimeout(cfg.Timeout)
	mc.HTTPClient = &http.Client{Timeout: timeout, Transport: &recordingTransport{base: tr, last: last, timeout: timeout}}
	api, err := marathon.NewClient(mc)
	if err != nil {
		return nil, fmt.Errorf("marathon backend %s: %w", cfg.Name, err)
	}
	return &marathonClient{api: api, last: last}, nil
}

func (m *marathonClient) App(ctx context.Context, id string) (*marathon.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	app, err := m.api.Application(id)
	return app, m.wrap("GET app "+id, err)
}

func (m *marathonClient) PutApp(ctx context.Context, app *marathon.Application, force bool) (*marathon.DeploymentID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dep, err := m.api.UpdateApplication(app, force)
	return dep, m.wrap("PUT app "+app.ID, err)
}

// RollbackTo PUTs {"version": v} with force: Marathon restores that
// stored version and cancels the deployment in flight.
func (m *marathonClient) RollbackTo(ctx context.Context, id, version string) (*marathon.DeploymentID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dep, err := m.api.UpdateApplication(&marathon.Application{ID: id, Version: version}, true)
	return dep, m.wrap("PUT app "+id+" version "+version, err)
}

// RevertDeployment is DELETE /v2/deployments/{id} without force (go-marathon
// v0.7.1 drops its force argument: a forced stop is not available).
func (m *marathonClient) RevertDeployment(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := m.api.DeleteDeployment(id, false)
	return m.wrap("DELETE deployment "+id, err)
}

func (m *marathonClient) DeleteApp(ctx context.Context, id string) (*marathon.DeploymentID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dep, err := m.api.DeleteApplication(id, true)
	return dep, m.wrap("DELETE app "+id, err)
}

func (m *marathonClient) AppsLabelled(ctx context.Context, label string) ([]marathon.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	apps, err := m.api.Applications(url.Values{"label": {label}, "embed": {"apps.tasks"}})
	if err != nil {
		return nil, m.wrap("GET apps label "+label, err)
	}
	return apps.Apps, nil
}

// wrap maps go-marathon's errors to ours, with what failed.
func (m *marathonClient) wrap(op string, err error) error {
	var apiErr *marathon.APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &apiErr) && apiErr.ErrCode == marathon.ErrCodeNotFound:
		return fmt.Errorf("%s: %w", op, ErrAppNotFound)
	case errors.As(err, &apiErr) && apiErr.ErrCode == marathon.ErrCodeAppLocked:
		return fmt.Errorf("%s: %w: %v", op, ErrLocked, err)
	case errors.As(err, &apiErr) && (apiErr.ErrCode == marathon.ErrCodeInvalidBean || apiErr.ErrCode == marathon.ErrCodeBadRequest):
		return fmt.Errorf("%s: %w: %v", op, ErrRejected, err)
	case errors.Is(err, marathon.ErrMarathonDown):
		if why := m.last.get(); why != "" {
			return fmt.Errorf("%s: %w (last failure: %s)", op, err, why)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// recordingTransport notes the last transport error or 5xx, which
// go-marathon swallows when it marks a URL down.
type recordingTransport struct {
	base    http.RoundTripper
	last    *lastFailure
	timeout time.Duration
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		t.last.set(fmt.Sprintf("%s %s: no answer within %v (timeout)", req.Method, req.URL.Redacted(), t.timeout))
	case err != nil:
		t.last.set(fmt.Sprintf("%s %s: %v", req.Method, req.URL.Redacted(), err))
	case resp.StatusCode >= 500:
		t.last.set(fmt.Sprintf("%s %s: %s", req.Method, req.URL.Redacted(), resp.Status))
	}
	return resp, err
}

type lastFailure struct {
	mu  sync.Mutex
	msg string
}

func (l *lastFailure) set(s string) { l.mu.Lock(); l.msg = s; l.mu.Unlock() }
func (l *lastFailure) get() string  { l.mu.Lock(); defer l.mu.Unlock(); return l.msg }
