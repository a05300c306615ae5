package deployment

import (
	"os"
	"strings"
	"testing"

	"github.com/go-logr/logr"
)

// FuzzEventStream: no bytes on Marathon's /v2/events (or from something
// posing as it) crash the reader; every event handed on decoded from a
// data: line.
func FuzzEventStream(f *testing.F) {
	for _, name := range []string{"deployment_info", "status_update_event", "deployment_success"} {
		if b, err := os.ReadFile("../../sim/marathon/testdata/reference/marathon/marathon-event__" + name + ".synthesized.json"); err == nil {
			f.Add("event: x\ndata: " + strings.ReplaceAll(string(b), "\n", "") + "\n\n")
		}
	}
	f.Add("event: status_update_event\ndata: {\"eventType\":\"status_update_event\",\"appId\":\"/ci/web\"}\n\n")
	f.Add("data: {\"eventType\":\"deployment_info\",\"plan\":{\"steps\":[{\"actions\":[{\"app\":\"/ci/web\"}]}]}}\n")
	f.Add("data: " + strings.Repeat("[", 10000) + "\n")
	f.Add("data: {\"appId\": " + strings.Repeat("\"x", 7000) + "\n")
	f.Add(":\n\nretry: 10\n")
	f.Fuzz(func(t *testing.T, stream string) {
		var events int
		s := &eventStream{log: logr.Discard(), onEvent: func(ev *marathonEvent) {
			events++
			_ = ev.apps()
		}}
		_ = s.read(strings.NewReader(stream))
		if events > strings.Count(stream, "data:") {
			t.Fatalf("%d events from %d data: lines", events, strings.Count(stream, "data:"))
		}
	})
}
