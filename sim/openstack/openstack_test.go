package openstack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/limits"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/volumeattach"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"

	"minka/sim/fault"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func setup(t *testing.T, opts Options) (*Cloud, *gophercloud.ProviderClient, *clock, string) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	c := New(opts)
	hs := httptest.NewServer(c)
	t.Cleanup(func() { c.Close(); hs.Close() })
	pc, err := openstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{
		IdentityEndpoint: hs.URL + "/identity", Username: "minka", Password: "secret", DomainName: "Default", TenantName: "ci"})
	if err != nil {
		t.Fatalf("gophercloud auth (with version discovery): %v", err)
	}
	return c, pc, clk, hs.URL
}

func TestServersThroughGophercloud(t *testing.T) {
	c, pc, clk, _ := setup(t, Options{BootDelay: 30 * time.Second})
	ctx := context.Background()
	nova, err := openstack.NewComputeV2(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := flavors.ListDetail(nova, nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fl, _ := flavors.ExtractFlavors(pages)
	if len(fl) != 3 || fl[2].Name != "m1.large" || fl[2].VCPUs != 4 {
		t.Errorf("flavors: %+v", fl)
	}
	kp, _ := keypairs.List(nova, nil).AllPages(ctx)
	if ks, _ := keypairs.ExtractKeyPairs(kp); len(ks) != 1 || ks[0].Name != "jenkins" {
		t.Errorf("keypairs: %+v", ks)
	}
	var active []Server
	c.opts.OnActive = func(s Server) { active = append(active, s) }
	create := servers.CreateOpts{Name: "trusty-amd64-a1b2", FlavorRef: "3", ImageRef: "70a599e0-31e7-49b7-b260-868f441e862b",
		Metadata: map[string]string{"minka.dev/pool-uid": "uid-1"}, UserData: []byte("#cloud-config\nagent: trusty-amd64-a1b2\n"),
		SecurityGroups: []string{"jenkins-agent"}}
	srv, err := servers.Create(ctx, nova, keypairs.CreateOptsExt{CreateOptsBuilder: create, KeyName: "jenkins"}, nil).Extract()
	if err != nil {
		t.Fatalf("servers.Create: %v", err)
	}
	got, err := servers.Get(ctx, nova, srv.ID).Extract()
	if err != nil || got.Status != "BUILD" || got.Metadata["minka.dev/pool-uid"] != "uid-1" {
		t.Fatalf("servers.Get while booting: %v %+v", err, got)
	}
	clk.Add(31 * time.Second)
	got, err = servers.Get(ctx, nova, srv.ID).Extract()
	if err != nil || got.Status != "ACTIVE" || len(got.Addresses["private"].([]any)) != 1 || got.LaunchedAt.IsZero() {
		t.Fatalf("servers.Get after the boot delay: %v %+v", err, got)
	}
	if len(active) != 1 || !strings.Contains(active[0].UserData, "agent: trusty-amd64-a1b2") {
		t.Errorf("OnActive: %+v (user data is decoded for the world)", active)
	}
	lp, err := servers.List(nova, servers.ListOpts{Name: "^trusty-amd64-"}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := servers.ExtractServers(lp); len(all) != 1 {
		t.Errorf("servers.List by name regex: %d", len(all))
	}
	if err := servers.Delete(ctx, nova, srv.ID).ExtractErr(); err != nil {
		t.Fatalf("servers.Delete: %v", err)
	}
	err = servers.Get(ctx, nova, srv.ID).Err
	if !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("deleted server: %v, want 404", err)
	}
}

func TestQuotaErrorAndVolumes(t *testing.T) {
	c, pc, _, _ := setup(t, Options{Quota: Quota{Instances: 1, Cores: 40, RAM: 81920, Volumes: 2, Gigabytes: 15}})
	ctx := context.Background()
	nova, _ := openstack.NewComputeV2(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	opts := servers.CreateOpts{Name: "a", FlavorRef: "1", ImageRef: "ubuntu-trusty"}
	first, err := servers.Create(ctx, nova, opts, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	opts.Name = "b"
	err = servers.Create(ctx, nova, opts, nil).Err
	if !gophercloud.ResponseCodeIs(err, http.StatusForbidden) || !strings.Contains(err.Error(), "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances") {
		t.Errorf("over quota: %v", err)
	}
	lim, err := limits.Get(ctx, nova, nil).Extract()
	if err != nil || lim.Absolute.MaxTotalInstances != 1 || lim.Absolute.TotalInstancesUsed != 1 {
		t.Errorf("limits: %v %+v", err, lim)
	}
	cinder, err := openstack.NewBlockStorageV3(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatal(err)
	}
	vol, err := volumes.Create(ctx, cinder, volumes.CreateOpts{Size: 10, Name: "a-vol"}, nil).Extract()
	if err != nil || vol.Status != "creating" {
		t.Fatalf("volumes.Create: %v %+v", err, vol)
	}
	if v, err := volumes.Get(ctx, cinder, vol.ID).Extract(); err != nil || v.Status != "available" || v.CreatedAt.IsZero() {
		t.Fatalf("volumes.Get: %v %+v", err, v)
	}
	err = volumes.Create(ctx, cinder, volumes.CreateOpts{Size: 10, Name: "too-big"}, nil).Err
	if !gophercloud.ResponseCodeIs(err, http.StatusRequestEntityTooLarge) {
		t.Errorf("over the gigabytes quota: %v, want 413", err)
	}
	att, err := volumeattach.Create(ctx, nova, first.ID, volumeattach.CreateOpts{VolumeID: vol.ID, Device: "/dev/vdb"}).Extract()
	if err != nil || att.Device != "/dev/vdb" {
		t.Fatalf("volumeattach.Create: %v %+v", err, att)
	}
	if err := volumes.Delete(ctx, cinder, vol.ID, nil).ExtractErr(); !gophercloud.ResponseCodeIs(err, http.StatusBadRequest) {
		t.Errorf("deleting an attached volume: %v, want 400", err)
	}
	if err := volumeattach.Delete(ctx, nova, first.ID, vol.ID).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	if err := volumes.Delete(ctx, cinder, vol.ID, nil).ExtractErr(); err != nil {
		t.Errorf("deleting a detached volume: %v", err)
	}
	if n := c.Volumes(); n != 0 {
		t.Errorf("%d volumes left", n)
	}
}

func TestBlankVolumeGoesWithItsServerAndErrorBoots(t *testing.T) {
	c, pc, clk, _ := setup(t, Options{})
	ctx := context.Background()
	nova, _ := openstack.NewComputeV2(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	bd := []servers.BlockDevice{{SourceType: servers.SourceBlank, DestinationType: servers.DestinationVolume, VolumeSize: 10, DeleteOnTermination: true}}
	srv, err := servers.Create(ctx, nova, servers.CreateOpts{Name: "with-vol", FlavorRef: "1", ImageRef: "ubuntu-trusty", BlockDevice: bd}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if c.Volumes() != 1 {
		t.Fatalf("block_device_mapping_v2 blank volume not made")
	}
	_ = servers.Delete(ctx, nova, srv.ID).ExtractErr()
	if c.Volumes() != 0 {
		t.Errorf("delete_on_termination volume leaked")
	}
	bad, _ := servers.Create(ctx, nova, servers.CreateOpts{Name: "doomed", FlavorRef: "1", ImageRef: "ubuntu-trusty"}, nil).Extract()
	if err := c.FailBoot(bad.ID); err != nil {
		t.Fatal(err)
	}
	clk.Add(3 * time.Second)
	got, _ := servers.Get(ctx, nova, bad.ID).Extract()
	if got.Status != "ERROR" || got.Fault.Message == "" {
		t.Errorf("failed boot: status %s fault %+v", got.Status, got.Fault)
	}
}

func TestImagesAndAuthErrors(t *testing.T) {
	_, pc, _, base := setup(t, Options{})
	ctx := context.Background()
	glance, err := openstack.NewImageV2(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatalf("NewImageV2 (Glance's 300 version document): %v", err)
	}
	pages, err := images.List(glance, images.ListOpts{Name: "centos7"}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ims, _ := images.ExtractImages(pages); len(ims) != 1 || ims[0].Name != "centos7" {
		t.Errorf("images by name: %+v", ims)
	}
	_, err = openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: base + "/identity/v3",
		Username: "minka", Password: "wrong", DomainName: "Default", TenantName: "ci"})
	if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Errorf("wrong password: %v, want 401", err)
	}
	resp, _ := http.Get(base + "/compute/v2.1/x/servers")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", resp.StatusCode)
	}
}

// TestFaultsThroughGophercloud: each failure mode, seen by the real client.
func TestFaultsThroughGophercloud(t *testing.T) {
	c, pc, _, _ := setup(t, Options{})
	nova, _ := openstack.NewComputeV2(pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	opts := servers.CreateOpts{Name: "a", FlavorRef: "1", ImageRef: "ubuntu-trusty"}
	cases := []struct {
		reason string
		f      fault.Fault
		check  func(error) bool
	}{
		{"Nova's quota error on creates", fault.Fault{Failure: "quota", Match: "POST /compute"}, func(err error) bool {
			return gophercloud.ResponseCodeIs(err, http.StatusForbidden) && strings.Contains(err.Error(), "Quota exceeded for instances")
		}},
		{"503", fault.Fault{Failure: fault.Unavailable}, func(err error) bool { return gophercloud.ResponseCodeIs(err, http.StatusServiceUnavailable) }},
		{"reset", fault.Fault{Failure: fault.Reset}, func(err error) bool { return err != nil }},
		{"hang", fault.Fault{Failure: fault.Hang}, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
	}
	for _, tc := range cases {
		c.Faults.Clear()
		if err := c.Faults.Set(tc.f); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := servers.Create(ctx, nova, opts, nil).Err
		cancel()
		if !tc.check(err) {
			t.Errorf("%s: %v", tc.reason, err)
		}
	}
	c.Faults.Clear()
	if _, err := servers.Create(context.Background(), nova, opts, nil).Extract(); err != nil {
		t.Errorf("after clearing the faults: %v", err)
	}
}
