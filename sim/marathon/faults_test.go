package marathon

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
	"github.com/mesos/mesos-go/api/v1/lib/client"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/apierrors"
	"github.com/mesos/mesos-go/api/v1/lib/master/calls"

	"minka/sim/fault"
)

// TestFaultsThroughGoMarathon: each knob as go-marathon v0.7.1 reports
// it. go-marathon turns any 5xx, reset or timeout into "host down" and
// tries the next URL; with one URL that is ErrMarathonDown.
func TestFaultsThroughGoMarathon(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	c := New(Options{Now: clk.Now})
	hs := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); hs.Close() }()
	newClient := func(urls string) marathon.Marathon { return goMarathon(t, urls) }
	if _, err := newClient(hs.URL).CreateApplication(webApp("web:1", 1)); err != nil {
		t.Fatal(err)
	}
	isDown := func(err error, _ time.Duration) bool { return errors.Is(err, marathon.ErrMarathonDown) }
	cases := []struct {
		name  string
		f     fault.Fault
		check func(error, time.Duration) bool
	}{
		{"latency", fault.Fault{Latency: 200 * time.Millisecond, Match: "PUT /v2/apps"}, func(err error, d time.Duration) bool {
			return err == nil && d >= 200*time.Millisecond
		}},
		{"locked", fault.Fault{Failure: Locked, Match: "PUT /v2/apps"}, func(err error, _ time.Duration) bool {
			var apiErr *marathon.APIError
			return errors.As(err, &apiErr) && apiErr.ErrCode == marathon.ErrCodeAppLocked
		}},
		{"500", fault.Fault{Failure: fault.Internal}, isDown},
		{"503", fault.Fault{Failure: fault.Unavailable}, isDown},
		{"connection reset", fault.Fault{Failure: fault.Reset}, isDown},
		{"hang", fault.Fault{Failure: fault.Hang}, func(err error, d time.Duration) bool {
			return isDown(err, d) && d >= 300*time.Millisecond
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.Faults.Clear()
			if err := c.Faults.Set(tc.f); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err := newClient(hs.URL).UpdateApplication(webApp("web:1", 1), true)
			if d := time.Since(start); !tc.check(err, d) {
				t.Errorf("UpdateApplication took %v: %v", d, err)
			}
		})
	}
	c.Faults.Clear()

	// Two Marathons in front of one cluster, the first failing: go-marathon
	// fails over to the second.
	broken := fault.New(1)
	if err := broken.Set(fault.Fault{Failure: fault.Unavailable}); err != nil {
		t.Fatal(err)
	}
	hs2 := httptest.NewServer(broken.Wrap(c.Marathon()))
	defer func() { broken.Close(); hs2.Close() }()
	if _, err := newClient(hs2.URL + "," + hs.URL).Application("/ci/web"); err != nil {
		t.Errorf("failover from a 503 Marathon to a healthy one: %v", err)
	}

	// The admin endpoint sets the same knobs over HTTP.
	resp, err := http.Post(hs.URL+"/__sim/faults", "application/json", strings.NewReader(`{"failure":"locked","match":"PUT /v2/apps"}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /__sim/faults: %v %v", err, resp)
	}
	var apiErr *marathon.APIError
	if _, err := newClient(hs.URL).UpdateApplication(webApp("web:1", 1), true); !errors.As(err, &apiErr) || apiErr.ErrCode != marathon.ErrCodeAppLocked {
		t.Errorf("after POST /__sim/faults locked: %v", err)
	}
}

// TestFaultsThroughMesosGo: the Mesos master's own knobs, as mesos-go
// v0.0.11 reports them, leave Marathon alone.
func TestFaultsThroughMesosGo(t *testing.T) {
	c := New(Options{})
	ms := httptest.NewServer(c.Mesos())
	mh := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); ms.Close(); mh.Close() }()
	cli := httpcli.New(httpcli.Endpoint(ms.URL+"/api/v1"), httpcli.Codec(codecs.ByMediaType[codecs.MediaTypeJSON]),
		httpcli.Do(httpcli.With(httpcli.Timeout(300*time.Millisecond))))
	send := func() (time.Duration, error) {
		start := time.Now()
		resp, err := cli.Send(client.RequestSingleton(calls.GetAgents()), client.ResponseClassSingleton)
		if resp != nil {
			resp.Close()
		}
		return time.Since(start), err
	}
	cases := []struct {
		name  string
		f     fault.Fault
		check func(error, time.Duration) bool
	}{
		{"latency", fault.Fault{Latency: 200 * time.Millisecond}, func(err error, d time.Duration) bool { return err == nil && d >= 200*time.Millisecond }},
		{"503", fault.Fault{Failure: fault.Unavailable}, func(err error, _ time.Duration) bool {
			return apierrors.CodeMesosUnavailable.Matches(err)
		}},
		{"500", fault.Fault{Failure: fault.Internal}, func(err error, _ time.Duration) bool {
			// mesos-go has no message for a 500: the body is all it keeps.
			return apierrors.Code(http.StatusInternalServerError).Matches(err) && strings.Contains(err.Error(), "internal server error")
		}},
		{"connection reset", fault.Fault{Failure: fault.Reset}, func(err error, _ time.Duration) bool {
			var apiErr *apierrors.Error
			return err != nil && !errors.As(err, &apiErr)
		}},
		{"hang", fault.Fault{Failure: fault.Hang}, func(err error, d time.Duration) bool { return err != nil && d >= 300*time.Millisecond }},
		{"once, then healthy", fault.Fault{Failure: fault.Unavailable, Count: 1}, func(err error, _ time.Duration) bool {
			_, next := send()
			return err != nil && next == nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.MesosFaults.Clear()
			if err := c.MesosFaults.Set(tc.f); err != nil {
				t.Fatal(err)
			}
			d, err := send()
			if !tc.check(err, d) {
				t.Errorf("GET_AGENTS took %v: %v", d, err)
			}
			if resp, err := http.Get(mh.URL + "/v2/info"); err != nil || resp.StatusCode != 200 {
				t.Errorf("Marathon while Mesos fails: %v %v", err, resp)
			}
		})
	}
}
