package deployment

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
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

// Reconnection pacing of the event stream (see eventStream.run).
const (
	streamBackoffFloor = time.Second
	streamBackoffCap   = 30 * time.Second
	// streamHealthy is how long a stream must have stayed open for the
	// next reconnection to wait only the floor again.
	streamHealthy = 30 * time.Second
)

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
	// onDisconnect, if set, runs when an opened stream ends.
	onDisconnect func()
	// now and sleep are the clock and the wait between connections
	// (nil: the real ones); sleep reports false when ctx ended first.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) bool
}

// run follows the stream until ctx ends, moving to the next URL after
// each attempt. An attempt refused (no answer, or not a 200) moves on to
// the next URL at once, so that failover costs no wait; after a stream
// that opened and ended, or a whole round of URLs refused, run waits.
//
// The wait is a backoff that starts at streamBackoffFloor and doubles up
// to streamBackoffCap, jittered upwards by up to half (never below it).
// It starts from the floor again only after a stream that stayed open
// streamHealthy. A 200 proves nothing: a Marathon, or a proxy, that
// accepts the stream and drops it at once would be redialled every
// second. Nor do events: event_stream_attached comes with every 200, a
// flapping Marathon may still publish, and a quiet one sends nothing for
// hours. (client-go's reflector likewise takes a watch that ends at once
// for an error, and resets its backoff only after a quiet while.)
//
// onConnect, which re-examines every Deployment, runs on every stream
// that opens. Marathon's stream has no resume point, so every
// reconnection follows a real gap, the wait at least, in which events may
// have been lost; skipping the re-examination after any of them could
// leave a change made in Marathon unnoticed until some later
// reconnection. What bounds the re-examinations is the backoff: there is
// a wait between any two streams, so a stream that keeps dropping at once
// is re-examined after waits of 1, 2, 4, ... up to 30s, and one that stays
// up 30s at a time at most once per 31s.
func (s *eventStream) run(ctx context.Context) {
	now, sleep := s.now, s.sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = sleepCtx
	}
	backoff, refused := streamBackoffFloor, 0
	for i := 0; ctx.Err() == nil; i++ {
		url := s.urls[i%len(s.urls)] + "/v2/events"
		opened, up, err := s.follow(ctx, url, now)
		if ctx.Err() != nil {
			return
		}
		if !opened {
			if refused++; refused < len(s.urls) {
				s.log.Info("Marathon event stream refused; trying the next URL", "url", url, "error", err)
				continue
			}
		}
		refused = 0
		if up >= streamHealthy {
			backoff = streamBackoffFloor
		}
		wait := backoff + rand.N(backoff/2)
		s.log.Info("Marathon event stream ended; reconnecting", "url", url, "error", err, "up", up, "backoff", wait)
		if !sleep(ctx, wait) {
			return
		}
		backoff = min(backoff*2, streamBackoffCap)
	}
}

// sleepCtx waits d, or until ctx ends (false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// follow reads one connection until it ends, and says whether it opened
// (a 200) and for how long: the backend transport's per-request deadline
// does not apply (the client's own header timeout bounds the connect).
func (s *eventStream) follow(ctx context.Context, url string, now func() time.Time) (opened bool, up time.Duration, err error) {
	req, err := http.NewRequestWithContext(transport.WithoutDeadline(ctx), http.MethodGet, url, nil)
	if err != nil {
		return false, 0, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if s.user != "" {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	start := now()
	s.onConnect()
	if s.onDisconnect != nil {
		defer s.onDisconnect()
	}
	if err = s.read(resp.Body); err == nil {
		err = fmt.Errorf("GET %s: stream closed", url)
	}
	return true, now().Sub(start), err
}

// read hands each event of a stream to onEvent until the stream ends.
func (s *eventStream) read(body io.Reader) error {
	sc := bufio.NewScanner(body)
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
	return sc.Err()
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
