package openstack

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
)

// TestServerLifecycle: create → BUILD → (WaitForStatus, real clock) ACTIVE
// with an address → list by name regex → delete → 404, its
// delete_on_termination volume gone with it.
func TestServerLifecycle(t *testing.T) {
	e := setup(t, Options{Now: time.Now, BootDelay: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex
	var booted, deleted []Server
	e.cloud.SetHooks(func(s Server) { mu.Lock(); booted = append(booted, s); mu.Unlock() },
		func(s Server) { mu.Lock(); deleted = append(deleted, s); mu.Unlock() })
	nova := e.nova(t)
	create := servers.CreateOpts{Name: "trusty-amd64-a1b2", FlavorRef: "3", ImageRef: "70a599e0-31e7-49b7-b260-868f441e862b",
		Metadata: map[string]string{"minka.dev/pool-uid": "uid-1"}, UserData: []byte("#cloud-config\nagent: trusty-amd64-a1b2\n"),
		SecurityGroups: []string{"jenkins-agent"}, Networks: []servers.Network{{UUID: "3c3fbc5c-0c3d-4a5b-9d56-1cbe30d4e6a7"}},
		BlockDevice: []servers.BlockDevice{{SourceType: servers.SourceBlank, DestinationType: servers.DestinationVolume,
			VolumeSize: 10, DeleteOnTermination: true}}}
	srv, err := servers.Create(ctx, nova, keypairs.CreateOptsExt{CreateOptsBuilder: create, KeyName: "jenkins"}, nil).Extract()
	if err != nil {
		t.Fatalf("servers.Create: %v", err)
	}
	got, err := servers.Get(ctx, nova, srv.ID).Extract()
	if err != nil || got.Status != "BUILD" || got.Metadata["minka.dev/pool-uid"] != "uid-1" || got.KeyName != "jenkins" {
		t.Fatalf("servers.Get while booting: %v %+v", err, got)
	}
	if e.cloud.Volumes() != 1 {
		t.Fatalf("block_device_mapping_v2 blank volume: %d volumes, want 1", e.cloud.Volumes())
	}
	if err := servers.WaitForStatus(ctx, nova, srv.ID, "ACTIVE"); err != nil {
		t.Fatalf("WaitForStatus ACTIVE: %v", err)
	}
	got, err = servers.Get(ctx, nova, srv.ID).Extract()
	if err != nil || len(got.Addresses["private"].([]any)) != 1 || got.LaunchedAt.IsZero() || got.Created.IsZero() {
		t.Fatalf("servers.Get when ACTIVE: %v %+v", err, got)
	}
	mu.Lock()
	if len(booted) != 1 || !strings.Contains(booted[0].UserData, "agent: trusty-amd64-a1b2") || booted[0].IP == "" {
		t.Errorf("OnActive heard %+v (user data decoded, an IP)", booted)
	}
	mu.Unlock()
	if _, err := servers.Create(ctx, nova, servers.CreateOpts{Name: "other", FlavorRef: "1", ImageRef: "centos7"}, nil).Extract(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want int
	}{{"^trusty-amd64-", 1}, {"amd64", 1}, {"", 2}, {"^nothing$", 0}} {
		pages, err := servers.List(nova, servers.ListOpts{Name: tc.name}).AllPages(ctx)
		if err != nil {
			t.Fatalf("servers.List %q: %v", tc.name, err)
		}
		if all, err := servers.ExtractServers(pages); err != nil || len(all) != tc.want {
			t.Errorf("servers.List name %q: %v %d, want %d", tc.name, err, len(all), tc.want)
		}
	}
	if err := servers.Delete(ctx, nova, srv.ID).ExtractErr(); err != nil {
		t.Fatalf("servers.Delete: %v", err)
	}
	if err := servers.Get(ctx, nova, srv.ID).Err; !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("deleted server: %v, want 404", err)
	}
	if err := servers.Delete(ctx, nova, srv.ID).ExtractErr(); !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("second delete: %v, want 404", err)
	}
	mu.Lock()
	if e.cloud.Volumes() != 0 || len(deleted) != 1 {
		t.Errorf("after delete: %d volumes (delete_on_termination), OnDelete heard %d", e.cloud.Volumes(), len(deleted))
	}
	mu.Unlock()
}

func TestCreateRefused(t *testing.T) {
	e := setup(t, Options{Quota: Quota{Instances: 2, Cores: 5, RAM: 81920, Volumes: 10, Gigabytes: 100}})
	ctx := context.Background()
	nova := e.nova(t)
	for _, name := range []string{"a", "b"} {
		if _, err := servers.Create(ctx, nova, servers.CreateOpts{Name: name, FlavorRef: "1", ImageRef: "centos7"}, nil).Extract(); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		opts servers.CreateOpts
		code int
		msg  string
	}{
		{"over the instances quota", servers.CreateOpts{Name: "c", FlavorRef: "1", ImageRef: "centos7"}, http.StatusForbidden,
			"Quota exceeded for instances: Requested 1, but already used 2 of 2 instances"},
		{"unknown flavor", servers.CreateOpts{Name: "c", FlavorRef: "99", ImageRef: "centos7"}, http.StatusBadRequest, "Flavor 99 could not be found."},
		{"unknown image", servers.CreateOpts{Name: "c", FlavorRef: "1", ImageRef: "nope"}, http.StatusBadRequest, "Can not find requested image"},
		{"unknown network", servers.CreateOpts{Name: "c", FlavorRef: "1", ImageRef: "centos7", Networks: []servers.Network{{UUID: "net-x"}}},
			http.StatusBadRequest, "Network net-x could not be found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := servers.Create(ctx, nova, tc.opts, nil).Err
			if !gophercloud.ResponseCodeIs(err, tc.code) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want %d naming %q", err, tc.code, tc.msg)
			}
		})
	}
	e.cloud.SetQuota(Quota{Instances: 10, Cores: 5, RAM: 81920, Volumes: 10, Gigabytes: 100})
	err := servers.Create(ctx, nova, servers.CreateOpts{Name: "big", FlavorRef: "3", ImageRef: "centos7"}, nil).Err
	if !gophercloud.ResponseCodeIs(err, http.StatusForbidden) || !strings.Contains(err.Error(), "Quota exceeded for cores: Requested 4, but already used 2 of 5 cores") {
		t.Errorf("over the cores quota: %v", err)
	}
}

// TestServerError: the two ways a server ends in ERROR with a fault.
func TestServerError(t *testing.T) {
	e := setup(t, Options{BootDelay: 10 * time.Second})
	ctx := context.Background()
	nova := e.nova(t)
	create := func(name string) string {
		s, err := servers.Create(ctx, nova, servers.CreateOpts{Name: name, FlavorRef: "1", ImageRef: "centos7"}, nil).Extract()
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	e.cloud.FailNextBoots(1)
	doomed, fine := create("doomed"), create("fine")
	forced := create("forced")
	if err := e.cloud.FailServer(forced); err != nil {
		t.Fatal(err)
	}
	if err := e.cloud.FailServer("nope"); err == nil {
		t.Error("FailServer of an unknown id: no error")
	}
	e.clk.Add(11 * time.Second)
	for _, tc := range []struct {
		id, status string
		fault      bool
	}{{doomed, "ERROR", true}, {fine, "ACTIVE", false}, {forced, "ERROR", true}} {
		got, err := servers.Get(ctx, nova, tc.id).Extract()
		if err != nil {
			t.Fatalf("servers.Get: %v", err)
		}
		if got.Status != tc.status || (got.Fault.Message != "") != tc.fault || (tc.fault && got.Fault.Code != 500) {
			t.Errorf("%s: status %s fault %+v, want %s (fault %v)", got.Name, got.Status, got.Fault, tc.status, tc.fault)
		}
	}
	if err := servers.WaitForStatus(ctx, nova, doomed, "ERROR"); err != nil {
		t.Errorf("WaitForStatus ERROR: %v", err)
	}
}
