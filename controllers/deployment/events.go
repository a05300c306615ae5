package deployment

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"minka/backend/transport"
)

// marathonEvent is the part of a Marathon event bus message that names
// what changed: an app, or a deployment plan and the apps in its steps.
type marathonEvent struct {
	EventType string `json:"eventType"`
	AppID     string `json:"appId"`
	ID        string `json:"id"`
	Plan      struct {
		ID    string `json:"id"`
		Steps []struct {
			Actions []struct {
				App string `json:"app"`
			} `json:"actions"`
		} `json:"steps"`
	} `json:"plan"`
}

// apps lists the app ids an event concerns.
func (e *marathonEvent) apps() []string {
	if e.AppID != "" {
		return []string{e.AppID}
	}
	var out []string
	for _, s := range e.Plan.Steps {
		for _, a := range s.Actions {
			out = append(out, a.App)
		}
	}
	return out
}

// eventStream follows Marathon's /v2/events (server-sent events), failing
// over between the backend's URLs and reconnecting with backoff, until
// ctx ends. go-marathon's own subscription cannot be stopped (its
// goroutine and eventsource's reconnect loop outlive the caller), so the
// stream is read here; the payloads are Marathon's JSON.
type eventStream struct {
	urls    []string
	user    string
	pass    string
	client  *http.Client
	log     logr.Logger
	onEvent func(*marathonEvent)
	// onConnect runs on each (re)connection: events may have been
	// missed while the stream was down.
	onConnect func()
}

func (s *eventStream) run(ctx context.Context) {
	backoff := time.Second
	for i := 0; ctx.Err() == nil; i++ {
		url := s.urls[i%len(s.urls)] + "/v2/events"
		err := s.follow(ctx, url, func() { backoff = time.Second })
		if ctx.Err() != nil {
			return
		}
		s.log.Info("Marathon event stream ended; reconnecting", "url", url, "error", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// follow reads one connection until it ends: the backend transport's
// per-request deadline does not apply (the client's own header timeout
// bounds the connect).
func (s *eventStream) follow(ctx context.Context, url string, connected func()) error {
	req, err := http.NewRequestWithContext(transport.WithoutDeadline(ctx), http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if s.user != "" {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	connected()
	s.onConnect()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20) // deployment plans carry whole groups
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var ev marathonEvent
		if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &ev); err != nil {
			s.log.V(1).Info("skipping an undecodable Marathon event", "error", err)
			continue
		}
		s.onEvent(&ev)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return fmt.Errorf("GET %s: stream closed", url)
}

// failedSet remembers the deployments Marathon reported failed, for an
// hour: a reconcile that finds its rollout's deployment here rolls back.
type failedSet struct {
	mu  sync.Mutex
	ids map[string]time.Time
	now func() time.Time
}

func (f *failedSet) add(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	for k, t := range f.ids {
		if now.Sub(t) > time.Hour {
			delete(f.ids, k)
		}
	}
	f.ids[id] = now
}

func (f *failedSet) has(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.ids[id]
	return ok
}
