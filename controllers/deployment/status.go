package deployment

import (
	"sort"

	marathon "github.com/gambol99/go-marathon"

	"minka/api/v1alpha1"
)

// Condition types and reasons, Kubernetes-style.
const (
	Available   = "Available"
	Progressing = "Progressing"
	Degraded    = "Degraded"

	ReasonAllReplicasReady      = "AllReplicasReady"
	ReasonReplicasNotReady      = "ReplicasNotReady"
	ReasonAppMissing            = "AppMissing"
	ReasonVerifyPending         = "VerifyPending"
	ReasonVerifyFailed          = "VerifyFailed"
	ReasonRollingOut            = "RollingOut"
	ReasonRolloutComplete       = "RolloutComplete"
	ReasonInsufficientResources = "InsufficientResources"
	ReasonDeploymentPaused      = "DeploymentPaused"
	ReasonRollingBack           = "RollingBack" // recorded, the rollback not yet done
	ReasonRolledBack            = "RolledBack"
	ReasonAsExpected            = "AsExpected"
	ReasonMarathonUnavailable   = "MarathonUnavailable"
	ReasonAppLocked             = "AppLocked"
	ReasonAppRejected           = "AppRejected"
	ReasonBackendNotConfigured  = "BackendNotConfigured"
	ReasonSealedValueUnreadable = "SealedValueUnreadable"
)

// observed is what Marathon says about the app.
type observed struct {
	app                                 *marathon.Application // nil: no such app
	replicas, ready, updated, available int32
	endpoints                           []v1alpha1.Endpoint
	deploymentID                        string // a deployment in flight
	perHost                             map[string]int
}

func observe(app *marathon.Application) observed {
	o := observed{app: app, perHost: map[string]int{}}
	if app == nil {
		return o
	}
	if len(app.Deployments) > 0 {
		o.deploymentID = app.Deployments[0]["id"]
	}
	checks := app.HealthChecks != nil && len(*app.HealthChecks) > 0
	config := app.Version
	if app.VersionInfo != nil && app.VersionInfo.LastConfigChangeAt != "" {
		config = app.VersionInfo.LastConfigChangeAt
	}
	for _, t := range app.Tasks {
		o.replicas++
		o.perHost[t.Host]++
		ready := t.State == "TASK_RUNNING" && (!checks || allAlive(t.HealthCheckResults))
		// A task runs the current config when it started at or after the
		// last config change (a scale does not restart tasks).
		updated := t.Version >= config
		if ready {
			o.ready++
		}
		if updated {
			o.updated++
		}
		if ready && updated {
			o.available++
		}
		if t.State != "TASK_RUNNING" {
			continue
		}
		ep := v1alpha1.Endpoint{TaskID: t.ID, Host: t.Host, Healthy: ready, Version: t.Version}
		for _, p := range t.Ports {
			ep.Ports = append(ep.Ports, int32(p))
		}
		for _, p := range app.Ports {
			ep.ServicePorts = append(ep.ServicePorts, int32(p))
		}
		o.endpoints = append(o.endpoints, ep)
	}
	sort.Slice(o.endpoints, func(i, j int) bool {
		a, b := o.endpoints[i], o.endpoints[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.TaskID < b.TaskID
	})
	return o
}

func allAlive(rs []*marathon.HealthCheckResult) bool {
	if len(rs) == 0 {
		return false
	}
	for _, r := range rs {
		if r == nil || !r.Alive {
			return false
		}
	}
	return true
}

// instances is what the app asks Marathon to run.
func instances(app *marathon.Application) int32 {
	if app == nil || app.Instances == nil {
		return 0
	}
	return int32(*app.Instances)
}

// recordObserved copies the observation into the status.
func recordObserved(s *v1alpha1.DeploymentStatus, o observed) {
	s.Replicas, s.ReadyReplicas, s.UpdatedReplicas, s.AvailableReplicas = o.replicas, o.ready, o.updated, o.available
	s.Endpoints = o.endpoints
	s.DeploymentID = o.deploymentID
	s.AppVersion = ""
	if o.app != nil {
		s.AppVersion = o.app.Version
	}
}
