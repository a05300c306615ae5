package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +kubebuilder:object:root=true

// Deployment is one Marathon app, id /<namespace>/<name>, rolled out,
// observed, healed and rolled back by the deployment controller.
type Deployment struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DeploymentSpec   `json:"spec"`
	Status DeploymentStatus `json:"status,omitempty"`
}

// DeploymentSpec is the app a user wants running.
type DeploymentSpec struct {
	// Marathon names the Marathon backend in the server config ("default").
	Marathon string `json:"marathon,omitempty"`
	// Image is the docker image, with its tag.
	Image string `json:"image"`
	// ForcePullImage pulls the image even when the agent has it.
	ForcePullImage bool `json:"forcePullImage,omitempty"`
	// Cmd is a shell command line; Args is an argv. At most one is set.
	Cmd  string   `json:"cmd,omitempty"`
	Args []string `json:"args,omitempty"`
	// Env is the task environment.
	Env map[string]string `json:"env,omitempty"`
	// Replicas is Marathon's instances (default 1).
	Replicas *int32 `json:"replicas,omitempty"`
	// Cpus, Mem (MiB) and Disk (MiB) are the per-task resources.
	Cpus float64 `json:"cpus,omitempty"`
	Mem  float64 `json:"mem,omitempty"`
	Disk float64 `json:"disk,omitempty"`
	// Network is BRIDGE (default), HOST or USER.
	Network string `json:"network,omitempty"`
	// Ports are the container's port mappings.
	Ports []Port `json:"ports,omitempty"`
	// Constraints are Marathon placement triples: [field, operator(, value)].
	Constraints [][]string `json:"constraints,omitempty"`
	// HealthChecks decide when a task counts as ready.
	HealthChecks []HealthCheck `json:"healthChecks,omitempty"`
	// UpgradeStrategy governs the rolling replace.
	UpgradeStrategy *UpgradeStrategy `json:"upgradeStrategy,omitempty"`
	// URIs are fetched into the sandbox before the task starts.
	URIs []string `json:"uris,omitempty"`
	// Labels are Marathon app labels (minka adds its ownership labels).
	Labels map[string]string `json:"labels,omitempty"`
	// Volumes are host paths mounted into the container.
	Volumes []Volume `json:"volumes,omitempty"`
	// ProgressDeadlineSeconds bounds a rollout; a slower one is rolled back
	// (default 600).
	ProgressDeadlineSeconds *int32 `json:"progressDeadlineSeconds,omitempty"`
	// Verify is an HTTP check of every task endpoint after a rollout; it must
	// pass before the Deployment is Available.
	Verify *Verify `json:"verify,omitempty"`
	// Paused freezes the Marathon app as it is.
	Paused bool `json:"paused,omitempty"`
	// RestartedAt asks for a new rollout of the same definition, as
	// kubectl's restartedAt annotation does: the controller puts it into
	// the Marathon app as the label MINKA_RESTARTED_AT (RFC 3339), so
	// that Marathon deploys a new version and replaces every task.
	// `minka rollout restart` sets it to now.
	RestartedAt *metav1.Time `json:"restartedAt,omitempty"`
	// RevisionHistoryLimit is how many revisions status.history keeps,
	// the oldest dropped first (default 10, at most 100).
	RevisionHistoryLimit *int32 `json:"revisionHistoryLimit,omitempty"`
}

// Port is one container port mapping.
type Port struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	// HostPort 0 lets Mesos pick one from the agent's range.
	HostPort int32 `json:"hostPort,omitempty"`
	// ServicePort is the load balancer's port (service discovery).
	ServicePort int32 `json:"servicePort,omitempty"`
	// Protocol is tcp (default), udp or "udp,tcp".
	Protocol string `json:"protocol,omitempty"`
}

// HealthCheck is a Marathon health check.
type HealthCheck struct {
	// Protocol is HTTP, HTTPS, TCP, COMMAND, MESOS_HTTP, MESOS_HTTPS or MESOS_TCP.
	Protocol string `json:"protocol,omitempty"`
	Path     string `json:"path,omitempty"`
	// PortIndex or PortName selects the port (minka sends a name as its
	// index: go-marathon v0.7.1 has no portName); Command is for COMMAND checks.
	PortIndex              *int32 `json:"portIndex,omitempty"`
	PortName               string `json:"portName,omitempty"`
	Command                string `json:"command,omitempty"`
	GracePeriodSeconds     int32  `json:"gracePeriodSeconds,omitempty"`
	IntervalSeconds        int32  `json:"intervalSeconds,omitempty"`
	TimeoutSeconds         int32  `json:"timeoutSeconds,omitempty"`
	MaxConsecutiveFailures *int32 `json:"maxConsecutiveFailures,omitempty"`
}

// UpgradeStrategy is Marathon's: the share of healthy capacity kept and the
// share of extra capacity allowed during a rolling replace, each in [0, 1].
type UpgradeStrategy struct {
	MinimumHealthCapacity *float64 `json:"minimumHealthCapacity,omitempty"`
	MaximumOverCapacity   *float64 `json:"maximumOverCapacity,omitempty"`
}

// Volume mounts a host path into the container.
type Volume struct {
	ContainerPath string `json:"containerPath"`
	HostPath      string `json:"hostPath"`
	// Mode is RO or RW (default RW).
	Mode string `json:"mode,omitempty"`
}

// Verify is the post-rollout check: GET Path on every task endpoint.
type Verify struct {
	Path string `json:"path"`
	// PortIndex selects the port (default 0).
	PortIndex int32 `json:"portIndex,omitempty"`
	// TimeoutSeconds bounds each GET (default 5).
	TimeoutSeconds int32 `json:"timeoutSeconds,omitempty"`
}

// DeploymentStatus is what the controller observed.
type DeploymentStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// AppVersion is the Marathon app version running; DeploymentID is set
	// while a Marathon deployment is in flight.
	AppVersion   string `json:"appVersion,omitempty"`
	DeploymentID string `json:"deploymentId,omitempty"`
	// LastGoodVersion is the last app version that was healthy: the rollback target.
	LastGoodVersion string `json:"lastGoodVersion,omitempty"`
	// FailedGeneration is the spec generation that was rolled back; it is
	// not applied again until the spec changes.
	FailedGeneration int64 `json:"failedGeneration,omitempty"`
	// LastProgressTime is when the rollout last made progress (it started,
	// or more updated replicas became ready); progressDeadlineSeconds
	// counts from it.
	LastProgressTime *metav1.Time `json:"lastProgressTime,omitempty"`
	// VerifiedVersion is the app version whose endpoints passed spec.verify.
	VerifiedVersion   string     `json:"verifiedVersion,omitempty"`
	Replicas          int32      `json:"replicas,omitempty"`
	ReadyReplicas     int32      `json:"readyReplicas,omitempty"`
	UpdatedReplicas   int32      `json:"updatedReplicas,omitempty"`
	AvailableReplicas int32      `json:"availableReplicas,omitempty"`
	Endpoints         []Endpoint `json:"endpoints,omitempty"`
	// Conditions: Available, Progressing, Degraded.
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// History is the revisions the controller rolled out, the newest
	// last: one per spec (replicas aside) applied to Marathon, at most
	// spec.revisionHistoryLimit of them and MaxHistoryBytes encoded.
	// `minka rollout history` lists them; `minka rollout undo` restores
	// one.
	History []DeploymentRevision `json:"history,omitempty"`
}

// DeploymentRevision is one revision of a Deployment: a spec the
// controller applied to Marathon, and how its rollout went.
type DeploymentRevision struct {
	// Revision numbers a Deployment's revisions, from 1 up; a number is
	// never given twice.
	Revision int64 `json:"revision"`
	// Generation is the newest metadata.generation with this spec: a
	// scale moves it, not the revision.
	Generation int64 `json:"generation"`
	// AppVersion is the Marathon app version that runs the revision (the
	// newest, when a scale or a drift repair made another).
	AppVersion string `json:"appVersion,omitempty"`
	// Image is the revision's spec.image.
	Image string `json:"image"`
	// Result is Progressing (rolling out), Good (rolled out: every
	// replica ready, verify passed), RolledBack (failed and rolled back)
	// or Superseded (another spec was applied before it was Good).
	Result string `json:"result"`
	// Time is when the result was last set.
	Time metav1.Time `json:"time"`
	// Spec is the spec the revision was made from, without replicas and
	// revisionHistoryLimit: what `rollout undo` restores. It is left out
	// when it alone would not fit MaxHistoryBytes.
	Spec *DeploymentSpec `json:"spec,omitempty"`
}

// Endpoint is one task's address (service discovery).
type Endpoint struct {
	TaskID       string  `json:"taskId,omitempty"`
	Host         string  `json:"host"`
	Ports        []int32 `json:"ports,omitempty"`
	ServicePorts []int32 `json:"servicePorts,omitempty"`
	Healthy      bool    `json:"healthy,omitempty"`
	Version      string  `json:"version,omitempty"`
}

// +kubebuilder:object:root=true

// DeploymentList is a list of Deployments.
type DeploymentList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Deployment `json:"items"`
}
