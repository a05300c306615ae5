package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/client"
	"minka/sim/chacra"
	"minka/sim/jenkins"
	simmarathon "minka/sim/marathon"
	simos "minka/sim/openstack"
	"minka/sim/world"
	"minka/store"
	"minka/store/storetest"
	"minka/test/e2e"
)

// The population of BenchmarkScaleAtRest (issue 19, "Scale at rest").
const (
	scaleDeployments = 10000
	scalePools       = 1000
	scaleRepos       = 10000
	scalePipelines   = 100 // each with scaleBuilds/scalePipelines finished Builds
	scaleBuilds      = 10000
	scaleWindow      = 60 * time.Second
	scaleWatchers    = 100
)

// BenchmarkScaleAtRest: 10,000 Deployments (their Marathon apps healthy),
// 1,000 autoscaled SlavePools with nothing queued, 10,000 Repos Ready on
// chacra and 10,000 finished Builds (of 100 Pipelines) in one server with
// every controller, against the simulators `minka dev` uses. It prints,
// each beside its target: etcd writes and server CPU over 60 s at rest,
// RSS per object beside the same server's RSS with no objects, `minka get
// deploy -A` p99, restart until every informer is synced, and the delay
// from a write to each of 100 watchers. `make bench-scale`.
//
// Loading: the objects are created with the store's own Create (the
// stored encoding, uid, managedFields and defaults exactly as the API
// makes them) from this process at 32-way, before the server starts;
// the server then lists them as it would after a restart, and the
// controllers converge them: they create the Marathon apps and write the
// Deployments' and Repos' status. The Builds' terminal status (Succeeded)
// is written with the store's UpdateStatus, as the Build controller
// would after Jenkins finished them; the simulated Jenkins never ran them.
// The chacra binaries are uploaded through chacra's API first, so each
// Repo's repository exists (built) on the node it is pinned to.
func BenchmarkScaleAtRest(b *testing.B) {
	if os.Getenv("MINKA_BENCH_SCALE") == "" {
		b.Skip("about 10 minutes: run it with make bench-scale (MINKA_BENCH_SCALE=1)")
	}
	for iter := 0; iter < b.N; iter++ {
		scaleAtRest(b)
	}
}

func scaleAtRest(b *testing.B) {
	w := startScaleWorld(b)
	e := storetest.Etcd(b)
	bin := plainBinary(b)
	args := []string{"--etcd-endpoints", e.Endpoints[0], "--config", w.config, "--profiling"}
	ctx := context.Background()

	// The same server over the same etcd with nothing in it, for RSS.
	empty := e2e.StartServer(b, bin, args...)
	waitSynced(b, empty, time.Now(), time.Minute)
	waitAtRest(b, e.Client, 3*time.Second, time.Minute)
	rss0 := rssBytes(empty.Pid())
	_ = empty.Stop(b)

	start := time.Now()
	st := store.New(e.Client, store.Options{})
	counts := w.load(b, st)
	total := 0
	for _, n := range counts {
		total += n
	}
	b.Logf("loaded %d objects (%v) in %v", total, counts, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	s := e2e.StartServer(b, bin, args...)
	w.attach(s)
	waitSynced(b, s, start, 5*time.Minute)
	b.Logf("first start over %d objects: informers synced after %v", total, time.Since(start).Round(time.Millisecond))
	settled := waitAtRest(b, e.Client, 5*time.Second, 15*time.Minute)
	b.Logf("converged and at rest (revision still for 5 s) %v after the start", time.Since(start).Round(time.Second))
	w.checkConverged(b, s)

	// 60 s at rest: etcd revision, server CPU, who wrote, who reconciled,
	// what the simulators were asked.
	if f := os.Getenv("MINKA_BENCH_CPUPROFILE"); f != "" {
		go saveProfileFor(b, s, f, 30)
	}
	writes := watchWrites(ctx, e.Client, settled)
	rec0 := reconcileCounts(b, s)
	w.requests.reset()
	r0 := revision(ctx, e.Client)
	c0 := cpuSeconds(s.Pid())
	time.Sleep(scaleWindow)
	c1 := cpuSeconds(s.Pid())
	r1 := revision(ctx, e.Client)
	rss := rssBytes(s.Pid())
	rec1 := reconcileCounts(b, s)
	who := writes()
	cpuPct := (c1 - c0) / scaleWindow.Seconds() * 100
	b.ReportMetric(float64(r1-r0), "etcd-writes/60s")
	b.ReportMetric(cpuPct, "server-cpu-%")
	b.Logf("at rest %v over %d objects: etcd revision +%d (target 0); server CPU %.2f%% of a core (target < 1%%)", scaleWindow, total, r1-r0, cpuPct)
	if len(who) > 0 {
		b.Logf("etcd writes at rest by key: %s", who)
	}
	b.Logf("reconciles at rest by controller/result: %s", diffCounts(rec0, rec1))
	b.Logf("simulator requests at rest: %s", w.requests.String())
	if f := os.Getenv("MINKA_BENCH_HEAPPROFILE"); f != "" {
		saveURL(b, s.URL+"/debug/pprof/heap?gc=1", f)
	}
	perObj := float64(rss-rss0) / float64(total)
	b.ReportMetric(perObj, "rss-bytes/object")
	b.Logf("RSS %.1f MiB with %d objects, %.1f MiB with none (same server, same run): (RSS-RSS0)/objects %.0f B (target < 4096 B); RSS/objects %.0f B",
		mib(rss), total, mib(rss0), perObj, float64(rss)/float64(total))

	// `minka get deploy -A`, the real binary, as a user runs it.
	var gets []time.Duration
	lines := 0
	for i := 0; i < 20; i++ {
		t0 := time.Now()
		out, errOut, code := e2e.Minka(b, bin, s, "", "get", "deploy", "-A")
		gets = append(gets, time.Since(t0))
		if code != 0 {
			b.Fatalf("get deploy -A: exit %d: %s", code, errOut)
		}
		lines = strings.Count(out, "\n")
	}
	p50, p99 := percentiles(gets)
	b.ReportMetric(float64(p99.Milliseconds()), "get-deploy-A-p99-ms")
	b.Logf("`minka get deploy -A` (%d lines), 20 runs: p50 %v, p99 %v (target < 1 s)", lines, p50.Round(time.Millisecond), p99.Round(time.Millisecond))

	wp50, wp99, wmax := watchLatency(b, s)
	b.ReportMetric(float64(wp99.Microseconds())/1000, "watch-p99-ms")
	b.Logf("%d watchers of every Deployment, 20 writes each (from sending the write to the event): p50 %v, p99 %v, max %v (target p99 < 50 ms)",
		scaleWatchers, wp50.Round(10*time.Microsecond), wp99.Round(10*time.Microsecond), wmax.Round(10*time.Microsecond))

	// Restart: kill -9, start again over the same etcd, until every
	// informer has synced (the manager's "controllers running" line).
	_ = s.Kill()
	t0 := time.Now()
	s2 := e2e.StartServer(b, bin, append(args, "--leader-elect=false")...)
	synced := waitSynced(b, s2, t0, 2*time.Minute)
	b.ReportMetric(synced.Seconds(), "restart-to-synced-s")
	b.Logf("restart (kill -9, start, %d objects) until every informer synced: %v (target < 5 s)", total, synced.Round(time.Millisecond))
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// scaleWorld is the simulators and the server config naming them.
type scaleWorld struct {
	marathon *simmarathon.Cluster
	chacra   *chacra.Cluster
	config   string
	requests *requestCounter
}

func startScaleWorld(b *testing.B) *scaleWorld {
	dir := b.TempDir()
	rc := &requestCounter{counts: map[string]int{}}
	mc := simmarathon.New(simmarathon.Options{StageDelay: time.Nanosecond, HealthDelay: time.Nanosecond,
		Agents: []simmarathon.Agent{{ID: "big-S1", Hostname: "10.0.9.1", Cpus: 100000, Mem: 1 << 30, Disk: 1 << 30, PortsLo: 31000, PortsHi: 31999}}})
	jk := jenkins.New(jenkins.Options{User: "admin", Token: "token"})
	cloud := simos.New(simos.Options{Quota: simos.Quota{Instances: 100, Cores: 1000, RAM: 1 << 24, Volumes: 100, Gigabytes: 10000}})
	wld := world.New(cloud, jk)
	wld.Tickers = append(wld.Tickers, mc.Tick)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); wld.Run(ctx, 100*time.Millisecond) }()
	ms := httptest.NewServer(rc.wrap("marathon", mc.Marathon()))
	mes := httptest.NewServer(rc.wrap("mesos", mc.Mesos()))
	js := httptest.NewServer(rc.wrap("jenkins", jk))
	cs := httptest.NewServer(rc.wrap("openstack", cloud))
	cloud.SetBaseURL(cs.URL)
	cl := chacra.NewCluster(3, chacra.Options{CallbackRetryDelay: -1})
	b.Cleanup(func() {
		cancel()
		<-done
		ms.Close()
		mes.Close()
		js.Close()
		cs.Close()
		mc.Close()
		jk.Close()
		cloud.Close()
		cl.Close()
	})
	clouds := filepath.Join(dir, "clouds.yaml")
	if err := cloud.WriteCloudsYAML(clouds); err != nil {
		b.Fatal(err)
	}
	for name, v := range map[string]string{"jenkins-token": "token", "chacra-key": "secret", "shaman-key": "shaman-key"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	var nodes []string
	for _, n := range cl.Nodes {
		nodes = append(nodes, fmt.Sprintf("{name: %s, url: %q}", n.Name(), n.URL()))
	}
	body := fmt.Sprintf(`backends:
  marathon:
  - {name: default, urls: [%s], mesosURL: %s}
  jenkins:
  - {name: default, url: %s, user: admin, token: {file: %s}, timeout: 5s}
  openstack:
  - {name: default, cloud: minka-sim, cloudsFile: %s}
  chacra:
  - {name: default, user: admin, key: {file: %s}, timeout: 5s, nodes: [%s]}
shaman: {chacra: default, user: jenkins, key: {file: %s}}
`, ms.URL, mes.URL, js.URL, filepath.Join(dir, "jenkins-token"), clouds, filepath.Join(dir, "chacra-key"), strings.Join(nodes, ", "), filepath.Join(dir, "shaman-key"))
	w := &scaleWorld{marathon: mc, chacra: cl, config: filepath.Join(dir, "server.yaml"), requests: rc}
	if err := os.WriteFile(w.config, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	return w
}

// attach points chacra's callbacks at the server's shaman endpoints.
func (w *scaleWorld) attach(s *Server) {
	for _, n := range w.chacra.Nodes {
		n.SetShaman(s.URL+"/shaman/api/repos", "", "jenkins", "shaman-key")
	}
}

func scaleSHA1(i int) string { return fmt.Sprintf("%040x", i+1) }

// load uploads the Repos' binaries to chacra and creates every object
// with the store, 32 at a time; it returns the count per kind.
func (w *scaleWorld) load(b *testing.B, st *store.Store) map[string]int {
	ctx := context.Background()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}, Timeout: 30 * time.Second}
	up := parallel(b, scaleRepos, func(i int) error {
		return uploadBinary(hc, w.chacra.Nodes[i%len(w.chacra.Nodes)].URL(), scaleSHA1(i))
	})
	b.Logf("uploaded %d binaries to chacra in %v", scaleRepos, up.Round(time.Millisecond))
	create := func(n int, obj func(i int) v1alpha1.Object) time.Duration {
		return parallel(b, n, func(i int) error {
			_, err := st.Create(ctx, obj(i))
			return err
		})
	}
	decode := func(into v1alpha1.Object, s string) v1alpha1.Object {
		if err := json.Unmarshal([]byte(s), into); err != nil {
			b.Fatalf("decoding %s: %v", s, err)
		}
		return into
	}
	d := create(scaleDeployments, func(i int) v1alpha1.Object {
		return decode(&v1alpha1.Deployment{}, string(smallDeployment(fmt.Sprintf("sd%02d", i%100), fmt.Sprintf("d%d", i))))
	})
	p := create(scalePools, func(i int) v1alpha1.Object {
		return decode(&v1alpha1.SlavePool{}, fmt.Sprintf(`{"metadata":{"name":"pool%d","namespace":"sp%d"},"spec":{"labels":["scale%d","amd64"],`+
			`"executors":1,"minReplicas":0,"maxReplicas":2,"autoscale":{"enabled":true},"idleTimeout":"60s","bootTimeout":"60s",`+
			`"template":{"image":"ubuntu-trusty","flavor":"m1.small","keyName":"jenkins","networks":["private"],"securityGroups":["jenkins-agent"],"volumeSizeGB":10}}}`,
			i, i%10, i))
	})
	r := create(scaleRepos, func(i int) v1alpha1.Object {
		return decode(&v1alpha1.Repo{}, fmt.Sprintf(`{"metadata":{"name":"r%d","namespace":"sr%d"},"spec":{"chacra":"default","node":%q,`+
			`"project":"scale","ref":"main","sha1":%q,"distros":[{"distro":"ubuntu","version":"jammy"}]}}`,
			i, i%10, w.chacra.Nodes[i%len(w.chacra.Nodes)].Name(), scaleSHA1(i)))
	})
	perPipeline := scaleBuilds / scalePipelines
	uids := make([]string, scalePipelines)
	pl := parallel(b, scalePipelines, func(i int) error {
		o, err := st.Create(ctx, decode(&v1alpha1.Pipeline{}, fmt.Sprintf(`{"metadata":{"name":"p%d","namespace":"sb%d"},`+
			`"spec":{"job":"build","historyLimit":%d,"source":{"git":"https://git.example.com/x.git"}}}`, i, i%10, perPipeline)))
		if err == nil {
			uids[i] = string(o.GetUID())
		}
		return err
	})
	bl := parallel(b, scaleBuilds, func(i int) error {
		pi, n := i%scalePipelines, i/scalePipelines+1
		o, err := st.Create(ctx, decode(&v1alpha1.Build{}, fmt.Sprintf(`{"metadata":{"name":"p%d-%d","namespace":"sb%d",`+
			`"ownerReferences":[{"apiVersion":"minka.dev/v1alpha1","kind":"Pipeline","name":"p%d","uid":%q,"controller":true}]},`+
			`"spec":{"pipeline":"p%d","number":%d,"branch":"master"}}`, pi, n, pi%10, pi, uids[pi], pi, n)))
		if err != nil {
			return err
		}
		bd := o.(*v1alpha1.Build)
		bd.Status.Phase, bd.Status.ObservedGeneration, bd.Status.SHA1 = v1alpha1.BuildSucceeded, bd.Generation, scaleSHA1(i)
		_, err = st.UpdateStatus(ctx, bd)
		return err
	})
	b.Logf("created with the store, 32-way: %d Deployments in %v, %d SlavePools in %v, %d Repos in %v, %d Pipelines in %v, %d Builds (create + status) in %v",
		scaleDeployments, d.Round(time.Millisecond), scalePools, p.Round(time.Millisecond), scaleRepos, r.Round(time.Millisecond),
		scalePipelines, pl.Round(time.Millisecond), scaleBuilds, bl.Round(time.Millisecond))
	return map[string]int{"deployments": scaleDeployments, "slavepools": scalePools, "repos": scaleRepos, "pipelines": scalePipelines, "builds": scaleBuilds}
}

// uploadBinary is a Jenkins job's `chacractl binary create` of one .deb.
func uploadBinary(hc *http.Client, node, sha1 string) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "scale_1.0-1_amd64.deb")
	_, _ = io.WriteString(fw, "package scale "+sha1)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, node+"/binaries/scale/main/"+sha1+"/ubuntu/jammy/x86_64/", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth("admin", "secret")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("upload %s: %s", sha1, resp.Status)
	}
	return nil
}

// checkConverged fails unless every Deployment is Available and every
// Repo Ready: the rest is measured on a converged system only.
func (w *scaleWorld) checkConverged(b *testing.B, s *Server) {
	cli, err := client.New(client.Config{Server: s.URL, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	count := func(kind string, ok func(v1alpha1.Object) bool) (int, int) {
		k, _ := v1alpha1.KindFor(kind)
		list, err := cli.List(context.Background(), k, "", client.ListOptions{})
		if err != nil {
			b.Fatalf("listing %s: %v", kind, err)
		}
		n := 0
		for _, o := range list.GetItems() {
			if ok(o) {
				n++
			}
		}
		return n, len(list.GetItems())
	}
	cond := func(conds []metav1.Condition, typ string) bool {
		for _, c := range conds {
			if c.Type == typ {
				return c.Status == "True"
			}
		}
		return false
	}
	avail, nd := count("Deployment", func(o v1alpha1.Object) bool { return cond(o.(*v1alpha1.Deployment).Status.Conditions, "Available") })
	ready, nr := count("Repo", func(o v1alpha1.Object) bool { return cond(o.(*v1alpha1.Repo).Status.Conditions, "Ready") })
	done, nb := count("Build", func(o v1alpha1.Object) bool { return o.(*v1alpha1.Build).Status.Phase == v1alpha1.BuildSucceeded })
	pools, np := count("SlavePool", func(o v1alpha1.Object) bool { return o.(*v1alpha1.SlavePool).Status.ObservedGeneration == 1 })
	b.Logf("converged: %d/%d Deployments Available, %d/%d Repos Ready, %d/%d Builds Succeeded, %d/%d SlavePools observed; Marathon PUTs %d",
		avail, nd, ready, nr, done, nb, pools, np, w.marathon.Puts())
	if avail != scaleDeployments || ready != scaleRepos || done != scaleBuilds || pools != scalePools {
		b.Fatalf("not converged\n%s", lastLines(s.Logs(), 30))
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// waitSynced waits for the manager's line saying every informer synced
// and the controllers run, and returns how long after start it came.
func waitSynced(b *testing.B, s *Server, start time.Time, limit time.Duration) time.Duration {
	for time.Since(start) < limit {
		if strings.Contains(s.Logs(), "controllers running") {
			return time.Since(start)
		}
		if done, err := s.Exited(); done {
			b.Fatalf("server exited: %v\n%s", err, lastLines(s.Logs(), 30))
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Fatalf("informers not synced within %v\n%s", limit, lastLines(s.Logs(), 30))
	return 0
}

func revision(ctx context.Context, cli *clientv3.Client) int64 {
	r, err := cli.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return -1
	}
	return r.Header.Revision
}

// waitAtRest waits until the etcd revision held for still, and returns it.
func waitAtRest(b *testing.B, cli *clientv3.Client, still, limit time.Duration) int64 {
	ctx := context.Background()
	last, since, deadline := revision(ctx, cli), time.Now(), time.Now().Add(limit)
	for lastLog := time.Now(); time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		if cur := revision(ctx, cli); cur != last {
			last, since = cur, time.Now()
		} else if time.Since(since) >= still {
			return last
		}
		if time.Since(lastLog) > 30*time.Second {
			b.Logf("  settling: etcd revision %d", last)
			lastLog = time.Now()
		}
	}
	b.Fatalf("the etcd revision still moved after %v", limit)
	return 0
}

// watchWrites counts etcd writes after rev by key (kind and namespace,
// and the first key of each); call the result to stop and read it.
func watchWrites(ctx context.Context, cli *clientv3.Client, rev int64) func() string {
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	counts, first := map[string]int{}, map[string]string{}
	ch := cli.Watch(ctx, "/", clientv3.WithPrefix(), clientv3.WithRev(rev+1))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for resp := range ch {
			mu.Lock()
			for _, ev := range resp.Events {
				k := string(ev.Kv.Key)
				parts := strings.SplitN(k, "/", 5)
				group := strings.Join(parts[:min(len(parts), 4)], "/")
				if counts[group]++; first[group] == "" {
					first[group] = fmt.Sprintf("%s %s", ev.Type, k)
				}
			}
			mu.Unlock()
		}
	}()
	return func() string {
		cancel()
		<-done
		var out []string
		for g, n := range counts {
			out = append(out, fmt.Sprintf("%s: %d (first: %s)", g, n, first[g]))
		}
		sort.Strings(out)
		return strings.Join(out, "; ")
	}
}

// reconcileCounts is controller_runtime_reconcile_total by its labels.
func reconcileCounts(b *testing.B, s *Server) map[string]float64 {
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if rest, ok := strings.CutPrefix(l, "controller_runtime_reconcile_total{"); ok {
			i := strings.LastIndexByte(rest, ' ')
			v, _ := strconv.ParseFloat(rest[i+1:], 64)
			out[rest[:i-1]] = v
		}
	}
	return out
}

func diffCounts(a, b map[string]float64) string {
	var out []string
	for k, v := range b {
		if d := v - a[k]; d != 0 {
			out = append(out, fmt.Sprintf("%s +%.0f", k, d))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "; ")
}

// requestCounter counts the simulators' requests by method and path
// (numbers and long names folded), between resets.
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (rc *requestCounter) wrap(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		parts = parts[:min(len(parts), 3)]
		rc.mu.Lock()
		rc.counts[name+" "+r.Method+" /"+strings.Join(parts, "/")]++
		rc.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (rc *requestCounter) reset() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	clear(rc.counts)
}

func (rc *requestCounter) String() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for k, n := range rc.counts {
		out = append(out, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "; ")
}

// rssBytes is a process's resident set from /proc.
func rssBytes(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return -1
}

// watchLatency runs scaleWatchers watches of every Deployment over HTTP,
// then writes a label on one Deployment 20 times, and returns the delay
// from sending each write to each watcher's event for it.
func watchLatency(b *testing.B, s *Server) (p50, p99, worst time.Duration) {
	cli, err := client.New(client.Config{Server: s.URL, Timeout: 30 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	list, err := cli.List(ctx, deploymentKind, "sd00", client.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	const writes = 20
	var sent [writes]atomic.Int64 // unix nanos when write i was sent
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	var got atomic.Int64
	for i := 0; i < scaleWatchers; i++ {
		evs, err := cli.Watch(ctx, deploymentKind, "", client.WatchOptions{ResourceVersion: list.GetResourceVersion()})
		if err != nil {
			b.Fatalf("watch %d: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range evs {
				if ev.Object == nil {
					continue
				}
				tick, err := strconv.Atoi(ev.Object.GetLabels()["scale-tick"])
				if err != nil || ev.Object.GetName() != "d0" || tick >= writes {
					continue
				}
				d := time.Since(time.Unix(0, sent[tick].Load()))
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
				got.Add(1)
			}
		}()
	}
	for i := 0; i < writes; i++ {
		time.Sleep(200 * time.Millisecond)
		sent[i].Store(time.Now().UnixNano())
		if _, err := cli.MergePatch(ctx, deploymentKind, "sd00", "d0", map[string]any{"metadata": map[string]any{"labels": map[string]string{"scale-tick": strconv.Itoa(i)}}}); err != nil {
			b.Fatalf("write %d: %v", i, err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); got.Load() < writes*scaleWatchers && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if len(lat) < writes*scaleWatchers {
		b.Errorf("%d of %d watch events arrived", len(lat), writes*scaleWatchers)
	}
	if len(lat) == 0 {
		return 0, 0, 0
	}
	p50, p99 = percentiles(lat)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return p50, p99, lat[len(lat)-1]
}

// saveProfileFor saves a CPU profile of seconds of the server at rest.
func saveProfileFor(b *testing.B, s *Server, file string, seconds int) {
	saveURL(b, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", s.URL, seconds), file)
}

func saveURL(b *testing.B, url, file string) {
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Get(url)
	if err != nil {
		b.Logf("profile: %v", err)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		b.Logf("profile: %v", err)
	}
}
