package deployment_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/sim/fault"
	simmarathon "minka/sim/marathon"
	"minka/store/storetest"
)

// attachAndClose is a failure for GET /v2/events: 200, the
// event_stream_attached event, and the end of the stream, as a Marathon
// (or a proxy in front of it) does that accepts a subscriber and drops
// it at once.
const attachAndClose = "attach-and-close"

// requestCounter counts, in front of the simulated Marathon, the
// requests by "METHOD /path".
type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *requestCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.n[r.Method+" "+r.URL.Path]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (c *requestCounter) get(req string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[req]
}

// TestFlappingEventStreamBacksOff (issue 12, point 7): Marathon answers
// /v2/events with 200 and closes the stream at once. Each reconnection
// re-examines every Deployment (a GET of its app), so the reconnections
// must back off, growing from the 1s floor: over an 8s window (waits of
// 1, 2 and 4s and more, jittered upwards) at most 5 reconnections and at
// most 5 GETs of the app, where a backoff stuck at 1s makes 7 or more of
// each. Once the fault is lifted the stream attaches again and delivers
// events: a change made in Marathon behind minka's back is restored
// without any further reconnection.
func TestFlappingEventStreamBacksOff(t *testing.T) {
	const window = 8 * time.Second
	const events, appGet = "GET /v2/events", "GET /v2/apps/ci/web"
	st, e := storetest.Store(t)
	c := simmarathon.New(simmarathon.Options{StageDelay: 50 * time.Millisecond, HealthDelay: 50 * time.Millisecond})
	c.Faults.Define(attachAndClose, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, "event: event_stream_attached\ndata: {\"eventType\":\"event_stream_attached\",\"remoteAddress\":%q}\n\n", r.RemoteAddr)
	})
	count := &requestCounter{n: map[string]int{}}
	hs := httptest.NewServer(count.wrap(c.Marathon()))
	t.Cleanup(func() { c.Close(); hs.Close() })
	cfg := marathon.NewDefaultConfig()
	cfg.URL = hs.URL
	api, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env := &marathonEnv{sim: c, log: &putLog{}, api: api, url: hs.URL, backend: backend.Config{Marathon: []backend.Marathon{
		{Name: "default", URLs: []string{hs.URL}, Timeout: metav1.Duration{Duration: 2 * time.Second}}}}}
	stop := runController(t, env, st, e)
	defer stop()
	if _, err := st.Create(context.Background(), webDeployment("ci", "registry.example.com/webapp:1", 60)); err != nil {
		t.Fatal(err)
	}
	if d, ok := waitFor(st, "ci", 20*time.Second, available); !ok {
		t.Fatalf("not available within 20s: %+v", d.Status)
	}
	time.Sleep(time.Second) // the rollout's last passes

	if err := c.Faults.Set(fault.Fault{Match: events, Failure: attachAndClose}); err != nil {
		t.Fatal(err)
	}
	reconnects0, gets0 := count.get(events), count.get(appGet)
	c.DropEventStreams()
	time.Sleep(window)
	reconnects, gets := count.get(events)-reconnects0, count.get(appGet)-gets0
	t.Logf("in %s of a stream that closes at once: %d reconnections, %d GETs of the app", window, reconnects, gets)
	if reconnects < 2 || reconnects > 5 {
		t.Errorf("%d reconnections in %s, want 2 to 5 (1s floor, doubling)", reconnects, window)
	}
	if gets > 5 {
		t.Errorf("%d GETs of the app in %s, want at most 5: a re-examination per reconnection at most", gets, window)
	}

	c.Faults.Clear()
	attached := count.get(events)
	if _, ok := waitFor(st, "ci", 45*time.Second, func(*v1alpha1.Deployment) bool { return count.get(events) > attached }); !ok {
		t.Fatal("no reconnection within 45s of lifting the fault")
	}
	// The re-examination after the reconnection has read the app; what
	// follows is seen through the stream or not at all.
	time.Sleep(500 * time.Millisecond)
	reconnected := count.get(events)
	req, _ := http.NewRequest(http.MethodPut, hs.URL+"/v2/apps/ci/web", strings.NewReader(`{"instances":3}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	restored := func(*v1alpha1.Deployment) bool {
		app, err := api.Application("/ci/web")
		return err == nil && app.Instances != nil && *app.Instances == 2 && len(app.Deployments) == 0
	}
	if _, ok := waitFor(st, "ci", 15*time.Second, restored); !ok {
		t.Fatal("a change in Marathon was not restored within 15s of a healthy stream: no events delivered")
	}
	if n := count.get(events); n != reconnected {
		t.Errorf("%d reconnections while the drift was repaired, want none: it must come through the stream", n-reconnected)
	}
}
