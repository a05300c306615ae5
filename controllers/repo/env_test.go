package repo_test

// The world of the controller tests: the real store on an embedded etcd,
// the controller under a reconcile.Manager, and three simulated chacra
// nodes over HTTP, to which the tests upload as a Jenkins job does.

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/controllers/repo"
	"minka/reconcile"
	"minka/sim/chacra"
	"minka/store"
	"minka/store/storetest"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

// clock is the controller's clock: real time plus an offset a test moves
// forward, so that minutes of buildTimeout pass in an instant.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

type env struct {
	t       *testing.T
	st      *store.Store
	etcd    *store.Etcd
	cluster *chacra.Cluster
	cfg     backend.Config
	clock   *clock
	reg     *prometheus.Registry
	stop    func()
}

func newEnv(t *testing.T, o chacra.Options) *env {
	t.Helper()
	st, e := storetest.Store(t)
	c := chacra.NewCluster(3, o)
	t.Cleanup(c.Close)
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ch := backend.Chacra{Name: "default", User: "admin", Key: backend.Secret{File: keyFile},
		Timeout: metav1.Duration{Duration: 2 * time.Second}, HealthInterval: metav1.Duration{Duration: 100 * time.Millisecond}}
	for _, n := range c.Nodes {
		ch.Nodes = append(ch.Nodes, backend.ChacraNode{Name: n.Name(), URL: n.URL()})
	}
	en := &env{t: t, st: st, etcd: e, cluster: c, cfg: backend.Config{Chacra: []backend.Chacra{ch}}, clock: &clock{}, reg: prometheus.NewRegistry()}
	en.start()
	t.Cleanup(func() { en.stop() })
	return en
}

// start runs the controller (again, after stop: a restart, with a new
// pool that has forgotten which node it handed out last).
func (en *env) start() {
	en.t.Helper()
	en.reg = prometheus.NewRegistry() // a new process's
	setup, err := repo.New(repo.Options{Backends: en.cfg, Poll: 50 * time.Millisecond, ReadyPoll: 300 * time.Millisecond,
		RetryBackoff: time.Minute, Log: logr.Discard(), Now: en.clock.Now, Registry: en.reg})
	if err != nil {
		en.t.Fatal(err)
	}
	m := reconcile.NewManager(en.st, en.etcd.Client, reconcile.ManagerOptions{Controllers: []string{"all"}, Workers: 2, Log: logr.Discard()})
	m.Register(repo.Name, setup)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Start(ctx) }()
	en.stop = func() { cancel(); <-done; en.stop = func() {} }
}

func newRepo(name string, distros ...string) *v1alpha1.Repo {
	r := &v1alpha1.Repo{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Spec: v1alpha1.RepoSpec{Project: "ceph", Ref: "main", SHA1: sha}}
	for _, d := range distros {
		p := strings.Split(d, "/")
		r.Spec.Distros = append(r.Spec.Distros, v1alpha1.Distro{Distro: p[0], Version: p[1]})
	}
	return r
}

func (en *env) create(r *v1alpha1.Repo) {
	en.t.Helper()
	if _, err := en.st.Create(context.Background(), r); err != nil {
		en.t.Fatal(err)
	}
}

var repoKind, _ = v1alpha1.KindFor("Repo")

func (en *env) get(name string) *v1alpha1.Repo {
	obj, err := en.st.Get(context.Background(), repoKind, "default", name)
	if err != nil {
		return nil
	}
	return obj.(*v1alpha1.Repo)
}

// wait polls the Repo until cond holds, failing with its status and
// events after a generous deadline.
func (en *env) wait(name, what string, cond func(r *v1alpha1.Repo) bool) *v1alpha1.Repo {
	en.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := en.get(name)
		if r != nil && cond(r) {
			return r
		}
		if time.Now().After(deadline) {
			en.t.Fatalf("%s: never %s; status: %s\nevents:\n%s", name, what, describe(r), en.events())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (en *env) waitFor(what string, cond func() bool) {
	en.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			en.t.Fatalf("never %s\nevents:\n%s", what, en.events())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func describe(r *v1alpha1.Repo) string {
	if r == nil {
		return "<gone>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "node=%s", r.Status.Node)
	for _, c := range r.Status.Conditions {
		fmt.Fprintf(&b, "\n  %s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message)
	}
	for _, d := range r.Status.Distros {
		fmt.Fprintf(&b, "\n  %s/%s/%s %s %s builds=%d retries=%d bins=%d: %s", d.Distro, d.Version, d.Arch, d.State, d.Reason, d.Builds, d.Retries, d.Binaries, d.Message)
	}
	return b.String()
}

func (en *env) events() string { return storetest.Events(en.st, "default") }

func distro(r *v1alpha1.Repo, name string) *v1alpha1.DistroState {
	for i := range r.Status.Distros {
		d := &r.Status.Distros[i]
		if d.Distro+"/"+d.Version == name {
			return d
		}
	}
	return nil
}

func state(name, want string) func(*v1alpha1.Repo) bool {
	return func(r *v1alpha1.Repo) bool { d := distro(r, name); return d != nil && d.State == want }
}

func ready(r *v1alpha1.Repo) bool {
	for _, c := range r.Status.Conditions {
		if c.Type == repo.CondReady {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

func cond(r *v1alpha1.Repo, typ string) metav1.Condition {
	for _, c := range r.Status.Conditions {
		if c.Type == typ {
			return c
		}
	}
	return metav1.Condition{}
}

// upload POSTs one binary to a node as a Jenkins job does (multipart,
// field "file", basic auth), and wants 201 or 200.
func upload(t *testing.T, base, distroVersion, name, content string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.WriteField("force", "true")
	mw.Close()
	u := fmt.Sprintf("%s/binaries/ceph/main/%s/%s/x86_64/", base, sha, distroVersion)
	req, _ := http.NewRequest(http.MethodPost, u, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth("admin", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("upload %s: %s", u, resp.Status)
	}
}

func uri(distroVersion string) string {
	return "ceph/main/" + sha + "/" + distroVersion + "/flavors/default"
}

func (en *env) node(r *v1alpha1.Repo) *chacra.Node {
	en.t.Helper()
	n := en.cluster.Node(r.Status.Node)
	if n == nil {
		en.t.Fatalf("status.node %q is not a simulator node", r.Status.Node)
	}
	return n
}

func transitions(d *v1alpha1.DistroState) string {
	var s []string
	for _, tr := range d.Transitions {
		s = append(s, tr.State)
	}
	return strings.Join(s, " → ")
}

// metric sums the samples of a metric whose labels include match.
func (en *env) metric(name string, match map[string]string) float64 {
	en.t.Helper()
	mfs, err := en.reg.Gather()
	if err != nil {
		en.t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range match {
				if labels[k] != v {
					continue next
				}
			}
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}
