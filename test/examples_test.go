package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// versions lists every object of the kinds in examples/ as
// "kind ns/name rv gen" lines, read with `minka get -A -o json`.
func versions(t *testing.T, srv *Server) []string {
	t.Helper()
	var lines []string
	for _, kind := range []string{"deployments", "slavepools", "repos", "pipelines", "builds", "alerts"} {
		out, errOut, code := Minka(t, srv, "", "get", kind, "-A", "-o", "json")
		if code != 0 {
			t.Fatalf("get %s: exit %d: %s", kind, code, errOut)
		}
		var list struct {
			Items []struct {
				Metadata struct {
					Namespace, Name, ResourceVersion string
					Generation                       int64
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("get %s -o json: %v\n%s", kind, err, out)
		}
		for _, it := range list.Items {
			m := it.Metadata
			lines = append(lines, strings.Join([]string{kind, m.Namespace + "/" + m.Name, m.ResourceVersion, strconv.FormatInt(m.Generation, 10)}, " "))
		}
	}
	sort.Strings(lines)
	return lines
}

func TestReapplyingExamplesChangesNothing(t *testing.T) {
	srv := StartServer(t, "--controllers", "none") // the API alone: no controller writes
	examples, _ := filepath.Abs("../examples")
	out, errOut, code := Minka(t, srv, "", "apply", "-f", examples)
	if code != 0 {
		t.Fatalf("first apply: exit %d: %s%s", code, out, errOut)
	}
	if n := strings.Count(out, " created"); n != manifestCount(t, examples) {
		t.Errorf("first apply created %d objects, want %d:\n%s", n, manifestCount(t, examples), out)
	}
	before := versions(t, srv)
	out, errOut, code = Minka(t, srv, "", "apply", "-f", examples)
	if code != 0 {
		t.Fatalf("second apply: exit %d: %s%s", code, out, errOut)
	}
	if strings.Count(out, " unchanged") != len(before) || strings.Contains(out, "configured") {
		t.Errorf("second apply should report every object unchanged:\n%s", out)
	}
	after := versions(t, srv)
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("resourceVersion or generation moved on re-apply:\nbefore:\n%s\nafter:\n%s",
			strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	t.Logf("%d objects re-applied unchanged:\n%s", len(after), strings.Join(after, "\n"))
}

// manifestCount counts the objects in the example manifests.
func manifestCount(t *testing.T, dir string) int {
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "apiVersion: minka.dev/") {
			n += strings.Count(string(b), "apiVersion: minka.dev/")
		}
	}
	return n
}
