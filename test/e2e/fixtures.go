package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// WebManifest is the Deployment the tests roll out: UNIQUE hostname on
// the simulator's three agents, half the capacity kept during a rolling
// replace, a health check and a verify GET.
func WebManifest(image string, replicas, deadline int) string {
	return fmt.Sprintf(`apiVersion: minka.dev/v1alpha1
kind: Deployment
metadata: {name: web, namespace: ci}
spec:
  image: %s
  replicas: %d
  cpus: 0.5
  mem: 256
  ports: [{name: http, containerPort: 8080}]
  healthChecks: [{protocol: HTTP, path: /health, portIndex: 0}]
  constraints: [[hostname, UNIQUE]]
  upgradeStrategy: {minimumHealthCapacity: 0.5, maximumOverCapacity: 0}
  progressDeadlineSeconds: %d
  verify: {path: /ping}
`, image, replicas, deadline)
}

// PoolManifest is a pool of agents labelled trusty and amd64.
func PoolManifest(name string, labels string, extra string) string {
	return fmt.Sprintf(`apiVersion: minka.dev/v1alpha1
kind: SlavePool
metadata: {name: %s, namespace: ci}
spec:
  labels: [%s]
  idleTimeout: 2s
  bootTimeout: 30s
  template: {image: ubuntu-trusty, flavor: m1.small, keyName: jenkins, networks: [private], securityGroups: [jenkins-agent], volumeSizeGB: 10}
%s`, name, labels, extra)
}

// GitHubPush is a push event as GitHub sends it (the fields minka reads
// and their neighbours).
func GitHubPush(ref, after, message string, deleted bool) []byte {
	body, _ := json.Marshal(map[string]any{
		"ref": ref, "before": strings.Repeat("1", 40), "after": after, "created": false, "deleted": deleted, "forced": false,
		"compare":     "https://github.com/acme/webapp/compare/111111111111...222222222222",
		"commits":     []any{map[string]any{"id": after, "message": message, "timestamp": "2026-12-02T04:00:00Z", "distinct": true}},
		"head_commit": map[string]any{"id": after, "message": message, "timestamp": "2026-12-02T04:00:00Z", "distinct": true},
		"repository":  map[string]any{"id": 1, "name": "webapp", "full_name": "acme/webapp", "clone_url": "https://github.com/acme/webapp.git"},
		"pusher":      map[string]any{"name": "alice", "email": "alice@example.com"},
		"sender":      map[string]any{"login": "alice", "id": 7},
	})
	if deleted {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		m["after"], m["head_commit"], m["commits"] = strings.Repeat("0", 40), nil, []any{}
		body, _ = json.Marshal(m)
	}
	return body
}

// Apply applies manifest with the CLI (bin), failing the test if it is refused.
func Apply(t testing.TB, bin string, s *Server, manifest string) {
	t.Helper()
	if out, errOut, code := Minka(t, bin, s, manifest, "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply: %s%s", out, errOut)
	}
}

// Events is `minka events -n ci`.
func Events(t testing.TB, bin string, s *Server) string {
	t.Helper()
	out, _, _ := Minka(t, bin, s, "", "events", "-n", "ci")
	return out
}
