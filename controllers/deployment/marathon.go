package deployment

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"minka/backend"
	"minka/backend/transport"
)

// marathonClient adapts go-marathon v0.7.1. It takes no contexts: each
// request is bounded by the backend transport's deadline instead, and a
// context that has ended stops the next call. On a 5xx, a reset or a
// timeout go-marathon marks that URL down and fails over to the next;
// when all are down it answers ErrMarathonDown, so the transport's last
// failure says why. Apps are read from one list shared by the
// Deployments of the backend where the event stream allows (applist.go).
type marathonClient struct {
	api  marathon.Marathon
	tr   *transport.Transport
	list *appList
}

// appListAge is how long one app list serves: a resync of every
// Deployment, or a restart, reads one list for all of them.
const appListAge = 30 * time.Second

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
	mcl := &marathonClient{api: api, tr: tr}
	mcl.list = newAppList(mcl.listApps, appListAge)
	return mcl, nil
}

// App is the app from the shared list when nothing says it changed since
// the list was read, else from GET /v2/apps/{id}.
func (m *marathonClient) App(ctx context.Context, id string) (*marathon.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if app, ok, err := m.list.app(ctx, id); err != nil {
		return nil, m.wrap("GET apps", err)
	} else if ok && app == nil {
		return nil, fmt.Errorf("GET apps: app %s not listed: %w", id, ErrAppNotFound)
	} else if ok {
		return app, nil
	}
	app, err := m.api.Application(id)
	return app, m.wrap("GET app "+id, err)
}

// listApps is GET /v2/apps with what GET /v2/apps/{id} embeds by default
// (counts and deployments come with every listed app).
func (m *marathonClient) listApps(ctx context.Context) (map[string]*marathon.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	apps, err := m.api.Applications(url.Values{"embed": {"apps.tasks", "apps.lastTaskFailure"}})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*marathon.Application, len(apps.Apps))
	for i := range apps.Apps {
		out[apps.Apps[i].ID] = &apps.Apps[i]
	}
	return out, nil
}

// wrote marks an app written, before and after the attempt: until a list
// begun after it, the app is read alone.
func (m *marathonClient) wrote(id string) func() {
	m.list.changed(id)
	return func() { m.list.changed(id) }
}

func (m *marathonClient) PutApp(ctx context.Context, app *marathon.Application, force bool) (*marathon.DeploymentID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer m.wrote(app.ID)()
	dep, err := m.api.UpdateApplication(app, force)
	return dep, m.wrap("PUT app "+app.ID, err)
}

// RollbackTo PUTs {"version": v} with force: Marathon restores that
// stored version and cancels the deployment in flight.
func (m *marathonClient) RollbackTo(ctx context.Context, id, version string) (*marathon.DeploymentID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer m.wrote(id)()
	dep, err := m.api.UpdateApplication(&marathon.Application{ID: id, Version: version}, true)
	return dep, m.wrap("PUT app "+id+" version "+version, err)
}

// RevertDeployment is DELETE /v2/deployments/{id} without force (go-marathon
// v0.7.1 drops its force argument: a forced stop is not available).
func (m *marathonClient) RevertDeployment(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// The reply names no app: every app may change.
	m.list.changedAll()
	defer m.list.changedAll()
	_, err := m.api.DeleteDeployment(id, false)
	return m.wrap("DELETE deployment "+id, err)
}

func (m *marathonClient) DeleteApp(ctx context.Context, id string) (*marathon.DeploymentID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer m.wrote(id)()
	dep, err := m.api.DeleteApplication(id, true)
	return dep, m.wrap("DELETE app "+id, err)
}

// AppsLabelled filters the shared list (the orphan scan needs no fresher
// one), or asks Marathon to while the event stream is down.
func (m *marathonClient) AppsLabelled(ctx context.Context, label string) ([]marathon.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if m.list.trusted() {
		all, err := m.list.apps(ctx)
		if err != nil {
			return nil, m.wrap("GET apps", err)
		}
		var out []marathon.Application
		for _, a := range all {
			if a.Labels != nil {
				if _, ok := (*a.Labels)[label]; ok {
					out = append(out, *a)
				}
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return out, nil
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
