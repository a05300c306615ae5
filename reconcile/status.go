package reconcile

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// SetCondition sets a condition by type. lastTransitionTime moves only when
// the status flips (apimachinery's SetStatusCondition); the result says
// whether anything changed, so a caller can skip the write.
func SetCondition(conds *[]metav1.Condition, c metav1.Condition) bool {
	return meta.SetStatusCondition(conds, c)
}

// StatusWriter writes status subresources.
type StatusWriter interface {
	UpdateStatus(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
}

// UpdateStatus writes obj's status unless obj equals orig, the object as
// read before this reconcile changed it: a controller at rest writes
// nothing and costs no round trip. It reports whether it wrote.
func UpdateStatus(ctx context.Context, w StatusWriter, orig, obj v1alpha1.Object) (bool, error) {
	if equality.Semantic.DeepEqual(orig, obj) {
		return false, nil
	}
	_, err := w.UpdateStatus(ctx, obj)
	return err == nil, err
}
