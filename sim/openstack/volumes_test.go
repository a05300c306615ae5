package openstack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/volumeattach"
)

func TestVolumesAndAttachments(t *testing.T) {
	e := setup(t, Options{Quota: Quota{Instances: 5, Cores: 40, RAM: 81920, Volumes: 3, Gigabytes: 15}})
	ctx := context.Background()
	nova := e.nova(t)
	cinder, err := openstack.NewBlockStorageV3(e.pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatalf("NewBlockStorageV3: %v", err)
	}
	srv, err := servers.Create(ctx, nova, servers.CreateOpts{Name: "a", FlavorRef: "1", ImageRef: "centos7"}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	vol, err := volumes.Create(ctx, cinder, volumes.CreateOpts{Size: 10, Name: "a-vol"}, nil).Extract()
	if err != nil || vol.Status != "creating" {
		t.Fatalf("volumes.Create: %v %+v", err, vol)
	}
	if v, err := volumes.Get(ctx, cinder, vol.ID).Extract(); err != nil || v.Status != "available" || v.CreatedAt.IsZero() || v.Size != 10 {
		t.Fatalf("volumes.Get: %v %+v", err, v)
	}
	err = volumes.Create(ctx, cinder, volumes.CreateOpts{Size: 10, Name: "too-big"}, nil).Err
	if !gophercloud.ResponseCodeIs(err, http.StatusRequestEntityTooLarge) || !strings.Contains(err.Error(), "VolumeSizeExceedsAvailableQuota") {
		t.Errorf("over the gigabytes quota: %v, want 413 overLimit", err)
	}
	// Nova refuses to attach to a server still building (check_instance_state).
	err = volumeattach.Create(ctx, nova, srv.ID, volumeattach.CreateOpts{VolumeID: vol.ID, Device: "/dev/vdb"}).Err
	if !gophercloud.ResponseCodeIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "vm_state building") {
		t.Fatalf("attach while BUILD: %v, want 409", err)
	}
	e.clk.Add(time.Minute)
	att, err := volumeattach.Create(ctx, nova, srv.ID, volumeattach.CreateOpts{VolumeID: vol.ID, Device: "/dev/vdb"}).Extract()
	if err != nil || att.Device != "/dev/vdb" || att.VolumeID != vol.ID || att.ServerID != srv.ID {
		t.Fatalf("volumeattach.Create: %v %+v", err, att)
	}
	pages, err := volumeattach.List(nova, srv.ID).AllPages(ctx)
	if err != nil {
		t.Fatalf("volumeattach.List: %v", err)
	}
	if all, err := volumeattach.ExtractVolumeAttachments(pages); err != nil || len(all) != 1 || all[0].VolumeID != vol.ID {
		t.Errorf("attachments: %v %+v", err, all)
	}
	if v, _ := volumes.Get(ctx, cinder, vol.ID).Extract(); v.Status != "in-use" || len(v.Attachments) != 1 {
		t.Errorf("attached volume: %+v", v)
	}
	if err := volumes.Delete(ctx, cinder, vol.ID, nil).ExtractErr(); !gophercloud.ResponseCodeIs(err, http.StatusBadRequest) {
		t.Errorf("deleting an attached volume: %v, want 400", err)
	}
	if err := volumeattach.Delete(ctx, nova, srv.ID, vol.ID).ExtractErr(); err != nil {
		t.Fatalf("volumeattach.Delete: %v", err)
	}
	if err := volumes.Delete(ctx, cinder, vol.ID, nil).ExtractErr(); err != nil {
		t.Errorf("deleting a detached volume: %v", err)
	}
	if err := volumes.Get(ctx, cinder, vol.ID).Err; !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("deleted volume: %v, want 404", err)
	}
	if n := e.cloud.Volumes(); n != 0 {
		t.Errorf("%d volumes left", n)
	}
}

// TestGophercloudMicroversions: gophercloud with ServiceClient.Microversion
// set sends both version headers; the simulator answers at that version
// as Nova does (2.79 attachments carry tag and delete_on_termination).
func TestGophercloudMicroversions(t *testing.T) {
	e := setup(t, Options{})
	ctx := context.Background()
	nova := e.nova(t)
	cinder, err := openstack.NewBlockStorageV3(e.pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := servers.Create(ctx, nova, servers.CreateOpts{Name: "a", FlavorRef: "1", ImageRef: "centos7"}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	vol, err := volumes.Create(ctx, cinder, volumes.CreateOpts{Size: 1}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	nova.Microversion = "2.79"
	yes := true
	att, err := volumeattach.Create(ctx, nova, srv.ID, volumeattach.CreateOpts{VolumeID: vol.ID, Tag: "data", DeleteOnTermination: yes}).Extract()
	if err != nil || att.Tag == nil || *att.Tag != "data" || att.DeleteOnTermination == nil || !*att.DeleteOnTermination {
		t.Fatalf("volumeattach.Create at 2.79: %v %+v", err, att)
	}
	nova.Microversion = "2.105"
	if err := volumeattach.Get(ctx, nova, srv.ID, vol.ID).Err; !gophercloud.ResponseCodeIs(err, http.StatusNotAcceptable) {
		t.Errorf("at 2.105: %v, want 406", err)
	}
	nova.Microversion = ""
	if got, err := volumeattach.Get(ctx, nova, srv.ID, vol.ID).Extract(); err != nil || got.Tag != nil || got.DeleteOnTermination != nil {
		t.Errorf("at 2.1: %v %+v, want no tag or delete_on_termination", err, got)
	}
}
