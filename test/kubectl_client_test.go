package test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"minka/test/e2e"
)

// kubectlEnv runs kubectl as kubectl() does, with extra environment
// (KUBE_EDITOR for edit).
func kubectlEnv(t *testing.T, s *kubeServer, token string, env []string, args ...string) (string, string, int) {
	t.Helper()
	env = append([]string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "kubeconfig"), "HOME=" + t.TempDir()}, env...)
	return e2e.Run(t, kubectlBin(t), env, "",
		append([]string{"--server", s.URL, "--token", token, "--certificate-authority", s.ca}, args...)...)
}

// TestKubectlClient drives kubectl through a user's day against minka
// with auth on and kubectl's own validation left on (it hands it to the
// server through OpenAPI and ?fieldValidation): discovery, apply twice
// (the second unchanged), server-side apply with its conflicts, create,
// replace, every get output, label and selectors, annotate, edit, scale,
// wait for a condition, explain, delete.
func TestKubectlClient(t *testing.T) {
	s := tlsAuthServer(t)
	examples, _ := filepath.Abs("../examples")
	must := func(token, stdin string, args ...string) string {
		t.Helper()
		out, errOut, code := kubectl(t, s, token, stdin, args...)
		if code != 0 {
			t.Fatalf("kubectl %v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out
	}

	// Discovery: every kind with its short name, verbs and category.
	out := must(viewToken, "", "api-resources", "--api-group", "minka.dev", "-o", "wide")
	for _, row := range []string{`deployments\s+deploy\s+minka.dev/v1alpha1\s+true\s+Deployment\s+create,delete,get,list,patch,update,watch\s+all`,
		`slavepools\s+sp\s+minka.dev/v1alpha1\s+true\s+SlavePool\s`, `repos\s+rp\s+minka.dev/v1alpha1\s+true\s+Repo\s`,
		`pipelines\s+pl\s+minka.dev/v1alpha1\s+true\s+Pipeline\s`, `builds\s+b\s+minka.dev/v1alpha1\s+true\s+Build\s`,
		`alerts\s+minka.dev/v1alpha1\s+true\s+Alert\s`} {
		if !regexp.MustCompile(row).MatchString(out) {
			t.Errorf("api-resources lacks %s:\n%s", row, out)
		}
	}

	// apply, with kubectl validating through the server; again: unchanged.
	out = must(editToken, "", "apply", "-f", examples)
	if n := strings.Count(out, " created\n"); n != 7 {
		t.Fatalf("first apply: %d created, want 7:\n%s", n, out)
	}
	rev := storeRevision(t, s)
	out = must(editToken, "", "apply", "-f", examples)
	if n := strings.Count(out, " unchanged\n"); n != 7 || storeRevision(t, s) != rev {
		t.Errorf("second apply: %d unchanged of 7, revision %s → %s:\n%s", n, rev, storeRevision(t, s), out)
	}

	// Server-side apply: kubectl takes over what its client-side apply
	// managed; another manager setting a field kubectl owns to another
	// value is a conflict until --force-conflicts; the same apply again
	// writes nothing.
	pool, err := os.ReadFile(filepath.Join(examples, "slavepool.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pool3 := strings.Replace(string(pool), "executors: 2", "executors: 3", 1)
	if out = must(editToken, pool3, "apply", "--server-side", "-f", "-"); !strings.Contains(out, "slavepool.minka.dev/trusty-amd64 serverside-applied") {
		t.Errorf("server-side apply: %s", out)
	}
	pool4 := strings.Replace(string(pool), "executors: 2", "executors: 4", 1)
	_, errOut, code := kubectl(t, s, editToken, pool4, "apply", "--server-side", "--field-manager", "ci-bot", "-f", "-")
	if code == 0 || !strings.Contains(errOut, `Apply failed with 1 conflict: conflict with "kubectl": .spec.executors`) {
		t.Errorf("server-side apply by another manager: exit %d, want a conflict on .spec.executors:\n%s", code, errOut)
	}
	must(editToken, pool4, "apply", "--server-side", "--field-manager", "ci-bot", "--force-conflicts", "-f", "-")
	out = must(viewToken, "", "get", "sp", "trusty-amd64", "-n", "ci", "-o", "json", "--show-managed-fields")
	var live struct {
		Metadata struct {
			ManagedFields []struct{ Manager, Operation string }
		}
		Spec struct{ Executors int }
	}
	if err := json.Unmarshal([]byte(out), &live); err != nil || live.Spec.Executors != 4 {
		t.Fatalf("after the forced server-side apply: executors %d (%v)", live.Spec.Executors, err)
	}
	managers := map[string]string{}
	for _, m := range live.Metadata.ManagedFields {
		managers[m.Manager] = m.Operation
	}
	if managers["kubectl"] != "Apply" || managers["ci-bot"] != "Apply" {
		t.Errorf("managedFields: %v, want kubectl and ci-bot with Apply", managers)
	}
	rev = storeRevision(t, s)
	must(editToken, pool4, "apply", "--server-side", "--field-manager", "ci-bot", "-f", "-")
	if got := storeRevision(t, s); got != rev {
		t.Errorf("an unchanged server-side apply wrote: revision %s → %s", rev, got)
	}
	ssaNew := "apiVersion: minka.dev/v1alpha1\nkind: SlavePool\nmetadata: {name: ssa, namespace: ci}\nspec: {labels: [x], template: {image: u, flavor: f}}\n"
	must(editToken, ssaNew, "apply", "--server-side", "--dry-run=server", "-f", "-")
	if got := storeRevision(t, s); got != rev {
		t.Errorf("a dry-run server-side apply wrote: revision %s → %s", rev, got)
	}
	if out = must(editToken, ssaNew, "apply", "--server-side", "-f", "-"); !strings.Contains(out, "slavepool.minka.dev/ssa serverside-applied") {
		t.Errorf("server-side apply of a new object: %s", out)
	}

	// create, and create again; replace.
	deploy, err := os.ReadFile(filepath.Join(examples, "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	web3 := strings.Replace(string(deploy), "name: web\n", "name: web3\n", 1)
	if out = must(editToken, web3, "create", "-f", "-"); out != "deployment.minka.dev/web3 created\n" {
		t.Errorf("create: %q", out)
	}
	if _, errOut, code := kubectl(t, s, editToken, web3, "create", "-f", "-"); code == 0 || !strings.Contains(errOut, `deployments.minka.dev "web3" already exists`) {
		t.Errorf("create again: exit %d %s", code, errOut)
	}
	if out = must(editToken, strings.Replace(web3, "replicas: 3", "replicas: 1", 1), "replace", "-f", "-"); out != "deployment.minka.dev/web3 replaced\n" {
		t.Errorf("replace: %q", out)
	}

	// get, in every output kubectl has.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"get", "deploy", "web3", "-o", "yaml"}, "kind: Deployment\n"},
		{[]string{"get", "deploy", "web3", "-o", "name"}, "deployment.minka.dev/web3\n"},
		{[]string{"get", "deploy", "web3", "-o", "jsonpath={.spec.replicas} {.spec.image}"}, "1 registry.example.com/webapp:webapp-1-master-0.5.20"},
		{[]string{"get", "deploy", "-o", "custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas", "--sort-by", ".metadata.name"}, "NAME          REPLICAS\nweb           3\nweb-staging   1\nweb3          1\n"},
		{[]string{"get", "deploy", "-l", "stage=staging", "-o", "name"}, "deployment.minka.dev/web-staging\n"},
		{[]string{"get", "deploy", "-l", "app=web,stage!=staging", "-o", "name"}, "deployment.minka.dev/web\ndeployment.minka.dev/web3\n"},
	} {
		out, errOut, code := kubectl(t, s, viewToken, "", append(tt.args, "-n", "ci")...)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("kubectl %v: exit %d\n%q\nwant %q\n%s", tt.args, code, out, tt.want, errOut)
		}
	}
	out = must(viewToken, "", "get", "deploy", "web3", "-n", "ci", "-o", "json")
	var asJSON struct{ Kind, APIVersion string }
	if err := json.Unmarshal([]byte(out), &asJSON); err != nil || asJSON.Kind != "Deployment" || asJSON.APIVersion != "minka.dev/v1alpha1" {
		t.Errorf("-o json: %+v %v", asJSON, err)
	}

	// label, annotate, edit, scale.
	if out = must(editToken, "", "label", "deploy", "web3", "-n", "ci", "tier=front"); out != "deployment.minka.dev/web3 labeled\n" {
		t.Errorf("label: %q", out)
	}
	if out = must(viewToken, "", "get", "deploy", "-n", "ci", "-l", "tier=front", "-o", "name"); out != "deployment.minka.dev/web3\n" {
		t.Errorf("get -l tier=front: %q", out)
	}
	if out = must(editToken, "", "annotate", "deploy", "web3", "-n", "ci", "owner=ops"); out != "deployment.minka.dev/web3 annotated\n" {
		t.Errorf("annotate: %q", out)
	}
	out, errOut, code = kubectlEnv(t, s, editToken, []string{"KUBE_EDITOR=sed -i s/replicas:\\ 1/replicas:\\ 2/"}, "edit", "deploy", "web3", "-n", "ci")
	if code != 0 || out != "deployment.minka.dev/web3 edited\n" {
		t.Errorf("edit: exit %d %q %s", code, out, errOut)
	}
	must(editToken, "", "scale", "deploy", "web3", "-n", "ci", "--replicas", "4")
	if out = must(viewToken, "", "get", "deploy", "web3", "-n", "ci", "-o", "jsonpath={.spec.replicas} {.metadata.labels.tier} {.metadata.annotations.owner}"); out != "4 front ops" {
		t.Errorf("after label, annotate, edit and scale: %q, want \"4 front ops\"", out)
	}

	// wait: kubectl watches until the condition holds.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wait := exec.CommandContext(ctx, kubectlBin(t), "--server", s.URL, "--token", viewToken, "--certificate-authority", s.ca,
		"wait", "--for=condition=Available", "deploy/web3", "-n", "ci", "--timeout=25s")
	wait.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "kubeconfig"), "HOME="+t.TempDir())
	waited := &lockedBuffer{}
	wait.Stdout, wait.Stderr = waited, waited
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // let it list and watch first; it would pass either way
	must(adminToken, "", "patch", "deploy", "web3", "-n", "ci", "--subresource", "status", "--type", "merge", "-p",
		`{"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"4 of 4","lastTransitionTime":"2026-12-01T00:00:00Z"}]}}`)
	if err := wait.Wait(); err != nil || waited.String() != "deployment.minka.dev/web3 condition met\n" {
		t.Errorf("wait --for=condition=Available: %v %q", err, waited.String())
	}

	// explain reads the OpenAPI schema, doc comments and all.
	out = must(viewToken, "", "explain", "slavepool.spec.autoscale")
	for _, want := range []string{"KIND:       SlavePool", "GROUP:      minka.dev", "cooldown\t<string>", "enabled\t<boolean>", "Jenkins queue",
		"least time between two scale decisions"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain slavepool.spec.autoscale lacks %q:\n%s", want, out)
		}
	}
	if out = must(viewToken, "", "explain", "deploy.spec.replicas"); !strings.Contains(out, "FIELD: replicas <integer>") {
		t.Errorf("explain deploy.spec.replicas:\n%s", out)
	}

	// fieldValidation through kubectl's --validate.
	unknown := strings.Replace(web3, "replicas: 3", "replicas: 3\n  replicaz: 3", 1)
	if _, errOut, code := kubectl(t, s, editToken, unknown, "apply", "-f", "-"); code == 0 || !strings.Contains(errOut, "spec.replicaz: unknown field") {
		t.Errorf("apply with an unknown field (strict): exit %d %s", code, errOut)
	}
	if out, errOut, code := kubectl(t, s, editToken, unknown, "apply", "--validate=warn", "-f", "-"); code != 0 ||
		!strings.Contains(errOut, `Warning: unknown field "spec.replicaz"`) || !strings.Contains(out, "web3 configured") {
		t.Errorf("apply --validate=warn: exit %d %q %s", code, out, errOut)
	}
	if out, errOut, code := kubectl(t, s, editToken, unknown, "apply", "--validate=false", "-f", "-"); code != 0 || strings.Contains(errOut, "Warning") {
		t.Errorf("apply --validate=false: exit %d %q %s", code, out, errOut)
	}

	// delete.
	if out = must(editToken, "", "delete", "deploy", "web3", "-n", "ci"); out != "deployment.minka.dev \"web3\" deleted\n" {
		t.Errorf("delete: %q", out)
	}
	if _, errOut, code := kubectl(t, s, viewToken, "", "get", "deploy", "web3", "-n", "ci"); code == 0 || !strings.Contains(errOut, "NotFound") {
		t.Errorf("get after delete: exit %d %s", code, errOut)
	}
}

// TestKubectlRefusesInvalidManifests: every manifest of
// api/v1alpha1/testdata/invalid is refused through kubectl apply with the
// field path and message `minka apply` gives, and nothing is written.
// Three never reach the server as written: kubectl refuses a document
// without kind and an apiVersion no server serves itself, and resolves a
// YAML key set twice (the last wins) before it sends anything.
func TestKubectlRefusesInvalidManifests(t *testing.T) {
	s := tlsAuthServer(t)
	examples, _ := filepath.Abs("../examples")
	if out, errOut, code := kubectl(t, s, editToken, "", "apply", "-f", examples); code != 0 {
		t.Fatalf("seeding examples: %s%s", out, errOut)
	}
	client := map[string]string{ // kubectl's own words for what it refuses itself
		"16-missing-kind.yaml":      `kind not set`,
		"17-wrong-api-version.yaml": `no matches for kind "Deployment" in version "apps/v1"`,
	}
	rev := storeRevision(t, s)
	for _, im := range invalidManifests(t) {
		f, want := im.file, im.want
		if filepath.Base(f) == "06-duplicate-key.yaml" {
			// kubectl reads YAML leniently (sigs.k8s.io/yaml): the last
			// value wins before anything is sent, so no server can see
			// the duplicate. Shown by a dry run.
			out, errOut, code := kubectl(t, s, editToken, "", "create", "--dry-run=server", "-f", f, "-o", "jsonpath={.spec.image}")
			if code != 0 || out != "httpd" {
				t.Errorf("%s through kubectl: exit %d %q %s", filepath.Base(f), code, out, errOut)
			}
			continue
		}
		if w, ok := client[filepath.Base(f)]; ok {
			want = w
		}
		_, errOut, code := kubectl(t, s, editToken, "", "apply", "-n", "ci", "-f", f)
		if code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr lacks %q:\n%s", filepath.Base(f), code, want, errOut)
		}
	}
	if got := storeRevision(t, s); got != rev {
		t.Errorf("invalid manifests moved the revision %s → %s", rev, got)
	}
}
