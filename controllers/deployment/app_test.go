package deployment

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	marathon "github.com/gambol99/go-marathon"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend"
	simmarathon "minka/sim/marathon"
)

func exampleDeployment() *v1alpha1.Deployment {
	two := int32(2)
	d := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ci", UID: "u-1"}, Spec: v1alpha1.DeploymentSpec{
		Image: "registry.example.com/webapp:1", Replicas: &two, Cpus: 0.5, Mem: 512, Env: map[string]string{"LOG_LEVEL": "info"},
		Ports:        []v1alpha1.Port{{Name: "http", ContainerPort: 8080}},
		HealthChecks: []v1alpha1.HealthCheck{{Protocol: "HTTP", PortName: "http"}},
		Constraints:  [][]string{{"hostname", "UNIQUE"}}, Labels: map[string]string{"team": "ci"},
	}}
	v1alpha1.Default(d)
	return d
}

// TestDesiredAppRoundTrip: what minka PUTs, read back from the simulated
// Marathon (which fills in defaults, service ports and health check
// options as Marathon does), shows no difference, so there is no PUT
// loop; and each change made behind minka's back is named.
func TestDesiredAppRoundTrip(t *testing.T) {
	c := simmarathon.New(simmarathon.Options{})
	hs := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); hs.Close() }()
	cfg := marathon.NewDefaultConfig()
	cfg.URL = hs.URL
	api, err := marathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(*v1alpha1.Deployment)
	}{
		{"bridge with a health check by port name", func(*v1alpha1.Deployment) {}},
		{"host network, a command, volumes, no env", func(d *v1alpha1.Deployment) {
			d.Spec.Network, d.Spec.Env, d.Spec.Cmd = "HOST", nil, "./serve"
			d.Spec.Volumes = []v1alpha1.Volume{{ContainerPath: "/data", HostPath: "/srv/data", Mode: "RO"}}
		}},
		{"args, uris, fixed service port", func(d *v1alpha1.Deployment) {
			d.Spec.Args, d.Spec.URIs = []string{"--port", "8080"}, []string{"https://example.com/conf.tgz"}
			d.Spec.Ports[0].ServicePort = 10555
		}},
		{"a restart time (the MINKA_RESTARTED_AT label)", func(d *v1alpha1.Deployment) {
			d.Spec.RestartedAt = &metav1.Time{Time: time.Date(2026, 5, 1, 12, 0, 0, 0, time.FixedZone("CEST", 7200))}
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := exampleDeployment()
			d.Name = d.Name + itoa(i)
			tc.change(d)
			want := desiredApp(d)
			if _, err := api.UpdateApplication(want, true); err != nil {
				t.Fatal(err)
			}
			live, err := api.Application(want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := diff(want, live); len(got) != 0 {
				t.Fatalf("a fresh PUT reads back different in %v: there would be a PUT loop", got)
			}
			if at := d.Spec.RestartedAt; at != nil && (*live.Labels)[v1alpha1.RestartedAtLabel] != "2026-05-01T10:00:00Z" {
				t.Errorf("label %s = %q, want the restart time in UTC", v1alpha1.RestartedAtLabel, (*live.Labels)[v1alpha1.RestartedAtLabel])
			}
		})
	}
	d := exampleDeployment()
	want := desiredApp(d)
	drift := []struct {
		name   string
		change func(*marathon.Application)
		fields []string
	}{
		{"image", func(a *marathon.Application) { a.Container.Docker.Image = "other:2" }, []string{"container.docker.image"}},
		{"instances", func(a *marathon.Application) { n := 5; a.Instances = &n }, []string{"instances"}},
		{"an env var added", func(a *marathon.Application) { (*a.Env)["DEBUG"] = "1" }, []string{"env"}},
		{"a constraint added", func(a *marathon.Application) {
			*a.Constraints = append(*a.Constraints, []string{"rack", "GROUP_BY"})
		}, []string{"constraints"}},
		{"ownership label removed", func(a *marathon.Application) { delete(*a.Labels, LabelUID) }, []string{"labels"}},
		{"a restart label left from an earlier restart", func(a *marathon.Application) { (*a.Labels)[v1alpha1.RestartedAtLabel] = "2026-05-01T10:00:00Z" },
			[]string{"labels"}},
		{"health check path", func(a *marathon.Application) { p := "/other"; (*a.HealthChecks)[0].Path = &p }, []string{"healthChecks"}},
	}
	for _, tc := range drift {
		live := desiredApp(d)
		tc.change(live)
		if got := diff(want, live); !reflect.DeepEqual(got, tc.fields) {
			t.Errorf("%s: diff %v, want %v", tc.name, got, tc.fields)
		}
	}
}

// TestRejectedDefinition: Marathon's 422 reaches the controller as
// ErrRejected with Marathon's message.
func TestRejectedDefinition(t *testing.T) {
	c := simmarathon.New(simmarathon.Options{})
	hs := httptest.NewServer(c.Marathon())
	defer func() { c.Close(); hs.Close() }()
	mc, err := newMarathonClient(backend.Marathon{Name: "default", URLs: []string{hs.URL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd, args := "serve", []string{"--port", "80"}
	_, err = mc.PutApp(context.Background(), &marathon.Application{ID: "/ci/x", Cmd: &cmd, Args: &args}, false)
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "must either contain one of 'cmd' or 'args'") {
		t.Errorf("PUT with cmd and args: %v", err)
	}
	if _, err := mc.App(context.Background(), "/ci/none"); !errors.Is(err, ErrAppNotFound) {
		t.Errorf("GET a missing app: %v", err)
	}
}

// TestSelectorTerm: label keys are escaped for Marathon's label selector
// (terms are [-A-Za-z0-9_.] and backslash escapes), so a real Marathon
// does not answer the orphan scan 422.
func TestSelectorTerm(t *testing.T) {
	cases := []struct{ in, want string }{
		{LabelUID, `minka.dev\/uid`},
		{"plain-key_1.x", "plain-key_1.x"},
		{"a b,c==d", `a\ b\,c\=\=d`},
		{`back\slash`, `back\\slash`},
	}
	for _, c := range cases {
		if got := selectorTerm(c.in); got != c.want {
			t.Errorf("selectorTerm(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
