package test

import (
	"os/exec"
	"strings"
	"testing"
)

// importRules are design.md's dependency directions: a package with the
// prefix on the left may not import minka packages with a prefix on the right.
var importRules = []struct {
	from   string
	banned []string
	why    string
}{
	{"api", []string{"store", "apiserver", "client", "reconcile", "controllers", "cmd", "sim", "backend", "sealed"}, "api imports nothing of minka"},
	{"backend", []string{"api", "store", "apiserver", "client", "reconcile", "controllers", "cmd", "sim"}, "backend is config and the clients of outside systems"},
	{"api/sealed", []string{"api/v1alpha1", "api/oapi", "api/managed", "api/rollout"}, "api/sealed is the cipher of manifest values, nothing more"},
	{"sim", []string{"api", "store", "apiserver", "client", "reconcile", "controllers", "cmd"}, "sim is the outside world"},
	{"store", []string{"apiserver", "client", "reconcile", "controllers", "cmd", "sim"}, "store knows no HTTP and no controllers"},
	{"reconcile", []string{"apiserver", "client", "controllers", "cmd", "sim"}, "reconcile knows no kind"},
	{"controllers", []string{"apiserver", "client", "cmd"}, "controllers meet the world through the store"},
	{"client", []string{"store", "apiserver", "reconcile", "controllers", "cmd", "sim"}, "clients go through the API"},
	{"apiserver", []string{"client", "reconcile", "controllers", "cmd", "sim"}, "the API server is the door to the store only"},
	{"apiserver/ui", []string{"store", "backend"}, "the web view reads and writes through the API, as any client"},
}

func TestImportDirections(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "minka/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], "minka/")
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, "minka/") {
				continue
			}
			dep := strings.TrimPrefix(imp, "minka/")
			for _, r := range importRules {
				if !under(pkg, r.from) {
					continue
				}
				for _, b := range r.banned {
					if under(dep, b) {
						t.Errorf("%s imports %s: %s", fields[0], imp, r.why)
					}
				}
			}
		}
	}
}

func under(pkg, prefix string) bool { return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") }
