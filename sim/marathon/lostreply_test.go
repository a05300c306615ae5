package marathon

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"minka/sim/fault"
)

// TestLostReplyOfAppPut: Marathon applies a PUT /v2/apps/{id} (create or
// update) whose reply is lost. go-marathon v0.7.1 marks its only URL down
// and reports ErrMarathonDown without resending; a fresh client (the old
// one's URL stays down until its /ping check, every 5s, succeeds) finds
// the app, as sent, with one version.
func TestLostReplyOfAppPut(t *testing.T) {
	for _, failure := range []string{fault.AppliedReset, fault.AppliedHang} {
		t.Run(failure, func(t *testing.T) {
			c := New(Options{})
			hs := httptest.NewServer(c.Marathon())
			t.Cleanup(func() { c.Close(); hs.Close() })
			if err := c.Faults.Set(fault.Fault{Match: "PUT /v2/apps/ci/web", Failure: failure, Count: 1}); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			// force: were the PUT applied twice, the second would not be
			// refused as locked by the first one's deployment.
			_, err := goMarathon(t, hs.URL).UpdateApplication(webApp("web:1", 2), true)
			t.Logf("UpdateApplication under %s, after %v: %v", failure, time.Since(start).Round(time.Millisecond), err)
			if !errors.Is(err, marathon.ErrMarathonDown) {
				t.Fatalf("UpdateApplication under %s: %v, want ErrMarathonDown", failure, err)
			}
			c.Faults.Clear()
			cli := goMarathon(t, hs.URL)
			app, err := cli.Application("/ci/web")
			if err != nil {
				t.Fatalf("Application after the lost reply: %v", err)
			}
			if app.Container == nil || app.Container.Docker == nil || app.Container.Docker.Image != "web:1" || app.Instances == nil || *app.Instances != 2 {
				t.Errorf("the app made: container %+v instances %v, want web:1 ×2", app.Container, app.Instances)
			}
			versions, err := cli.ApplicationVersions("/ci/web")
			if err != nil || len(versions.Versions) != 1 {
				t.Errorf("versions after one lost PUT: %v %v, want exactly one", versions, err)
			}
		})
	}
}

// TestLostReplyOfAppPutWithTwoURLs: given two Marathon URLs, go-marathon
// resends a PUT whose reply was lost to the next URL. In front of one
// cluster, the update is applied twice: two versions, and the caller only
// hears of the second.
func TestLostReplyOfAppPutWithTwoURLs(t *testing.T) {
	c := New(Options{})
	hs := httptest.NewServer(c.Marathon())
	front := fault.New(1)
	hs2 := httptest.NewServer(front.Wrap(c.Marathon()))
	t.Cleanup(func() { front.Close(); c.Close(); hs2.Close(); hs.Close() })
	if err := front.Set(fault.Fault{Match: "PUT /v2/apps", Failure: fault.AppliedReset}); err != nil {
		t.Fatal(err)
	}
	if _, err := goMarathon(t, hs2.URL+","+hs.URL).UpdateApplication(webApp("web:1", 2), true); err != nil {
		t.Fatalf("UpdateApplication failing over: %v", err)
	}
	versions, err := goMarathon(t, hs.URL).ApplicationVersions("/ci/web")
	if err != nil || len(versions.Versions) != 2 {
		t.Errorf("versions after a lost PUT and go-marathon's own resend: %v %v, want two", versions, err)
	}
}

// goMarathon is a go-marathon v0.7.1 client of urls that gives up after
// 300 ms.
func goMarathon(t *testing.T, urls string) marathon.Marathon {
	t.Helper()
	cfg := marathon.NewDefaultConfig()
	cfg.URL = urls
	cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	cli, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cli
}
