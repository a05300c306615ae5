package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"minka/store/storetest"
	"minka/test/e2e"
)

// deploymentStatus is a Deployment's status as its controller writes it
// once the app is rolled out: counts, versions, endpoints, conditions.
func deploymentStatus(ns, name, rv string, gen int) []byte {
	return []byte(fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment",`+
		`"metadata":{"name":%q,"namespace":%q,"resourceVersion":%q},`+
		`"status":{"observedGeneration":1,"appVersion":"2026-12-02T10:00:%02d.000Z","replicas":3,"readyReplicas":3,"updatedReplicas":3,"availableReplicas":3,`+
		`"endpoints":[{"taskId":"%s.t1","host":"10.0.9.1","ports":[31001]},{"taskId":"%s.t2","host":"10.0.9.2","ports":[31002]},{"taskId":"%s.t3","host":"10.0.9.3","ports":[31003]}],`+
		`"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"3 of 3 replicas available","lastTransitionTime":"2026-12-02T10:00:00Z","observedGeneration":1},`+
		`{"type":"Progressing","status":"True","reason":"NewAppVersionAvailable","message":"app version rolled out","lastTransitionTime":"2026-12-02T10:00:00Z","observedGeneration":1}]}}`,
		name, ns, rv, gen%60, name, name, name))
}

// BenchmarkStatusUpdateThroughput writes Deployments' status through
// `minka server` (PUT …/status with the resourceVersion last returned,
// as a controller writes it) with 32 concurrent clients, and puts the
// stored bytes straight into the same etcd with 32 goroutines, rounds
// alternating; it reports the medians, their ratio and the CPU each
// side spends per write.
func BenchmarkStatusUpdateThroughput(b *testing.B) {
	e := storetest.Etcd(b)
	srv := StartServer(b, "--etcd-endpoints", e.Endpoints[0], "--profiling", "--controllers", "none")
	if f := os.Getenv("MINKA_BENCH_CPUPROFILE"); f != "" {
		go saveProfile(b, srv, f)
	}
	const n, rounds = 4000, 3
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}, Timeout: 30 * time.Second}
	for iter := 0; iter < b.N; iter++ {
		ns := fmt.Sprintf("status%d", iter)
		base := srv.URL + "/apis/minka.dev/v1alpha1/namespaces/" + ns + "/deployments"
		rvs := make([]string, n)
		parallel(b, n, func(i int) error {
			rv, err := send(hc, http.MethodPost, base, benchDeployment(ns, fmt.Sprintf("d%d", i)), http.StatusCreated)
			rvs[i] = rv
			return err
		})
		var apiRates, rawRates []float64
		var srvCPU, selfAPICPU, selfRawCPU time.Duration
		var value string
		for round := 0; round < rounds; round++ {
			srv0, self0 := serverCPU(b, srv), e2e.SelfCPU()
			api := parallel(b, n, func(i int) error {
				name := fmt.Sprintf("d%d", i)
				rv, err := send(hc, http.MethodPut, base+"/"+name+"/status", deploymentStatus(ns, name, rvs[i], round), http.StatusOK)
				rvs[i] = rv
				return err
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
				_, err := e.Client.Put(context.Background(), fmt.Sprintf("/bench/raw/%s/%d/d%d", ns, round, i), value)
				return err
			})
			selfRawCPU += e2e.SelfCPU() - self0
			apiRates = append(apiRates, float64(n)/api.Seconds())
			rawRates = append(rawRates, float64(n)/raw.Seconds())
		}
		apiRate, rawRate := median(apiRates), median(rawRates)
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(rounds*n) }
		b.ReportMetric(apiRate, "api-status-writes/s")
		b.ReportMetric(rawRate, "etcd-puts/s")
		b.ReportMetric(apiRate/rawRate, "ratio")
		b.ReportMetric(per(srvCPU), "server-cpu-us/write")
		b.Logf("%d rounds of %d status writes, %d clients, %d-byte stored values: API %.0f writes/s (rounds %.0f), raw etcd %.0f puts/s (rounds %.0f), ratio %.2f (target ≥ 0.8)",
			rounds, n, benchClients, len(value), apiRate, apiRates, rawRate, rawRates, apiRate/rawRate)
		b.Logf("CPU per object: server %.0f µs/write; etcd + HTTP clients %.0f µs/write; etcd + etcd clients %.0f µs/raw put",
			per(srvCPU), per(selfAPICPU), per(selfRawCPU))
	}
}

// send makes one request and returns the resourceVersion answered.
func send(hc *http.Client, method, url string, body []byte, want int) (string, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != want {
		return "", fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, data)
	}
	var out struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return "", fmt.Errorf("%s %s: decoding the answer: %w", method, url, err)
	}
	return out.Metadata.ResourceVersion, nil
}
