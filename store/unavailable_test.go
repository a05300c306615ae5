package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestUnavailable(t *testing.T) {
	cases := []struct {
		reason string
		err    error
		want   bool
	}{
		{"no error", nil, false},
		{"the request's deadline passed", fmt.Errorf("getting x: %w", context.DeadlineExceeded), true},
		{"no leader", fmt.Errorf("put: %w", rpctypes.ErrNoLeader), true},
		{"a timeout inside etcd", rpctypes.ErrTimeout, true},
		{"no connection (gRPC Unavailable)", fmt.Errorf("put: %w", status.Error(codes.Unavailable, "connection refused")), true},
		{"a conflict is not an outage", ErrConflict, false},
		{"a request too large is not an outage", rpctypes.ErrRequestTooLarge, false},
		{"the caller gave up", context.Canceled, false},
		{"anything else", errors.New("boom"), false},
	}
	for _, c := range cases {
		if got := Unavailable(c.err); got != c.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", c.reason, c.err, got, c.want)
		}
	}
}
