package openstack

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"minka/sim/fault"
)

// TestLostReplyOfServerCreate: Nova applies a server create whose reply is
// lost. gophercloud's servers.Create returns an error (a reset: no HTTP
// code; a hang: the context's deadline) and does not resend the POST; a
// fresh list shows the server once, whole (metadata from the body, its
// block-device volume).
func TestLostReplyOfServerCreate(t *testing.T) {
	cases := []struct {
		failure string
		lost    func(error) bool
	}{
		{fault.AppliedReset, func(err error) bool {
			var code gophercloud.ErrUnexpectedResponseCode
			return err != nil && !errors.As(err, &code) && !errors.Is(err, context.DeadlineExceeded)
		}},
		{fault.AppliedHang, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
	}
	for _, tc := range cases {
		t.Run(tc.failure, func(t *testing.T) {
			e := setup(t, Options{})
			nova := e.nova(t)
			name := "trusty-amd64-" + tc.failure
			create := servers.CreateOpts{Name: name, FlavorRef: "3", ImageRef: "70a599e0-31e7-49b7-b260-868f441e862b",
				Metadata: map[string]string{"minka.dev/pool-uid": "uid-1"}, UserData: []byte("#cloud-config\nagent: " + name + "\n"),
				BlockDevice: []servers.BlockDevice{{SourceType: servers.SourceBlank, DestinationType: servers.DestinationVolume,
					VolumeSize: 10, DeleteOnTermination: true}}}
			if err := e.cloud.SetFault(Fault{Match: "POST /compute/v2.1/servers", Failure: tc.failure, Count: 1}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := servers.Create(ctx, nova, keypairs.CreateOptsExt{CreateOptsBuilder: create, KeyName: "jenkins"}, nil).Err
			t.Logf("servers.Create under %s: %v", tc.failure, err)
			if !tc.lost(err) {
				t.Fatalf("servers.Create under %s: %v, want the reply lost", tc.failure, err)
			}
			pages, err := servers.List(nova, servers.ListOpts{}).AllPages(context.Background())
			if err != nil {
				t.Fatalf("servers.List: %v", err)
			}
			all, err := servers.ExtractServers(pages)
			if err != nil {
				t.Fatal(err)
			}
			var named []servers.Server
			for _, s := range all {
				if s.Name == name {
					named = append(named, s)
				}
			}
			if len(named) != 1 {
				t.Fatalf("after the lost reply: %d servers named %s, want 1 (of %d)", len(named), name, len(all))
			}
			if s := named[0]; s.Metadata["minka.dev/pool-uid"] != "uid-1" || s.KeyName != "jenkins" || s.Status != "BUILD" {
				t.Errorf("the server made: %+v, want the request's metadata and key, in BUILD", s)
			}
			if n := e.cloud.Volumes(); n != 1 {
				t.Errorf("%d volumes, want the server's one blank volume", n)
			}
		})
	}
}
