package chacra_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/backend"
	"minka/backend/chacra"
	simchacra "minka/sim/chacra"
)

func newPool(t *testing.T, c *simchacra.Cluster) *chacra.Pool {
	t.Helper()
	t.Setenv("CHACRA_TEST_KEY", "secret")
	cfg := backend.Chacra{Name: "default", User: "admin", Key: backend.Secret{Env: "CHACRA_TEST_KEY"},
		HealthInterval: metav1.Duration{Duration: time.Hour}, RegisterScheme: "http"}
	for _, n := range c.Nodes {
		cfg.Nodes = append(cfg.Nodes, backend.ChacraNode{Name: n.Name(), URL: n.URL()})
	}
	p, err := chacra.NewPool(cfg, chacra.Options{Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNextIsLeastRecentlyUsed: 30 calls, 10 each, even when they come at
// once; a node that fails its check is skipped at once and back with the
// first check that passes.
func TestNextIsLeastRecentlyUsed(t *testing.T) {
	c := simchacra.NewCluster(3, simchacra.Options{})
	defer c.Close()
	p := newPool(t, c)
	ctx := context.Background()
	var mu sync.Mutex
	count := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := p.Next(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			count[n.Name]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, n := range c.Nodes {
		if count[n.Name()] != 10 {
			t.Errorf("30 concurrent Next: %v, want 10 each", count)
			break
		}
	}
	var flips []string
	cancel := p.Subscribe(func(n chacra.Node) {
		flips = append(flips, n.Name+"="+map[bool]string{true: "up", false: "down"}[n.Healthy])
	})
	defer cancel()
	c.Nodes[1].FailHealth(true)
	for i := 0; i < 6; i++ {
		if n, _ := p.Next(ctx); n.Name == "chacra2" {
			t.Fatalf("Next #%d handed out chacra2, which fails its health check", i)
		}
	}
	n, _ := p.Node("chacra2")
	if n.Healthy || n.DownCount != 1 || !strings.Contains(n.LastError, "500") {
		t.Errorf("chacra2 after a failed live check: %+v", n)
	}
	c.Nodes[1].FailHealth(false)
	p.CheckAll(ctx)
	if n, _ := p.Node("chacra2"); !n.Healthy || n.DownCount != 0 {
		t.Errorf("chacra2 after a passing check: %+v", n)
	}
	if strings.Join(flips, ",") != "chacra2=down,chacra2=up" {
		t.Errorf("subscribers saw %v, want chacra2 down then up", flips)
	}
	for _, nd := range c.Nodes {
		nd.MarkDown(true)
	}
	if _, err := p.Next(ctx); !errors.Is(err, chacra.ErrNoHealthyNode) {
		t.Errorf("Next with every node down: %v, want ErrNoHealthyNode", err)
	}
}

// TestRegisterAndLearn: a registered host is checked at once and handed
// out; a callback's chacra_url names a known node by its URL, or adds one.
func TestRegisterAndLearn(t *testing.T) {
	c := simchacra.NewCluster(1, simchacra.Options{})
	defer c.Close()
	extra := simchacra.NewCluster(1, simchacra.Options{Name: "extra"})
	defer extra.Close()
	p := newPool(t, c)
	u, _ := url.Parse(extra.Nodes[0].URL())
	n, err := p.Register(context.Background(), u.Host)
	if err != nil || !n.Healthy || n.URL != "http://"+u.Host || n.Configured {
		t.Fatalf("Register(%s): %+v %v", u.Host, n, err)
	}
	if _, err := p.Register(context.Background(), "bad/host"); err == nil {
		t.Error("Register accepted a host with a slash")
	}
	name, err := p.Learn(c.Nodes[0].URL() + "/repos/hello/main/x/ubuntu/jammy/flavors/default/")
	if err != nil || name != "chacra1" {
		t.Errorf("Learn of a configured node's URL: %q %v, want chacra1", name, err)
	}
	name, err = p.Learn("https://chacra9.example.com/repos/hello/")
	if err != nil || name != "chacra9.example.com" {
		t.Errorf("Learn of a new node: %q %v", name, err)
	}
	if _, err := p.Learn("ftp://x/"); err == nil {
		t.Error("Learn accepted an ftp URL")
	}
	if got := len(p.Nodes()); got != 3 {
		t.Errorf("%d nodes, want 3 (configured, registered, learned)", got)
	}
}
