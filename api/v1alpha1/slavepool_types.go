package v1alpha1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +kubebuilder:object:root=true

// SlavePool is a pool of Jenkins agents booted on OpenStack, sized by hand
// (spec.replicas) or by Jenkins queue pressure (spec.autoscale).
type SlavePool struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SlavePoolSpec   `json:"spec"`
	Status SlavePoolStatus `json:"status,omitempty"`
}

// SlavePoolSpec is the pool a user wants.
type SlavePoolSpec struct {
	// Jenkins names the Jenkins backend; Cloud the clouds.yaml entry.
	Jenkins string `json:"jenkins,omitempty"`
	Cloud   string `json:"cloud,omitempty"`
	// Labels are the Jenkins labels every agent carries.
	Labels []string `json:"labels"`
	// Executors per agent (default 1).
	Executors int32 `json:"executors,omitempty"`
	// RemoteFS is the agent's Jenkins root (default /home/jenkins).
	RemoteFS string `json:"remoteFS,omitempty"`
	// Replicas is the desired agent count when autoscale is off, and the
	// starting point when it is on (default minReplicas).
	Replicas    *int32 `json:"replicas,omitempty"`
	MinReplicas int32  `json:"minReplicas"`
	// MaxReplicas caps the pool (default max(replicas, minReplicas)).
	MaxReplicas *int32     `json:"maxReplicas,omitempty"`
	Autoscale   *Autoscale `json:"autoscale,omitempty"`
	// IdleTimeout is the grace before an idle agent is removed (default 10m).
	IdleTimeout *Duration `json:"idleTimeout,omitempty"`
	// BootTimeout is how long an agent may take to come online before it is
	// replaced (default 15m).
	BootTimeout *Duration `json:"bootTimeout,omitempty"`
	// DrainTimeout bounds the wait for busy agents when the pool is deleted
	// (default 1h).
	DrainTimeout *Duration      `json:"drainTimeout,omitempty"`
	Template     ServerTemplate `json:"template"`
}

// Autoscale sizes the pool from the Jenkins queue.
type Autoscale struct {
	Enabled bool `json:"enabled"`
	// MinIdle idle agents are kept ready on top of the busy ones.
	MinIdle int32 `json:"minIdle"`
	// Cooldown is the least time between two scale decisions in opposite
	// directions (default 2m).
	Cooldown *Duration `json:"cooldown,omitempty"`
}

// ServerTemplate is how each agent's Nova server is booted.
type ServerTemplate struct {
	Image            string   `json:"image"`
	Flavor           string   `json:"flavor"`
	KeyName          string   `json:"keyName,omitempty"`
	Networks         []string `json:"networks,omitempty"`
	SecurityGroups   []string `json:"securityGroups,omitempty"`
	AvailabilityZone string   `json:"availabilityZone,omitempty"`
	// UserData is a Go text/template rendered per agent with the Jenkins
	// URL, node name and agent secret.
	UserData     string            `json:"userData,omitempty"`
	VolumeSizeGB int32             `json:"volumeSizeGB,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

// SlavePoolStatus is what the controller observed.
type SlavePoolStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	Replicas           int32 `json:"replicas,omitempty"`
	Ready              int32 `json:"ready,omitempty"`
	Busy               int32 `json:"busy,omitempty"`
	Idle               int32 `json:"idle,omitempty"`
	// Queued is the Jenkins queue demand this pool can serve.
	Queued          int32        `json:"queued,omitempty"`
	DesiredReplicas int32        `json:"desiredReplicas,omitempty"`
	Nodes           []AgentNode  `json:"nodes,omitempty"`
	LastScaleTime   *metav1.Time `json:"lastScaleTime,omitempty"`
	// ScaleHistory is queued, desired and ready over the last
	// ScaleHistoryWindow, the oldest first: a sample whenever one of the
	// three changes, at most MaxScaleSamples. The first may predate the
	// window (the values at its left edge), and samples are pruned only
	// when one is added, so a reader clips at now less ScaleHistoryWindow.
	ScaleHistory []ScaleSample `json:"scaleHistory,omitempty"`
	// Conditions: Ready, Scaling, BackendAvailable, QuotaExceeded.
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ScaleSample is the pool's demand and size at one time.
type ScaleSample struct {
	Time    metav1.Time `json:"time"`
	Queued  int32       `json:"queued"`
	Desired int32       `json:"desired"`
	Ready   int32       `json:"ready"`
}

// Bounds of SlavePoolStatus.ScaleHistory: an hour for the chart, and a
// cap so that a flapping queue cannot grow the status without end.
const (
	ScaleHistoryWindow = time.Hour
	MaxScaleSamples    = 120
)

// AgentNode is one agent of the pool.
type AgentNode struct {
	Name     string `json:"name"`
	ServerID string `json:"serverID,omitempty"`
	IP       string `json:"ip,omitempty"`
	// Phase is Provisioning, Booting, Online, Draining or Deleting.
	Phase string      `json:"phase"`
	Since metav1.Time `json:"since"`
	// Busy executors; IdleSince is when the agent last became idle.
	Busy      int32        `json:"busy,omitempty"`
	IdleSince *metav1.Time `json:"idleSince,omitempty"`
}

// +kubebuilder:object:root=true

// SlavePoolList is a list of SlavePools.
type SlavePoolList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SlavePool `json:"items"`
}
