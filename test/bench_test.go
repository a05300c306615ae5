package test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"minka/store/storetest"
	"minka/test/e2e"
)

const benchClients = 32

func benchDeployment(ns, name string) []byte {
	return []byte(fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment",`+
		`"metadata":{"name":%q,"namespace":%q,"labels":{"app":"bench"}},`+
		`"spec":{"image":"registry.example.com/webapp:webapp-1-master-0.5.20","replicas":3,"cpus":0.5,"mem":512,`+
		`"ports":[{"name":"http","containerPort":8080,"servicePort":10000}],"healthChecks":[{"protocol":"HTTP","path":"/","portIndex":0}]}}`, name, ns))
}

// parallel runs job(0..n-1) on benchClients goroutines and returns the
// wall time; the first error fails b.
func parallel(b *testing.B, n int, job func(i int) error) time.Duration {
	return e2e.Parallel(b, n, benchClients, job)
}

// BenchmarkCreateThroughput creates Deployments through `minka server`
// (HTTP, auth, decode, default, validate, store) with 32 concurrent
// clients, and puts the same bytes straight into the same etcd with 32
// concurrent goroutines, in one run. Rounds alternate the two, so that
// etcd's growth and the machine's noise weigh on both; it reports the
// median of each and their ratio.
func BenchmarkCreateThroughput(b *testing.B) {
	e := storetest.Etcd(b)
	// The API alone: controllers (their informers decode every change) are off.
	srv := StartServer(b, "--etcd-endpoints", e.Endpoints[0], "--profiling", "--controllers", "none")
	if f := os.Getenv("MINKA_BENCH_CPUPROFILE"); f != "" {
		go saveProfile(b, srv, f)
	}
	const n, rounds = 4000, 3
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}, Timeout: 30 * time.Second}
	for iter := 0; iter < b.N; iter++ {
		var apiRates, rawRates []float64
		var srvCPU, selfAPICPU, selfRawCPU time.Duration
		var value string
		for round := 0; round < rounds; round++ {
			ns := fmt.Sprintf("bench%d-%d", iter, round)
			url := srv.URL + "/apis/minka.dev/v1alpha1/namespaces/" + ns + "/deployments"
			srv0, self0 := serverCPU(b, srv), e2e.SelfCPU()
			api := parallel(b, n, func(i int) error {
				resp, err := hc.Post(url, "application/json", bytes.NewReader(benchDeployment(ns, fmt.Sprintf("d%d", i))))
				if err != nil {
					return err
				}
				_, _ = io.Copy(io.Discard, resp.Body) // drained, so the connection is reused
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					return fmt.Errorf("create d%d: %s", i, resp.Status)
				}
				return nil
			})
			srvCPU += serverCPU(b, srv) - srv0
			selfAPICPU += e2e.SelfCPU() - self0
			stored, err := e.Client.Get(context.Background(), "/minka/deployments/"+ns+"/d0")
			if err != nil || len(stored.Kvs) == 0 {
				b.Fatalf("reading a stored object: %v", err)
			}
			value = string(stored.Kvs[0].Value)
			self0 = e2e.SelfCPU()
			raw := parallel(b, n, func(i int) error {
				_, err := e.Client.Put(context.Background(), fmt.Sprintf("/bench/raw/%s/d%d", ns, i), value)
				return err
			})
			selfRawCPU += e2e.SelfCPU() - self0
			apiRates = append(apiRates, float64(n)/api.Seconds())
			rawRates = append(rawRates, float64(n)/raw.Seconds())
		}
		apiRate, rawRate := median(apiRates), median(rawRates)
		b.ReportMetric(apiRate, "api-creates/s")
		b.ReportMetric(rawRate, "etcd-puts/s")
		b.ReportMetric(apiRate/rawRate, "ratio")
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(rounds*n) }
		b.ReportMetric(per(srvCPU), "server-cpu-us/create")
		b.Logf("%d rounds of %d objects, %d clients, %d-byte values: API %.0f creates/s (rounds %.0f), raw etcd %.0f puts/s (rounds %.0f), ratio %.2f (target ≥ 0.8)",
			rounds, n, benchClients, len(value), apiRate, apiRates, rawRate, rawRates, apiRate/rawRate)
		b.Logf("CPU per object: server %.0f µs/create; etcd + HTTP clients %.0f µs/create; etcd + etcd clients %.0f µs/raw put",
			per(srvCPU), per(selfAPICPU), per(selfRawCPU))
	}
}

// serverCPU is the server process's CPU time so far.
func serverCPU(b *testing.B, srv *Server) time.Duration {
	d, err := srv.CPU()
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// saveProfile takes a 4 s CPU profile of the server under load, for
// MINKA_BENCH_CPUPROFILE=FILE make bench.
func saveProfile(b *testing.B, srv *Server, file string) {
	time.Sleep(500 * time.Millisecond)
	resp, err := http.Get(srv.URL + "/debug/pprof/profile?seconds=4")
	if err != nil {
		b.Logf("profile: %v", err)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	_ = os.WriteFile(file, data, 0o644)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// BenchmarkApplyToWatchLatency measures the time from starting
// `minka apply -f` to the line for that object in a running
// `minka get -w`, and from an API create to the same line.
func BenchmarkApplyToWatchLatency(b *testing.B) {
	srv := StartServer(b, "--controllers", "none")
	const n = 100
	watch := exec.Command(minkaBin, "get", "deploy", "-n", "lat", "-w", "--server", srv.URL)
	watch.Env = append(os.Environ(), "MINKA_CONFIG="+filepath.Join(b.TempDir(), "none.yaml"))
	stdout, err := watch.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := watch.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = watch.Process.Kill(); _ = watch.Wait() }()
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	time.Sleep(time.Second) // the watch prints its (empty) table and subscribes
	dir := b.TempDir()
	waitLine := func(name string) time.Time {
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					b.Fatal("get -w exited")
				}
				if f := strings.Fields(l); len(f) > 0 && f[0] == name {
					return time.Now()
				}
			case <-time.After(30 * time.Second):
				b.Fatalf("no watch line for %s within 30s", name)
			}
		}
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	for round := 0; round < b.N; round++ {
		var viaCLI, viaAPI []time.Duration
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("cli-%d-%d", round, i)
			file := filepath.Join(dir, name+".json")
			if err := os.WriteFile(file, benchDeployment("lat", name), 0o600); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if out, code := runCLI(srv, "apply", "-f", file); code != 0 {
				b.Fatalf("apply: %s", out)
			}
			viaCLI = append(viaCLI, waitLine(name).Sub(start))

			name = fmt.Sprintf("api-%d-%d", round, i)
			start = time.Now()
			resp, err := hc.Post(srv.URL+"/apis/minka.dev/v1alpha1/namespaces/lat/deployments", "application/json",
				bytes.NewReader(benchDeployment("lat", name)))
			if err != nil || resp.StatusCode != http.StatusCreated {
				b.Fatalf("create %s: %v %v", name, err, resp)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			viaAPI = append(viaAPI, waitLine(name).Sub(start))
		}
		p50c, p99c := percentiles(viaCLI)
		p50a, p99a := percentiles(viaAPI)
		b.ReportMetric(float64(p50c.Microseconds())/1000, "apply-p50-ms")
		b.ReportMetric(float64(p99c.Microseconds())/1000, "apply-p99-ms")
		b.ReportMetric(float64(p50a.Microseconds())/1000, "create-p50-ms")
		b.ReportMetric(float64(p99a.Microseconds())/1000, "create-p99-ms")
		b.Logf("%d samples each: `minka apply` -> get -w line p50 %v p99 %v; API create -> get -w line p50 %v p99 %v",
			n, p50c, p99c, p50a, p99a)
	}
}

func runCLI(srv *Server, args ...string) (string, int) {
	cmd := exec.Command(minkaBin, append(args, "--server", srv.URL)...)
	cmd.Env = append(os.Environ(), "MINKA_CONFIG=/nonexistent/minka.yaml")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	return string(out), 0
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*50/100], s[min(len(s)-1, len(s)*99/100)]
}
