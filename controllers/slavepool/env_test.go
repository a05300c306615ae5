package slavepool_test

// The world of the in-process controller tests: the real store on an
// embedded etcd, the controller under a reconcile.Manager, and the
// simulated Jenkins and OpenStack over HTTP, driven by gojenkins' client
// and gophercloud inside the controller.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/controllers/slavepool"
	"minka/reconcile"
	"minka/sim/fault"
	"minka/sim/jenkins"
	simos "minka/sim/openstack"
	"minka/sim/world"
	"minka/store"
	"minka/store/storetest"
)

// createCounter counts the create calls that reach a simulator, by the
// name they create: with a lost-reply fault every one of them is applied.
type createCounter struct {
	mu     sync.Mutex
	byName map[string]int
	lost   int // creates whose reply never left the simulator
}

func (c *createCounter) wrap(h http.Handler, isCreate func(*http.Request) bool, name func(*http.Request, []byte) string) http.Handler {
	return fault.Observe(h, isCreate, func(r *http.Request, body []byte, replied bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.byName[name(r, body)]++
		if !replied {
			c.lost++
		}
	})
}

func (c *createCounter) twice() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for n, k := range c.byName {
		if k > 1 {
			out = append(out, fmt.Sprintf("%s×%d", n, k))
		}
	}
	sort.Strings(out)
	return out
}

func (c *createCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.byName {
		n += k
	}
	return n
}

// simWorld is a simulated Jenkins and one or more OpenStack clouds joined
// in one world, with create counters in front of them, and the backends
// config naming them "default", "cloud-1", ...
type simWorld struct {
	jenkins     *jenkins.Server
	clouds      []*simos.Cloud
	novaCreates createCounter // of the first cloud
	nodeCreates createCounter
	backends    backend.Config
	cloudsFiles []string
	stop        func()
}

func startWorld(t *testing.T, seed int64, clouds int) *simWorld {
	t.Helper()
	jk := jenkins.New(jenkins.Options{Seed: seed + 1000}) // its own draws, not the cloud's
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	sw := &simWorld{jenkins: jk}
	sw.novaCreates.byName, sw.nodeCreates.byName = map[string]int{}, map[string]int{}
	js := httptest.NewServer(sw.nodeCreates.wrap(jk,
		func(r *http.Request) bool {
			return r.Method == http.MethodPost && r.URL.Path == "/computer/doCreateItem"
		},
		func(r *http.Request, body []byte) string {
			if n := r.URL.Query().Get("name"); n != "" {
				return n
			}
			v, _ := url.ParseQuery(string(body))
			return v.Get("name")
		}))
	closers := []func(){js.Close, jk.Close}
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	_ = os.WriteFile(token, []byte("token\n"), 0o600)
	// YAML, as the server config is: fields a build does not know are
	// ignored, so this test also runs against older code.
	cfg := fmt.Sprintf("jenkins:\n- {name: default, url: %s, user: admin, token: {file: %s}, timeout: 300ms}\nopenstack:\n", js.URL, token)
	for i := 0; i < clouds; i++ {
		cloud := simos.New(simos.Options{BootDelay: 50 * time.Millisecond, Seed: seed + int64(i)})
		w := world.New(cloud, jk)
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx, 10*time.Millisecond) }()
		var h http.Handler = cloud
		if i == 0 {
			h = sw.novaCreates.wrap(cloud,
				func(r *http.Request) bool {
					return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/servers")
				},
				func(_ *http.Request, body []byte) string {
					var b struct {
						Server struct{ Name string } `json:"server"`
					}
					_ = json.Unmarshal(body, &b)
					return b.Server.Name
				})
		}
		cs := httptest.NewServer(h)
		cloud.SetBaseURL(cs.URL)
		closers = append(closers, cloud.Close, cs.Close)
		file := filepath.Join(dir, fmt.Sprintf("clouds-%d.yaml", i))
		if err := cloud.WriteCloudsYAML(file); err != nil {
			t.Fatal(err)
		}
		name := "default"
		if i > 0 {
			name = fmt.Sprintf("cloud-%d", i)
		}
		cfg += fmt.Sprintf("- {name: %s, cloud: minka-sim, cloudsFile: %s, timeout: 300ms}\n", name, file)
		sw.clouds = append(sw.clouds, cloud)
		sw.cloudsFiles = append(sw.cloudsFiles, file)
	}
	if err := yaml.Unmarshal([]byte(cfg), &sw.backends); err != nil {
		t.Fatal(err)
	}
	sw.stop = func() {
		cancel()
		wg.Wait()
		for _, c := range closers {
			c()
		}
	}
	return sw
}

func runController(t *testing.T, st *store.Store, e *store.Etcd, b backend.Config) func() {
	t.Helper()
	setup, err := slavepool.New(slavepool.Options{Backends: b, Poll: 200 * time.Millisecond, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	m := reconcile.NewManager(st, e.Client, reconcile.ManagerOptions{Controllers: []string{"all"}, Workers: 2, Log: logr.Discard()})
	m.Register(slavepool.Name, setup)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Start(ctx) }()
	return func() { cancel(); <-done }
}

func newPool(ns, name, cloud string, replicas int32) *v1alpha1.SlavePool {
	return &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SlavePoolSpec{Jenkins: "default", Cloud: cloud, Labels: []string{name}, Executors: 1, Replicas: &replicas,
			Template: v1alpha1.ServerTemplate{Image: "ubuntu-trusty", Flavor: "m1.small"}}}
}

var poolKind, _ = v1alpha1.KindFor("SlavePool")

func getPool(st *store.Store, ns, name string) *v1alpha1.SlavePool {
	obj, err := st.Get(context.Background(), poolKind, ns, name)
	if err != nil {
		return nil
	}
	return obj.(*v1alpha1.SlavePool)
}

// eventsOf lists a namespace's events, oldest first, for a failure's message.
func eventsOf(st *store.Store, ns string) string { return storetest.Events(st, ns) }

type simServer struct {
	ID, Name string
	Metadata map[string]string
}

// createServer boots a server like s in the first cloud through
// gophercloud, as another client (or a lost create) would, and returns
// its id.
func createServer(t *testing.T, sw *simWorld, s simServer) string {
	t.Helper()
	ctx := context.Background()
	ao, eo, _, err := clouds.Parse(clouds.WithCloudName("minka-sim"), clouds.WithLocations(sw.cloudsFiles[0]))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := openstack.AuthenticatedClient(ctx, ao)
	if err != nil {
		t.Fatal(err)
	}
	nova, err := openstack.NewComputeV2(pc, eo)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := flavors.ListDetail(nova, nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := flavors.ExtractFlavors(fl)
	im, err := images.List(mustImageClient(t, pc, eo), nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	is, _ := images.ExtractImages(im)
	out, err := servers.Create(ctx, nova, servers.CreateOpts{Name: s.Name, FlavorRef: fs[0].ID, ImageRef: is[0].ID, Metadata: s.Metadata}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	return out.ID
}

func mustImageClient(t *testing.T, pc *gophercloud.ProviderClient, eo gophercloud.EndpointOpts) *gophercloud.ServiceClient {
	t.Helper()
	c, err := openstack.NewImageV2(pc, eo)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
