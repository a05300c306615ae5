package v1alpha1

import (
	"time"
)

// DefaultBackend is the backend name a spec gets when it names none.
const DefaultBackend = "default"

// Default fills unset fields with their defaults. It is idempotent:
// defaulting a defaulted object changes nothing, which is what lets an
// unchanged manifest re-apply without a write. Fields inside list items are
// left as written (see DefaultItems).
func Default(obj Object) {
	if k, err := KindOf(obj); err == nil {
		if k.Namespaced && obj.GetNamespace() == "" {
			obj.SetNamespace("default")
		}
		defaultFinalizer(k.Kind, obj)
	}
	switch o := obj.(type) {
	case *Deployment:
		defaultDeployment(&o.Spec)
	case *SlavePool:
		defaultSlavePool(&o.Spec)
	case *Repo:
		defaultRepo(&o.Spec)
	case *Pipeline:
		defaultPipeline(&o.Spec)
	case *Build:
		// A Build carries its Pipeline's name as a label, for selectors
		// (minka get builds -l minka.dev/pipeline=webapp): derived, so
		// that no manifest can drop or contradict it.
		if o.Spec.Pipeline != "" {
			if o.Labels == nil {
				o.Labels = map[string]string{}
			}
			o.Labels[LabelPipeline] = o.Spec.Pipeline
		}
	case *Event:
		defaultString(&o.Type, EventTypeNormal)
	case *Alert:
		defaultString(&o.Spec.Severity, EventTypeNormal)
		defaultDuration(&o.Spec.RepeatInterval, DefaultRepeatInterval)
	}
}

// DefaultRepeatInterval is how soon an Alert sends a repeated event again.
const DefaultRepeatInterval = time.Hour

func defaultDeployment(s *DeploymentSpec) {
	defaultString(&s.Marathon, DefaultBackend)
	defaultInt(&s.Replicas, 1)
	defaultString(&s.Network, "BRIDGE")
	defaultInt(&s.ProgressDeadlineSeconds, 600)
	if s.UpgradeStrategy == nil {
		s.UpgradeStrategy = &UpgradeStrategy{}
	}
	defaultFloat(&s.UpgradeStrategy.MinimumHealthCapacity, 1)
	defaultFloat(&s.UpgradeStrategy.MaximumOverCapacity, 1)
	if s.Verify != nil && s.Verify.TimeoutSeconds == 0 {
		s.Verify.TimeoutSeconds = 5
	}
}

// defaultHealthCheck applies Marathon's own defaults, so that the spec
// says what Marathon will run.
func defaultHealthCheck(h *HealthCheck) {
	defaultString(&h.Protocol, "HTTP")
	if h.GracePeriodSeconds == 0 {
		h.GracePeriodSeconds = 300
	}
	if h.IntervalSeconds == 0 {
		h.IntervalSeconds = 60
	}
	if h.TimeoutSeconds == 0 {
		h.TimeoutSeconds = 20
	}
	defaultInt(&h.MaxConsecutiveFailures, 3)
	if h.Protocol != "COMMAND" && h.PortName == "" {
		defaultInt(&h.PortIndex, 0)
	}
	if (h.Protocol == "HTTP" || h.Protocol == "HTTPS" || h.Protocol == "MESOS_HTTP" || h.Protocol == "MESOS_HTTPS") && h.Path == "" {
		h.Path = "/"
	}
}

func defaultSlavePool(s *SlavePoolSpec) {
	defaultString(&s.Jenkins, DefaultBackend)
	defaultString(&s.Cloud, DefaultBackend)
	if s.Executors == 0 {
		s.Executors = 1
	}
	defaultString(&s.RemoteFS, "/home/jenkins")
	defaultInt(&s.Replicas, s.MinReplicas)
	defaultInt(&s.MaxReplicas, max(*s.Replicas, s.MinReplicas))
	defaultDuration(&s.IdleTimeout, 10*time.Minute)
	defaultDuration(&s.BootTimeout, 15*time.Minute)
	defaultDuration(&s.DrainTimeout, time.Hour)
	if s.Autoscale != nil {
		defaultDuration(&s.Autoscale.Cooldown, 2*time.Minute)
	}
}

func defaultRepo(s *RepoSpec) {
	defaultString(&s.Chacra, DefaultBackend)
	defaultString(&s.Flavor, "default")
	defaultDuration(&s.BuildTimeout, 30*time.Minute)
	defaultInt(&s.MaxRetries, 3)
	defaultString(&s.DeletePolicy, RepoRetain)
}

func defaultPipeline(s *PipelineSpec) {
	defaultString(&s.Jenkins, DefaultBackend)
	defaultInt(&s.HistoryLimit, 10)
	if s.Concurrency == nil {
		s.Concurrency = &Concurrency{}
	}
	defaultString(&s.Concurrency.Policy, ConcurrencyAllow)
	defaultString(&s.Concurrency.Key, KeyBranch)
	if s.Trigger == nil {
		s.Trigger = &Trigger{}
	}
	if s.Trigger.Manual == nil {
		t := true
		s.Trigger.Manual = &t
	}
	if s.Deploy != nil {
		defaultString(&s.Deploy.When, "stable")
	}
	if s.Artifacts != nil && s.Artifacts.Repo != nil {
		defaultString(&s.Artifacts.Repo.Chacra, DefaultBackend)
		defaultString(&s.Artifacts.Repo.Flavor, "default")
	}
}

// DefaultItems fills the defaults of fields inside list items: port
// protocols, health checks, volume modes and distro arches. They are not
// stored: kubectl's client-side apply sends a JSON merge patch, which
// replaces a list whole, so a live list with defaults inside its items
// differs from the manifest's on every re-apply. Validation and the
// controllers read an object through DefaultItems instead.
func DefaultItems(obj Object) {
	switch o := obj.(type) {
	case *Deployment:
		s := &o.Spec
		for i := range s.Ports {
			defaultString(&s.Ports[i].Protocol, "tcp")
		}
		for i := range s.HealthChecks {
			defaultHealthCheck(&s.HealthChecks[i])
		}
		for i := range s.Volumes {
			defaultString(&s.Volumes[i].Mode, "RW")
		}
	case *Repo:
		defaultDistros(o.Spec.Distros)
	case *Pipeline:
		if a := o.Spec.Artifacts; a != nil && a.Repo != nil {
			defaultDistros(a.Repo.Distros)
		}
	}
}

func defaultDistros(ds []Distro) {
	for i := range ds {
		defaultString(&ds[i].Arch, DefaultArch)
	}
}

// DefaultArch is the arch of a distro that names none.
const DefaultArch = "x86_64"

// WithArch is the distro with its arch defaulted, for comparing a written
// distro with a defaulted one.
func (d Distro) WithArch() Distro {
	defaultString(&d.Arch, DefaultArch)
	return d
}

func defaultString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func defaultInt(p **int32, v int32) {
	if *p == nil {
		*p = &v
	}
}

func defaultFloat(p **float64, v float64) {
	if *p == nil {
		*p = &v
	}
}

func defaultDuration(p **Duration, d time.Duration) {
	if *p == nil {
		*p = NewDuration(d)
	}
}
