package slavepool

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/limits"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"golang.org/x/sync/singleflight"

	"minka/backend"
	"minka/backend/readcache"
	"minka/backend/transport"
)

// cloudClient adapts gophercloud v2. It authenticates on first use (and
// re-authenticates when a token expires), so minka starts while the cloud
// is down; credentials come from the clouds.yaml entry. Every request,
// Keystone's included, goes through the backend transport (the
// configured timeout, metrics, last failure); no lock is held across a
// network call. The server list is shared by the pools of the cloud for a
// moment and forgotten after any create or delete attempt.
type cloudClient struct {
	cfg  backend.OpenStack
	tr   *transport.Transport
	list *readcache.Cache[[]Server]
	auth singleflight.Group

	mu      sync.Mutex
	compute *gophercloud.ServiceClient
	image   *gophercloud.ServiceClient
}

func newCloudClient(cfg backend.OpenStack, m *transport.Metrics) *cloudClient {
	c := &cloudClient{cfg: cfg, tr: transport.New(transport.Options{Backend: "openstack", Name: cfg.Name,
		Timeout: backend.RequestTimeout(cfg.Timeout), Metrics: m})}
	c.list = readcache.New(func(ctx context.Context) ([]Server, error) { return c.Servers(ctx, "") }, nil)
	return c
}

// Name is the backend's name in the server config.
func (c *cloudClient) Name() string { return c.cfg.Name }

// LastFailure is the last timeout, transport error or 5xx ("" if none).
func (c *cloudClient) LastFailure() string { s, _ := c.tr.LastFailure(); return s }

// AllServers is every server of the project, read at most maxAge ago and
// not before the last create or delete attempt.
func (c *cloudClient) AllServers(ctx context.Context, maxAge time.Duration) ([]Server, error) {
	list, _, err := c.list.Get(ctx, maxAge)
	return list, err
}

func (c *cloudClient) clients(ctx context.Context) (*gophercloud.ServiceClient, *gophercloud.ServiceClient, error) {
	c.mu.Lock()
	compute, image := c.compute, c.image
	c.mu.Unlock()
	if compute != nil {
		return compute, image, nil
	}
	// One authentication at a time, outside the lock: a hung Keystone
	// holds up only the callers that need it, each until its deadline.
	ch := c.auth.DoChan("auth", func() (any, error) { return nil, c.authenticate(context.WithoutCancel(ctx)) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, nil, r.Err
		}
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("keystone: authenticating: %w", ctx.Err())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.compute, c.image, nil
}

func (c *cloudClient) authenticate(ctx context.Context) error {
	opts := []clouds.ParseOption{clouds.WithCloudName(c.cfg.Cloud)}
	if c.cfg.CloudsFile != "" {
		opts = append(opts, clouds.WithLocations(c.cfg.CloudsFile))
	}
	ao, eo, _, err := clouds.Parse(opts...)
	if err != nil {
		return fmt.Errorf("clouds.yaml: %w", err)
	}
	ao.AllowReauth = true
	pc, err := openstack.NewClient(ao.IdentityEndpoint)
	if err != nil {
		return fmt.Errorf("keystone: %w", err)
	}
	pc.HTTPClient = *c.tr.Client()
	if err := openstack.Authenticate(transport.WithOperation(ctx, "keystone.auth"), pc, ao); err != nil {
		return fmt.Errorf("keystone: authenticating: %w", err)
	}
	compute, err := openstack.NewComputeV2(pc, eo)
	if err != nil {
		return fmt.Errorf("keystone catalogue: compute endpoint: %w", err)
	}
	image, err := openstack.NewImageV2(pc, eo)
	if err != nil {
		return fmt.Errorf("keystone catalogue: image endpoint: %w", err)
	}
	c.mu.Lock()
	c.compute, c.image = compute, image
	c.mu.Unlock()
	return nil
}

func (c *cloudClient) Servers(ctx context.Context, prefix string) ([]Server, error) {
	ctx = transport.WithOperation(ctx, "servers.list")
	nova, _, err := c.clients(ctx)
	if err != nil {
		return nil, err
	}
	pages, err := servers.List(nova, servers.ListOpts{Name: "^" + regexp.QuoteMeta(prefix)}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("nova: listing servers %s*: %w", prefix, err)
	}
	list, err := servers.ExtractServers(pages)
	if err != nil {
		return nil, fmt.Errorf("nova: listing servers: %w", err)
	}
	out := []Server{}
	for _, s := range list {
		if !strings.HasPrefix(s.Name, prefix) { // Nova's name filter is a regex search; be exact
			continue
		}
		out = append(out, Server{ID: s.ID, Name: s.Name, Status: s.Status, IP: firstIP(s.Addresses), Metadata: s.Metadata,
			Created: s.Created, Fault: s.Fault.Message})
	}
	return out, nil
}

func firstIP(addrs map[string]any) string {
	for _, v := range addrs {
		list, _ := v.([]any)
		for _, a := range list {
			if m, ok := a.(map[string]any); ok {
				if ip, _ := m["addr"].(string); ip != "" {
					return ip
				}
			}
		}
	}
	return ""
}

func (c *cloudClient) CreateServer(ctx context.Context, spec ServerSpec) (Server, error) {
	ctx = transport.WithOperation(ctx, "servers.create")
	nova, glance, err := c.clients(ctx)
	if err != nil {
		return Server{}, err
	}
	flavor, err := c.flavor(ctx, nova, spec.Flavor)
	if err != nil {
		return Server{}, err
	}
	imageID, err := c.imageRef(ctx, glance, spec.Image)
	if err != nil {
		return Server{}, err
	}
	opts := servers.CreateOpts{Name: spec.Name, FlavorRef: flavor.ID, ImageRef: imageID, SecurityGroups: spec.SecurityGroups,
		Metadata: spec.Metadata, UserData: spec.UserData, AvailabilityZone: spec.AvailabilityZone}
	if len(spec.Networks) > 0 {
		var nets []servers.Network
		for _, n := range spec.Networks {
			nets = append(nets, servers.Network{UUID: n})
		}
		opts.Networks = nets
	}
	if spec.VolumeSizeGB > 0 {
		// A blank data volume that Nova deletes with the server: a
		// deleted agent can never leak its volume.
		opts.BlockDevice = []servers.BlockDevice{
			{SourceType: servers.SourceImage, UUID: imageID, DestinationType: servers.DestinationLocal, BootIndex: 0, DeleteOnTermination: true},
			{SourceType: servers.SourceBlank, DestinationType: servers.DestinationVolume, VolumeSize: spec.VolumeSizeGB, BootIndex: -1, DeleteOnTermination: true},
		}
	}
	var builder servers.CreateOptsBuilder = opts
	if spec.KeyName != "" {
		builder = keypairs.CreateOptsExt{CreateOptsBuilder: opts, KeyName: spec.KeyName}
	}
	// Forgotten before and after, whatever the outcome: a create whose
	// reply is lost may have made the server all the same.
	c.list.Forget()
	defer c.list.Forget()
	s, err := servers.Create(ctx, nova, builder, nil).Extract()
	if err != nil {
		if (gophercloud.ResponseCodeIs(err, http.StatusForbidden) || gophercloud.ResponseCodeIs(err, http.StatusRequestEntityTooLarge)) &&
			strings.Contains(err.Error(), "Quota exceeded") {
			return Server{}, fmt.Errorf("nova: creating %s: %w: %v", spec.Name, ErrQuota, err)
		}
		return Server{}, fmt.Errorf("nova: creating %s: %w", spec.Name, err)
	}
	return Server{ID: s.ID, Name: spec.Name, Status: "BUILD", Metadata: spec.Metadata}, nil
}

func (c *cloudClient) DeleteServer(ctx context.Context, id string) error {
	ctx = transport.WithOperation(ctx, "servers.delete")
	nova, _, err := c.clients(ctx)
	if err != nil {
		return err
	}
	c.list.Forget()
	defer c.list.Forget()
	err = servers.Delete(ctx, nova, id).ExtractErr()
	if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return fmt.Errorf("nova: deleting server %s: %w", id, err)
	}
	return nil
}

func (c *cloudClient) Room(ctx context.Context, flavorName string) (int, string, error) {
	ctx = transport.WithOperation(ctx, "limits.get")
	nova, _, err := c.clients(ctx)
	if err != nil {
		return 0, "", err
	}
	f, err := c.flavor(ctx, nova, flavorName)
	if err != nil {
		return 0, "", err
	}
	l, err := limits.Get(ctx, nova, nil).Extract()
	if err != nil {
		return 0, "", fmt.Errorf("nova: reading limits: %w", err)
	}
	a := l.Absolute
	room, why := a.MaxTotalInstances-a.TotalInstancesUsed, fmt.Sprintf("instances (%d of %d used)", a.TotalInstancesUsed, a.MaxTotalInstances)
	if f.VCPUs > 0 {
		if n := (a.MaxTotalCores - a.TotalCoresUsed) / f.VCPUs; n < room {
			room, why = n, fmt.Sprintf("cores (%d of %d used, %d per agent)", a.TotalCoresUsed, a.MaxTotalCores, f.VCPUs)
		}
	}
	if f.RAM > 0 {
		if n := (a.MaxTotalRAMSize - a.TotalRAMUsed) / f.RAM; n < room {
			room, why = n, fmt.Sprintf("ram (%d of %d MiB used, %d per agent)", a.TotalRAMUsed, a.MaxTotalRAMSize, f.RAM)
		}
	}
	return max(room, 0), why, nil
}

// flavor resolves a template's flavor by id or name.
func (c *cloudClient) flavor(ctx context.Context, nova *gophercloud.ServiceClient, ref string) (flavors.Flavor, error) {
	pages, err := flavors.ListDetail(nova, nil).AllPages(transport.WithOperation(ctx, "flavors.list"))
	if err != nil {
		return flavors.Flavor{}, fmt.Errorf("nova: listing flavors: %w", err)
	}
	list, err := flavors.ExtractFlavors(pages)
	if err != nil {
		return flavors.Flavor{}, err
	}
	for _, f := range list {
		if f.ID == ref || f.Name == ref {
			return f, nil
		}
	}
	return flavors.Flavor{}, &specError{field: "spec.template.flavor", err: fmt.Errorf("openstack %s has no flavor %q", c.cfg.Name, ref)}
}

// imageRef resolves a template's image by id or name through Glance.
func (c *cloudClient) imageRef(ctx context.Context, glance *gophercloud.ServiceClient, ref string) (string, error) {
	pages, err := images.List(glance, images.ListOpts{}).AllPages(transport.WithOperation(ctx, "images.list"))
	if err != nil {
		return "", fmt.Errorf("glance: listing images: %w", err)
	}
	list, err := images.ExtractImages(pages)
	if err != nil {
		return "", err
	}
	for _, im := range list {
		if im.ID == ref || im.Name == ref {
			return im.ID, nil
		}
	}
	return "", &specError{field: "spec.template.image", err: fmt.Errorf("openstack %s has no image %q", c.cfg.Name, ref)}
}
