package jenkins

import (
	"os"
	"strings"
	"testing"
)

// FuzzDecodeSnapshot: no answer from a Jenkins (or something posing as
// one) crashes the decoder; what decodes has a node per computer name.
func FuzzDecodeSnapshot(f *testing.F) {
	for _, name := range []string{"queue", "queue-stuck.synthesized", "computer-modern.synthesized"} {
		if b, err := os.ReadFile("../../sim/jenkins/testdata/reference/jenkins/" + name + ".json"); err == nil {
			f.Add(string(b), `{"computer":[]}`)
			f.Add(`{"items":[]}`, string(b))
		}
	}
	f.Add(`{"items":[{"id":1,"why":"There are no nodes with the label ‘trusty&&amd64’","buildable":true,"task":{"name":"j"}}]}`,
		`{"computer":[{"displayName":"a","numExecutors":2,"executors":[{"idle":false},{"idle":true}],"assignedLabels":[{"name":"a"}]}]}`)
	f.Add(strings.Repeat("[", 100000), strings.Repeat(`{"a":`, 50000))
	f.Add(`<html><body>Jenkins is starting</body></html>`, ``)
	f.Fuzz(func(t *testing.T, queue, computers string) {
		_, _ = decodeQueue([]byte(queue))
		nodes, err := decodeNodes([]byte(computers))
		if err != nil {
			return
		}
		for name, n := range nodes {
			if n.Name != name || n.Busy < 0 {
				t.Fatalf("node %q decoded as %+v", name, n)
			}
		}
	})
}
