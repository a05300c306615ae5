package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DeploymentRollback is the body of a Deployment's rollback subresource
// (POST .../deployments/NAME/rollback), in extensions/v1beta1's shape:
// the server writes the spec of the revision named back into the
// Deployment, and the controller rolls it out.
type DeploymentRollback struct {
	metav1.TypeMeta `json:",inline"`
	// Name is the Deployment's; the URL names it too, and the two must
	// agree.
	Name string `json:"name,omitempty"`
	// RollbackTo names the revision to return to.
	RollbackTo RollbackConfig `json:"rollbackTo"`
}

// RollbackConfig names a revision of status.history.
type RollbackConfig struct {
	// Revision is an entry of the Deployment's status.history; 0 (the
	// default) is the last Good revision before the current one.
	Revision int64 `json:"revision,omitempty"`
}

// DeploymentRollbackKind is the kind a DeploymentRollback body carries.
const DeploymentRollbackKind = "DeploymentRollback"
