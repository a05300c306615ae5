package deployment

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	marathon "github.com/gambol99/go-marathon"

	"minka/backend"
	"minka/backend/transport"
)

// marathonClient adapts go-marathon v0.7.1. It takes no contexts: each
// request is bounded by the backend transport's deadline instead, and a
// context that has ended stops the next call. On a 5xx, a reset or a
// timeout go-marathon marks that URL down and fails over to the next;
// when all are down it answers ErrMarathonDown, so the transport's last
// failure says why.
type marathonClient struct {
	api marathon.Marathon
	tr  *transport.Transport
}

func newMarathonClient(cfg backend.Marathon, m *transport.Metrics) (*marathonClient, error) {
	password, err := cfg.Password.Value()
	if err != nil {
		return nil, fmt.Errorf("marathon backend %s: password: %w", cfg.Name, err)
	}
	tr := transport.New(transport.Options{Backend: "marathon", Name: cfg.Name, Timeout: backend.RequestTimeout(cfg.Timeout), Metrics: m})
	mc := marathon.NewDefaultConfig()
	mc.URL = strings.Join(cfg.URLs, ",")
	mc.HTTPBasicAuthUser, mc.HTTPBasicPassword = cfg.User, password
	mc.HTTPClient = tr.Client() // go-marathon's requests carry no context: the transport's deadline bounds them
	api, err := marathon.NewClient(mc)
	if err != nil {
		return nil, fmt.Errorf("marathon backend %s: %w", cfg.Name, err)
	}
	return &marathonClient{api: api, tr: tr}, nil
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
	apps, err := m.api.Applications(url.Values{"label": {selectorTerm(label)}, "embed": {"apps.tasks"}})
	if err != nil {
		return nil, m.wrap("GET apps label "+label, err)
	}
	return apps.Apps, nil
}

// selectorTerm escapes a label key for Marathon's label selector, whose
// terms are [-A-Za-z0-9_.] and backslash escapes (api/v2/LabelSelector.scala):
// an unescaped "/" in "minka.dev/uid" is a 422 from a real Marathon.
func selectorTerm(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
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
		if why, _ := m.tr.LastFailure(); why != "" {
			return fmt.Errorf("%s: %w (last failure: %s)", op, err, why)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
