package openstack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"minka/sim/fault"
)

// TestFaultsThroughGophercloud: each knob, as the real client sees it.
func TestFaultsThroughGophercloud(t *testing.T) {
	e := setup(t, Options{})
	nova := e.nova(t)
	create := servers.CreateOpts{Name: "a", FlavorRef: "1", ImageRef: "centos7"}
	isStatus := func(code int) func(error, time.Duration) bool {
		return func(err error, _ time.Duration) bool { return gophercloud.ResponseCodeIs(err, code) }
	}
	cases := []struct {
		name  string
		f     Fault
		check func(error, time.Duration) bool
		heals bool // the next request succeeds
	}{
		{"latency", Fault{Latency: 200 * time.Millisecond, Match: "POST /compute"}, func(err error, d time.Duration) bool {
			return err == nil && d >= 200*time.Millisecond
		}, false},
		{"Nova's quota error", Fault{Failure: QuotaExceeded, Match: "POST /compute/v2.1/servers"}, func(err error, _ time.Duration) bool {
			return gophercloud.ResponseCodeIs(err, http.StatusForbidden) && strings.Contains(err.Error(), "Quota exceeded for instances")
		}, false},
		{"500", Fault{Failure: fault.Internal}, isStatus(http.StatusInternalServerError), false},
		{"503", Fault{Failure: fault.Unavailable}, isStatus(http.StatusServiceUnavailable), false},
		{"connection reset", Fault{Failure: fault.Reset}, func(err error, _ time.Duration) bool {
			var code gophercloud.ErrUnexpectedResponseCode
			return err != nil && !errors.As(err, &code) && !errors.Is(err, context.DeadlineExceeded)
		}, false},
		{"hang", Fault{Failure: fault.Hang}, func(err error, d time.Duration) bool {
			return errors.Is(err, context.DeadlineExceeded) && d >= 300*time.Millisecond
		}, false},
		{"once, then healthy", Fault{Failure: fault.Internal, Count: 1}, isStatus(http.StatusInternalServerError), true},
		{"cleared", Fault{}, func(err error, _ time.Duration) bool { return err == nil }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cloud.ClearFaults()
			if err := e.cloud.SetFault(tc.f); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := servers.Create(ctx, nova, create, nil).Err
			if d := time.Since(start); !tc.check(err, d) {
				t.Errorf("servers.Create took %v: %v", d, err)
			}
			if tc.heals {
				if err := servers.Create(context.Background(), nova, create, nil).Err; err != nil {
					t.Errorf("after the fault's count ran out: %v", err)
				}
			}
		})
	}
	e.cloud.ClearFaults()
	if err := e.cloud.SetFault(Fault{Failure: "no-such-failure"}); err == nil {
		t.Error("SetFault with an unknown failure: no error")
	}
}

// TestErrorRateFollowsSeed: the same seed fails the same requests.
func TestErrorRateFollowsSeed(t *testing.T) {
	pattern := func() string {
		e := setup(t, Options{Seed: 42})
		nova := e.nova(t)
		if err := e.cloud.SetFault(Fault{ErrorRate: 0.5, Match: "GET /compute/v2.1/flavors"}); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for range 20 {
			_, err := flavors.Get(context.Background(), nova, "1").Extract()
			switch {
			case err == nil:
				b.WriteByte('.')
			case gophercloud.ResponseCodeIs(err, http.StatusInternalServerError):
				b.WriteByte('x')
			default:
				t.Fatalf("flavors.Get: %v", err)
			}
		}
		return b.String()
	}
	first, second := pattern(), pattern()
	if first != second {
		t.Errorf("seed 42 gave %s then %s", first, second)
	}
	if n := strings.Count(first, "x"); n == 0 || n == 20 {
		t.Errorf("error rate 0.5 failed %d of 20: %s", n, first)
	}
}
