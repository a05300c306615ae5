package deployment

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/backend/transport"
)

// verifier runs spec.verify: GET path on every endpoint, each answering
// below 300 — the servo /ping check — before a rollout counts as done.
type verifier struct {
	client *http.Client
}

// newVerifier sends through the backend transport (as backend "verify",
// operation "GET verify"), via verifyProxy if set. Each GET carries its
// own deadline, spec.verify.timeoutSeconds, in place of the transport's.
func newVerifier(cfg backend.Marathon, m *transport.Metrics) (*verifier, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 16 // run's GETs at a time, all to the proxy when there is one
	if cfg.VerifyProxy != "" {
		u, err := url.Parse(cfg.VerifyProxy)
		if err != nil {
			return nil, fmt.Errorf("verifyProxy: %w", err)
		}
		base.Proxy = http.ProxyURL(u)
	}
	tr := transport.New(transport.Options{Backend: "verify", Name: cfg.Name, Base: base, Metrics: m,
		Operation: func(*http.Request) string { return "GET verify" }})
	return &verifier{client: tr.Client()}, nil
}

// run checks every endpoint concurrently (at most 16 at a time) and
// returns the first failure, naming the URL.
func (v *verifier) run(ctx context.Context, spec *v1alpha1.Verify, endpoints []v1alpha1.Endpoint) error {
	if len(endpoints) == 0 {
		return fmt.Errorf("verify: no endpoints")
	}
	timeout := time.Duration(spec.TimeoutSeconds) * time.Second
	sem := make(chan struct{}, 16)
	errs := make([]error, len(endpoints))
	var wg sync.WaitGroup
	for i, ep := range endpoints {
		if int(spec.PortIndex) >= len(ep.Ports) {
			errs[i] = fmt.Errorf("verify: task %s has no port %d", ep.TaskID, spec.PortIndex)
			continue
		}
		u := "http://" + ep.Host + ":" + strconv.Itoa(int(ep.Ports[spec.PortIndex])) + spec.Path
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = v.get(ctx, u, timeout)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (v *verifier) get(ctx context.Context, u string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(transport.WithoutDeadline(ctx), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("verify GET %s: %w", u, err)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return fmt.Errorf("verify GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("verify GET %s: %s", u, resp.Status)
	}
	return nil
}
