package marathon

import (
	"net/http/httptest"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
)

// TestEventStreamThroughGoMarathon: go-marathon's SSE subscription sees
// a deployment start, its tasks' status updates, and its success.
func TestEventStreamThroughGoMarathon(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	c := New(Options{Now: clk.Now})
	hs := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); hs.Close() }()
	cfg := marathon.NewDefaultConfig()
	cfg.URL = hs.URL
	cfg.EventsTransport = marathon.EventsTransportSSE
	client, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	events, err := client.AddEventsListener(marathon.EventIDDeploymentInfo | marathon.EventIDDeploymentSuccess | marathon.EventIDStatusUpdate)
	if err != nil {
		t.Fatalf("AddEventsListener: %v", err)
	}
	defer client.RemoveEventsListener(events)
	time.Sleep(200 * time.Millisecond) // the stream attaches
	if _, err := client.CreateApplication(webApp("registry.example.com/webapp:1", 2)); err != nil {
		t.Fatal(err)
	}
	clk.Add(3 * time.Second)
	c.Tick()
	seen := map[string]int{}
	deadline := time.After(10 * time.Second)
	// go-marathon hands each event to its listener from a goroutine of
	// its own, so they arrive in any order.
	for seen["deployment_success"] == 0 || seen["status_update_event"] < 4 {
		select {
		case ev := <-events:
			seen[ev.Name]++
			if su, ok := ev.Event.(*marathon.EventStatusUpdate); ok && su.AppID != "/ci/web" {
				t.Errorf("status update for %q", su.AppID)
			}
		case <-deadline:
			t.Fatalf("no deployment_success within 10s; saw %v", seen)
		}
	}
	if seen["deployment_info"] != 1 || seen["status_update_event"] < 4 {
		t.Errorf("events %v: want one deployment_info and staging+running for 2 tasks", seen)
	}
}
