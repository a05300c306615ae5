package v1alpha1

import (
	"fmt"
	"k8s.io/apimachinery/pkg/api/meta"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Hand-written because these accessors are the store's view of a kind:
// which part is spec (bumps generation) and which is status (written only
// through the status subresource).

func (o *Deployment) SpecValue() any { return o.Spec }
func (o *SlavePool) SpecValue() any  { return o.Spec }
func (o *Repo) SpecValue() any       { return o.Spec }
func (o *Pipeline) SpecValue() any   { return o.Spec }
func (o *Build) SpecValue() any      { return o.Spec }
func (o *Alert) SpecValue() any      { return o.Spec }

func (o *Deployment) CopyStatusFrom(src Object) { o.Status = *src.(*Deployment).Status.DeepCopy() }
func (o *SlavePool) CopyStatusFrom(src Object)  { o.Status = *src.(*SlavePool).Status.DeepCopy() }
func (o *Repo) CopyStatusFrom(src Object)       { o.Status = *src.(*Repo).Status.DeepCopy() }
func (o *Pipeline) CopyStatusFrom(src Object)   { o.Status = *src.(*Pipeline).Status.DeepCopy() }
func (o *Build) CopyStatusFrom(src Object)      { o.Status = *src.(*Build).Status.DeepCopy() }
func (o *Alert) CopyStatusFrom(src Object)      { o.Status = *src.(*Alert).Status.DeepCopy() }

// GetReplicas implements Scalable.
func (o *Deployment) GetReplicas() (int32, int32) {
	return deref(o.Spec.Replicas, 1), o.Status.Replicas
}

// SetReplicas implements Scalable.
func (o *Deployment) SetReplicas(n int32) { o.Spec.Replicas = &n }

// ScaleSelector implements Scalable: the Marathon ownership labels.
func (o *Deployment) ScaleSelector() string {
	return fmt.Sprintf("minka.dev/namespace=%s,minka.dev/name=%s", o.Namespace, o.Name)
}

// GetReplicas implements Scalable.
func (o *SlavePool) GetReplicas() (int32, int32) {
	return deref(o.Spec.Replicas, o.Spec.MinReplicas), o.Status.Replicas
}

// SetReplicas implements Scalable.
func (o *SlavePool) SetReplicas(n int32) { o.Spec.Replicas = &n }

// ScaleSelector implements Scalable: the Nova ownership metadata.
func (o *SlavePool) ScaleSelector() string { return "minka.dev/pool-uid=" + string(o.UID) }

func deref(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

func listItems[T any, P interface {
	*T
	Object
}](items []T) []Object {
	out := make([]Object, len(items))
	for i := range items {
		out[i] = P(&items[i])
	}
	return out
}

func setListItems[T any](dst *[]T, objs []Object) {
	items := make([]T, len(objs))
	for i, o := range objs {
		items[i] = *any(o).(*T)
	}
	*dst = items
}

func (l *DeploymentList) GetItems() []Object  { return listItems[Deployment](l.Items) }
func (l *SlavePoolList) GetItems() []Object   { return listItems[SlavePool](l.Items) }
func (l *RepoList) GetItems() []Object        { return listItems[Repo](l.Items) }
func (l *PipelineList) GetItems() []Object    { return listItems[Pipeline](l.Items) }
func (l *BuildList) GetItems() []Object       { return listItems[Build](l.Items) }
func (l *EventList) GetItems() []Object       { return listItems[Event](l.Items) }
func (l *AlertList) GetItems() []Object       { return listItems[Alert](l.Items) }
func (l *DeploymentList) SetItems(o []Object) { setListItems(&l.Items, o) }
func (l *SlavePoolList) SetItems(o []Object)  { setListItems(&l.Items, o) }
func (l *RepoList) SetItems(o []Object)       { setListItems(&l.Items, o) }
func (l *PipelineList) SetItems(o []Object)   { setListItems(&l.Items, o) }
func (l *BuildList) SetItems(o []Object)      { setListItems(&l.Items, o) }
func (l *EventList) SetItems(o []Object)      { setListItems(&l.Items, o) }
func (l *AlertList) SetItems(o []Object)      { setListItems(&l.Items, o) }

// FindCondition is apimachinery's meta.FindStatusCondition, re-exported
// so callers need not import the meta package for one lookup.
func FindCondition(conds []metav1.Condition, t string) *metav1.Condition {
	return meta.FindStatusCondition(conds, t)
}

// StatusConditions point at the status conditions, for the controllers'
// shared condition helpers.
func (o *Deployment) StatusConditions() *[]metav1.Condition { return &o.Status.Conditions }
func (o *SlavePool) StatusConditions() *[]metav1.Condition  { return &o.Status.Conditions }
func (o *Repo) StatusConditions() *[]metav1.Condition       { return &o.Status.Conditions }
func (o *Pipeline) StatusConditions() *[]metav1.Condition   { return &o.Status.Conditions }
func (o *Build) StatusConditions() *[]metav1.Condition      { return &o.Status.Conditions }
func (o *Alert) StatusConditions() *[]metav1.Condition      { return &o.Status.Conditions }
