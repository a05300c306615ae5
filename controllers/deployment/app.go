package deployment

import (
	"strconv"
	"time"

	marathon "github.com/gambol99/go-marathon"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/sealed"
	"minka/api/v1alpha1"
)

// Ownership labels minka puts on every app it manages: after a crash it
// finds its apps by them, and an app whose object is gone is an orphan.
const (
	LabelNamespace = "minka.dev/namespace"
	LabelName      = "minka.dev/name"
	LabelUID       = "minka.dev/uid"
)

// AppID is the Marathon app of a Deployment: /<namespace>/<name>.
func AppID(namespace, name string) string { return "/" + namespace + "/" + name }

// desired is the app definition the spec asks for, with the env's sealed
// values opened: Marathon is handed them in clear, and drift is found by
// comparing with what it holds, in memory. The clear values go nowhere
// else: diff names fields, never values. Its error names the env key.
func (r *reconciler) desired(d *v1alpha1.Deployment) (*marathon.Application, error) {
	env, err := v1alpha1.OpenMap(r.keys, d.Spec.Env, field.NewPath("spec", "env"), sealed.NamespaceScope(d.Namespace))
	if err != nil {
		return nil, err
	}
	open := d.DeepCopy()
	open.Spec.Env = env
	return desiredApp(open), nil
}

// desiredApp is the app definition the spec asks for. Every collection is
// sent, empty or not: Marathon's PUT keeps fields a body leaves out, so a
// constraint removed from the spec must be sent as an empty list.
func desiredApp(d *v1alpha1.Deployment) *marathon.Application {
	d = d.DeepCopy()
	v1alpha1.DefaultItems(d) // port protocols and health checks as Marathon defaults them
	s := &d.Spec
	app := &marathon.Application{ID: AppID(d.Namespace, d.Name), CPUs: s.Cpus}
	instances := int(*s.Replicas)
	app.Instances = &instances
	app.Mem, app.Disk = &s.Mem, &s.Disk
	if s.Cmd != "" {
		app.Cmd = &s.Cmd
	}
	if len(s.Args) > 0 {
		args := append([]string(nil), s.Args...)
		app.Args = &args
	}
	env := map[string]string{}
	for k, v := range s.Env {
		env[k] = v
	}
	app.Env = &env
	labels := map[string]string{}
	for k, v := range s.Labels {
		labels[k] = v
	}
	labels[LabelNamespace], labels[LabelName], labels[LabelUID] = d.Namespace, d.Name, string(d.UID)
	if s.RestartedAt != nil {
		// A new label value is a new app definition: Marathon deploys a
		// new version and replaces the tasks (diff compares labels
		// exactly, so once PUT it is at rest again).
		labels[v1alpha1.RestartedAtLabel] = s.RestartedAt.UTC().Format(time.RFC3339)
	}
	app.Labels = &labels
	constraints := [][]string{}
	for _, c := range s.Constraints {
		constraints = append(constraints, append([]string(nil), c...))
	}
	app.Constraints = &constraints
	uris := append([]string{}, s.URIs...)
	app.Uris = &uris
	checks := []marathon.HealthCheck{}
	for _, h := range s.HealthChecks {
		checks = append(checks, healthCheck(h, s.Ports))
	}
	app.HealthChecks = &checks
	app.UpgradeStrategy = &marathon.UpgradeStrategy{
		MinimumHealthCapacity: s.UpgradeStrategy.MinimumHealthCapacity,
		MaximumOverCapacity:   s.UpgradeStrategy.MaximumOverCapacity,
	}
	app.Container = container(s)
	if s.Network == "HOST" {
		defs := []marathon.PortDefinition{}
		for _, p := range s.Ports {
			def := marathon.PortDefinition{Protocol: p.Protocol, Name: p.Name}
			if p.ServicePort != 0 { // absent: Marathon assigns one
				port := int(p.ServicePort)
				def.Port = &port
			}
			defs = append(defs, def)
		}
		app.PortDefinitions = &defs
	}
	return app
}

func container(s *v1alpha1.DeploymentSpec) *marathon.Container {
	force := s.ForcePullImage
	docker := &marathon.Docker{Image: s.Image, Network: s.Network, ForcePullImage: &force}
	if s.Network != "HOST" {
		mappings := []marathon.PortMapping{}
		for _, p := range s.Ports {
			mappings = append(mappings, marathon.PortMapping{ContainerPort: int(p.ContainerPort), HostPort: int(p.HostPort),
				ServicePort: int(p.ServicePort), Protocol: p.Protocol, Name: p.Name})
		}
		docker.PortMappings = &mappings
	}
	volumes := []marathon.Volume{}
	for _, v := range s.Volumes {
		volumes = append(volumes, marathon.Volume{ContainerPath: v.ContainerPath, HostPath: v.HostPath, Mode: v.Mode})
	}
	return &marathon.Container{Type: "DOCKER", Docker: docker, Volumes: &volumes}
}

// healthCheck is a spec check as go-marathon sends it; a port name
// becomes its index (go-marathon v0.7.1 has no portName).
func healthCheck(h v1alpha1.HealthCheck, ports []v1alpha1.Port) marathon.HealthCheck {
	hc := marathon.HealthCheck{Protocol: h.Protocol, GracePeriodSeconds: int(h.GracePeriodSeconds),
		IntervalSeconds: int(h.IntervalSeconds), TimeoutSeconds: int(h.TimeoutSeconds)}
	if h.Path != "" {
		hc.Path = &h.Path
	}
	if h.MaxConsecutiveFailures != nil {
		n := int(*h.MaxConsecutiveFailures)
		hc.MaxConsecutiveFailures = &n
	}
	switch {
	case h.PortIndex != nil:
		i := int(*h.PortIndex)
		hc.PortIndex = &i
	case h.PortName != "":
		for i, p := range ports {
			if p.Name == h.PortName {
				hc.PortIndex = &i
			}
		}
	}
	if h.Command != "" {
		hc.Command = &marathon.Command{Value: h.Command}
	}
	return hc
}

// owner returns the namespace, name and uid an app's labels name, if it
// carries minka's ownership labels.
func owner(app *marathon.Application) (ns, name, uid string, ok bool) {
	if app.Labels == nil {
		return "", "", "", false
	}
	l := *app.Labels
	ns, name, uid = l[LabelNamespace], l[LabelName], l[LabelUID]
	return ns, name, uid, ns != "" && name != "" && uid != ""
}

// itoa is for messages.
func itoa(n int) string { return strconv.Itoa(n) }
