package v1alpha1

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	networks          = []string{"BRIDGE", "HOST", "USER"}
	portProtocols     = []string{"tcp", "udp", "udp,tcp"}
	healthProtocols   = []string{"HTTP", "HTTPS", "TCP", "COMMAND", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"}
	volumeModes       = []string{"RO", "RW"}
	envName           = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	constraintArities = map[string][]int{
		"UNIQUE": {2}, "CLUSTER": {2, 3}, "GROUP_BY": {2, 3}, "LIKE": {3}, "UNLIKE": {3}, "MAX_PER": {3}, "IS": {3},
	}
)

func validateDeployment(s *DeploymentSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateBackend(s.Marathon, p.Child("marathon"))...)
	errs = append(errs, validateImage(s.Image, p.Child("image"))...)
	if s.Cmd != "" && len(s.Args) > 0 {
		errs = append(errs, field.Forbidden(p.Child("args"), "may not be set together with spec.cmd"))
	}
	errs = append(errs, tooLong(s.Cmd, MaxTextBytes, p.Child("cmd"))...)
	errs = append(errs, texts(s.Args, MaxTextBytes, p.Child("args"))...)
	for k := range s.Env {
		if !envName.MatchString(k) {
			errs = append(errs, field.Invalid(p.Child("env").Key(k), k, "must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)"))
		}
	}
	errs = append(errs, textValues(s.Env, MaxTextBytes, p.Child("env"))...)
	errs = append(errs, textValues(s.Labels, MaxTextBytes, p.Child("labels"))...)
	if _, ok := s.Labels[RestartedAtLabel]; ok {
		errs = append(errs, field.Forbidden(p.Child("labels").Key(RestartedAtLabel), "is set from spec.restartedAt"))
	}
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, between(*s.RevisionHistoryLimit, 1, MaxRevisionHistoryLimit, p.Child("revisionHistoryLimit"))...)
	}
	if s.Replicas != nil {
		errs = append(errs, between(*s.Replicas, 0, MaxDeploymentReplicas, p.Child("replicas"))...)
	}
	errs = append(errs, positive(s.Cpus, p.Child("cpus"))...)
	errs = append(errs, positive(s.Mem, p.Child("mem"))...)
	if s.Disk < 0 {
		errs = append(errs, field.Invalid(p.Child("disk"), s.Disk, "must be >= 0"))
	}
	errs = append(errs, oneOf(s.Network, networks, p.Child("network"))...)
	errs = append(errs, validatePorts(s.Ports, p.Child("ports"))...)
	for i, c := range s.Constraints {
		errs = append(errs, validateConstraint(c, p.Child("constraints").Index(i))...)
	}
	for i := range s.HealthChecks {
		errs = append(errs, validateHealthCheck(&s.HealthChecks[i], s.Ports, p.Child("healthChecks").Index(i))...)
	}
	if u := s.UpgradeStrategy; u != nil {
		errs = append(errs, unitInterval(u.MinimumHealthCapacity, p.Child("upgradeStrategy", "minimumHealthCapacity"))...)
		errs = append(errs, unitInterval(u.MaximumOverCapacity, p.Child("upgradeStrategy", "maximumOverCapacity"))...)
	}
	for i, u := range s.URIs {
		if len(u) > MaxTextBytes {
			errs = append(errs, field.TooLong(p.Child("uris").Index(i), "", MaxTextBytes))
		} else if pu, err := url.Parse(u); err != nil || !pu.IsAbs() {
			errs = append(errs, field.Invalid(p.Child("uris").Index(i), u, "must be an absolute URL"))
		}
	}
	for i, v := range s.Volumes {
		vp := p.Child("volumes").Index(i)
		if len(v.HostPath) > maxPathBytes {
			errs = append(errs, field.TooLong(vp.Child("hostPath"), "", maxPathBytes))
		} else if !strings.HasPrefix(v.HostPath, "/") {
			errs = append(errs, field.Invalid(vp.Child("hostPath"), v.HostPath, "must be an absolute path"))
		}
		if v.ContainerPath == "" {
			errs = append(errs, field.Required(vp.Child("containerPath"), ""))
		}
		errs = append(errs, tooLong(v.ContainerPath, maxPathBytes, vp.Child("containerPath"))...)
		errs = append(errs, oneOf(v.Mode, volumeModes, vp.Child("mode"))...)
	}
	if s.ProgressDeadlineSeconds != nil && *s.ProgressDeadlineSeconds <= 0 {
		errs = append(errs, field.Invalid(p.Child("progressDeadlineSeconds"), *s.ProgressDeadlineSeconds, "must be > 0"))
	}
	if v := s.Verify; v != nil {
		vp := p.Child("verify")
		if len(v.Path) > MaxTextBytes {
			errs = append(errs, field.TooLong(vp.Child("path"), "", MaxTextBytes))
		} else if !strings.HasPrefix(v.Path, "/") {
			errs = append(errs, field.Invalid(vp.Child("path"), v.Path, `must start with "/"`))
		}
		if v.PortIndex < 0 || int(v.PortIndex) >= max(len(s.Ports), 1) {
			errs = append(errs, field.Invalid(vp.Child("portIndex"), v.PortIndex, fmt.Sprintf("must index spec.ports (%d ports)", len(s.Ports))))
		}
		if v.TimeoutSeconds <= 0 {
			errs = append(errs, field.Invalid(vp.Child("timeoutSeconds"), v.TimeoutSeconds, "must be > 0"))
		}
	}
	return errs
}

func validatePorts(ports []Port, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	names, mappings, service := sets.New[string](), sets.New[string](), sets.New[int32]()
	for i, port := range ports {
		pp := p.Index(i)
		if port.Name != "" {
			for _, msg := range validation.IsDNS1123Label(port.Name) {
				errs = append(errs, field.Invalid(pp.Child("name"), port.Name, msg))
			}
			if names.Has(port.Name) {
				errs = append(errs, field.Duplicate(pp.Child("name"), port.Name))
			}
			names.Insert(port.Name)
		}
		if port.ContainerPort < 1 || port.ContainerPort > 65535 {
			errs = append(errs, field.Invalid(pp.Child("containerPort"), port.ContainerPort, "must be between 1 and 65535"))
		}
		for _, f := range []struct {
			name string
			v    int32
		}{{"hostPort", port.HostPort}, {"servicePort", port.ServicePort}} {
			if f.v < 0 || f.v > 65535 {
				errs = append(errs, field.Invalid(pp.Child(f.name), f.v, "must be between 0 and 65535"))
			}
		}
		errs = append(errs, oneOf(port.Protocol, portProtocols, pp.Child("protocol"))...)
		m := fmt.Sprintf("%d/%s", port.ContainerPort, port.Protocol)
		if mappings.Has(m) {
			errs = append(errs, field.Duplicate(pp.Child("containerPort"), m))
		}
		mappings.Insert(m)
		if port.ServicePort != 0 {
			if service.Has(port.ServicePort) {
				errs = append(errs, field.Duplicate(pp.Child("servicePort"), port.ServicePort))
			}
			service.Insert(port.ServicePort)
		}
	}
	return errs
}

// validateConstraint checks a Marathon constraint triple
// [field, OPERATOR(, value)] against the operator's arity and value type.
func validateConstraint(c []string, p *field.Path) field.ErrorList {
	if errs := texts(c, MaxTextBytes, p); len(errs) > 0 {
		return errs
	}
	if len(c) < 2 || c[0] == "" {
		return field.ErrorList{field.Invalid(p, c, "must be [field, operator] or [field, operator, value]")}
	}
	op := c[1]
	arities, ok := constraintArities[op]
	if !ok {
		return field.ErrorList{field.NotSupported(p.Index(1), op, sets.List(sets.KeySet(constraintArities)))}
	}
	if !containsInt(arities, len(c)) {
		return field.ErrorList{field.Invalid(p, c, fmt.Sprintf("%s takes %s elements, got %d", op, arityText(arities), len(c)))}
	}
	if len(c) < 3 {
		return nil
	}
	switch op {
	case "GROUP_BY", "MAX_PER":
		if n, err := strconv.Atoi(c[2]); err != nil || n < 1 {
			return field.ErrorList{field.Invalid(p.Index(2), c[2], op+" needs a positive integer")}
		}
	case "LIKE", "UNLIKE":
		if _, err := regexp.Compile(c[2]); err != nil {
			return field.ErrorList{field.Invalid(p.Index(2), c[2], "not a regular expression: "+err.Error())}
		}
	}
	return nil
}

func validateHealthCheck(h *HealthCheck, ports []Port, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, oneOf(h.Protocol, healthProtocols, p.Child("protocol"))...)
	switch h.Protocol {
	case "COMMAND":
		if h.Command == "" {
			errs = append(errs, field.Required(p.Child("command"), "a COMMAND health check runs a command"))
		}
	case "HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS":
		if len(h.Path) > MaxTextBytes {
			errs = append(errs, field.TooLong(p.Child("path"), "", MaxTextBytes))
		} else if !strings.HasPrefix(h.Path, "/") {
			errs = append(errs, field.Invalid(p.Child("path"), h.Path, `must start with "/"`))
		}
	}
	errs = append(errs, tooLong(h.Command, MaxTextBytes, p.Child("command"))...)
	if h.Protocol != "COMMAND" {
		if h.PortName != "" && !hasPortName(ports, h.PortName) {
			errs = append(errs, field.NotFound(p.Child("portName"), h.PortName))
		}
		if h.PortIndex != nil && (*h.PortIndex < 0 || int(*h.PortIndex) >= len(ports)) {
			errs = append(errs, field.Invalid(p.Child("portIndex"), *h.PortIndex, fmt.Sprintf("must index spec.ports (%d ports)", len(ports))))
		}
	}
	for _, f := range []struct {
		name string
		v    int32
	}{{"gracePeriodSeconds", h.GracePeriodSeconds}, {"intervalSeconds", h.IntervalSeconds}, {"timeoutSeconds", h.TimeoutSeconds}} {
		if f.v < 0 {
			errs = append(errs, field.Invalid(p.Child(f.name), f.v, "must be >= 0"))
		}
	}
	if h.MaxConsecutiveFailures != nil && *h.MaxConsecutiveFailures < 0 {
		errs = append(errs, field.Invalid(p.Child("maxConsecutiveFailures"), *h.MaxConsecutiveFailures, "must be >= 0"))
	}
	return errs
}

// dockerRef is a loose docker reference: registry/path:tag or @digest,
// with no whitespace and no uppercase repository.
var dockerRef = regexp.MustCompile(`^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$`)

func validateImage(image string, p *field.Path) field.ErrorList {
	if image == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	if len(image) > maxImageBytes {
		return field.ErrorList{field.TooLong(p, "", maxImageBytes)}
	}
	if !dockerRef.MatchString(image) {
		return field.ErrorList{field.Invalid(p, image, "not a docker image reference (registry/repository:tag)")}
	}
	return validateImageName(imageName(image), p)
}

// validateImageName holds the repository part of a reference (before any
// tag or digest) to distribution/reference's 255 characters.
func validateImageName(name string, p *field.Path) field.ErrorList {
	if len(name) <= maxImageNameBytes {
		return nil
	}
	e := field.TooLong(p, "", maxImageNameBytes)
	e.Detail = fmt.Sprintf("the repository name (before :tag and @digest) may not be more than %d bytes", maxImageNameBytes)
	return field.ErrorList{e}
}

// imageName is a reference without its @digest and :tag.
func imageName(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	return ref
}

func hasPortName(ports []Port, name string) bool {
	for _, p := range ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func arityText(a []int) string {
	if len(a) == 1 {
		return strconv.Itoa(a[0])
	}
	return fmt.Sprintf("%d or %d", a[0], a[1])
}
