package openstack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/limits"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// env is one simulated cloud behind a real HTTP server, and gophercloud
// authenticated against it.
type env struct {
	cloud *Cloud
	pc    *gophercloud.ProviderClient
	clk   *clock // nil when opts.Now was given
	base  string
}

func setup(t *testing.T, opts Options) env {
	t.Helper()
	e := env{}
	if opts.Now == nil {
		e.clk = &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
		opts.Now = e.clk.Now
	}
	e.cloud = New(opts)
	hs := httptest.NewServer(e.cloud.Handler())
	t.Cleanup(func() { e.cloud.Close(); hs.Close() })
	e.cloud.SetBaseURL(hs.URL)
	e.base = hs.URL
	pc, err := openstack.AuthenticatedClient(context.Background(), authOpts(hs.URL+"/identity/v3", "secret"))
	if err != nil {
		t.Fatalf("gophercloud auth: %v", err)
	}
	e.pc = pc
	return e
}

func authOpts(endpoint, password string) gophercloud.AuthOptions {
	return gophercloud.AuthOptions{IdentityEndpoint: endpoint, Username: "minka", Password: password,
		DomainName: "Default", TenantName: "ci"}
}

func (e env) nova(t *testing.T) *gophercloud.ServiceClient {
	t.Helper()
	sc, err := openstack.NewComputeV2(e.pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatalf("NewComputeV2: %v", err)
	}
	return sc
}

func TestAuth(t *testing.T) {
	e := setup(t, Options{})
	cases := []struct {
		name, endpoint, password string
		wantCode                 int // 0: success
	}{
		{"versioned /identity/v3", e.base + "/identity/v3", "secret", 0},
		{"unversioned /identity (GET / discovery first)", e.base + "/identity", "secret", 0},
		{"trailing slash", e.base + "/identity/v3/", "secret", 0},
		{"wrong password", e.base + "/identity/v3", "wrong", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pc, err := openstack.AuthenticatedClient(context.Background(), authOpts(tc.endpoint, tc.password))
			switch {
			case tc.wantCode == 0 && (err != nil || pc.Token() == ""):
				t.Fatalf("auth: %v", err)
			case tc.wantCode != 0 && !gophercloud.ResponseCodeIs(err, tc.wantCode):
				t.Fatalf("auth: %v, want %d", err, tc.wantCode)
			}
		})
	}
	for _, path := range []string{"/compute/v2.1/servers", "/volume/v3/" + e.cloud.ProjectID() + "/volumes", "/image/v2/images"} {
		resp, err := http.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Keystone uri=") {
			t.Errorf("GET %s without a token: %d %q, want 401 with WWW-Authenticate", path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestCatalogueReads(t *testing.T) {
	e := setup(t, Options{})
	ctx := context.Background()
	nova := e.nova(t)
	pages, err := flavors.ListDetail(nova, nil).AllPages(ctx)
	if err != nil {
		t.Fatalf("flavors.ListDetail: %v", err)
	}
	if fl, err := flavors.ExtractFlavors(pages); err != nil || len(fl) != 3 || fl[2].Name != "m1.large" || fl[2].VCPUs != 4 {
		t.Errorf("flavors: %v %+v", err, fl)
	}
	if f, err := flavors.Get(ctx, nova, "2").Extract(); err != nil || f.RAM != 4096 {
		t.Errorf("flavors.Get: %v %+v", err, f)
	}
	kp, err := keypairs.List(nova, nil).AllPages(ctx)
	if err != nil {
		t.Fatalf("keypairs.List: %v", err)
	}
	if ks, err := keypairs.ExtractKeyPairs(kp); err != nil || len(ks) != 1 || ks[0].Name != "jenkins" {
		t.Errorf("keypairs: %v %+v", err, ks)
	}
	glance, err := openstack.NewImageV2(e.pc, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatalf("NewImageV2 (Glance's 300 version document): %v", err)
	}
	for _, tc := range []struct {
		name string
		want int
	}{{"", 2}, {"centos7", 1}, {"nope", 0}} {
		pages, err := images.List(glance, images.ListOpts{Name: tc.name}).AllPages(ctx)
		if err != nil {
			t.Fatalf("images.List %q: %v", tc.name, err)
		}
		if ims, err := images.ExtractImages(pages); err != nil || len(ims) != tc.want {
			t.Errorf("images named %q: %v %d, want %d", tc.name, err, len(ims), tc.want)
		}
	}
}

func TestCloudsYAML(t *testing.T) {
	e := setup(t, Options{})
	path := filepath.Join(t.TempDir(), "clouds.yaml")
	if err := e.cloud.WriteCloudsYAML(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"auth_url: " + e.base + "/identity/v3", "username: minka", "password: secret", "project_name: ci", "user_domain_name: Default"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("clouds.yaml lacks %q:\n%s", want, b)
		}
	}
	if err := New(Options{}).WriteCloudsYAML(path); err == nil {
		t.Error("WriteCloudsYAML without a base URL: no error")
	}
}

func TestLimits(t *testing.T) {
	e := setup(t, Options{Quota: Quota{Instances: 3, Cores: 10, RAM: 10000, Volumes: 1, Gigabytes: 1}})
	ctx := context.Background()
	nova := e.nova(t)
	if _, err := servers.Create(ctx, nova, servers.CreateOpts{Name: "a", FlavorRef: "2", ImageRef: "centos7"}, nil).Extract(); err != nil {
		t.Fatal(err)
	}
	lim, err := limits.Get(ctx, nova, nil).Extract()
	if err != nil {
		t.Fatalf("limits.Get: %v", err)
	}
	a := lim.Absolute
	if a.MaxTotalInstances != 3 || a.MaxTotalCores != 10 || a.MaxTotalRAMSize != 10000 ||
		a.TotalInstancesUsed != 1 || a.TotalCoresUsed != 2 || a.TotalRAMUsed != 4096 {
		t.Errorf("limits: %+v", a)
	}
}
