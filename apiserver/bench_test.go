package apiserver

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkCreate measures the handler chain and store in one process
// (httptest server, embedded etcd): the API's own cost per create.
func BenchmarkCreate(b *testing.B) {
	hs, _ := newTestServer(b, Config{})
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"d%d","namespace":"ci","labels":{"app":"bench"}},`+
				`"spec":{"image":"registry.example.com/webapp:webapp-1-master-0.5.20","replicas":3,"cpus":0.5,"mem":512,`+
				`"ports":[{"name":"http","containerPort":8080,"servicePort":10000}],"healthChecks":[{"protocol":"HTTP","path":"/","portIndex":0}]}}`, i)
			resp, err := hc.Post(hs.URL+"/apis/minka.dev/v1alpha1/namespaces/ci/deployments", "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body) // drained, so the connection is reused
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Fatalf("create: %s", resp.Status)
			}
		}
	})
}
