package v1alpha1

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SchemeGroupVersion is minka.dev/v1alpha1 as apimachinery spells it.
var SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

// +kubebuilder:object:generate=false

// Kind describes one resource kind: its names as the REST API and the CLI
// spell them, and constructors for the object and list types.
type Kind struct {
	Kind       string   // "Deployment"
	ListKind   string   // "DeploymentList"
	Plural     string   // "deployments": the REST path segment and etcd key segment
	Singular   string   // "deployment"
	ShortNames []string // "deploy"
	Namespaced bool
	// Status, Scale and Rollback say which subresources the kind serves.
	Status   bool
	Scale    bool
	Rollback bool
	New      func() Object
	NewList  func() ObjectList
}

// GroupResource is the kind's group/resource pair, as apimachinery's Status
// errors name it.
func (k Kind) GroupResource() schema.GroupResource {
	return schema.GroupResource{Group: Group, Resource: k.Plural}
}

// GroupKind is the kind's group/kind pair.
func (k Kind) GroupKind() schema.GroupKind { return schema.GroupKind{Group: Group, Kind: k.Kind} }

var kinds = []Kind{
	{Kind: "Deployment", ListKind: "DeploymentList", Plural: "deployments", Singular: "deployment",
		ShortNames: []string{"deploy"}, Namespaced: true, Status: true, Scale: true, Rollback: true,
		New: func() Object { return &Deployment{} }, NewList: func() ObjectList { return &DeploymentList{} }},
	{Kind: "SlavePool", ListKind: "SlavePoolList", Plural: "slavepools", Singular: "slavepool",
		ShortNames: []string{"sp"}, Namespaced: true, Status: true, Scale: true,
		New: func() Object { return &SlavePool{} }, NewList: func() ObjectList { return &SlavePoolList{} }},
	{Kind: "Repo", ListKind: "RepoList", Plural: "repos", Singular: "repo",
		ShortNames: []string{"rp"}, Namespaced: true, Status: true,
		New: func() Object { return &Repo{} }, NewList: func() ObjectList { return &RepoList{} }},
	{Kind: "Pipeline", ListKind: "PipelineList", Plural: "pipelines", Singular: "pipeline",
		ShortNames: []string{"pl"}, Namespaced: true, Status: true,
		New: func() Object { return &Pipeline{} }, NewList: func() ObjectList { return &PipelineList{} }},
	{Kind: "Build", ListKind: "BuildList", Plural: "builds", Singular: "build",
		ShortNames: []string{"b"}, Namespaced: true, Status: true,
		New: func() Object { return &Build{} }, NewList: func() ObjectList { return &BuildList{} }},
	{Kind: "Event", ListKind: "EventList", Plural: "events", Singular: "event",
		ShortNames: []string{"ev"}, Namespaced: true,
		New: func() Object { return &Event{} }, NewList: func() ObjectList { return &EventList{} }},
	{Kind: "Alert", ListKind: "AlertList", Plural: "alerts", Singular: "alert",
		Namespaced: true, Status: true,
		New: func() Object { return &Alert{} }, NewList: func() ObjectList { return &AlertList{} }},
}

// Kinds returns every kind minka serves, in a stable order.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// KindFor resolves a name as users type it: kind ("Deployment"), plural,
// singular or short name, case-insensitively.
func KindFor(name string) (Kind, error) {
	// "repo.minka.dev", as `get -o name` prints it and kubectl reads it.
	n := strings.TrimSuffix(strings.ToLower(name), "."+Group)
	for _, k := range kinds {
		if n == strings.ToLower(k.Kind) || n == k.Plural || n == k.Singular {
			return k, nil
		}
		for _, s := range k.ShortNames {
			if n == s {
				return k, nil
			}
		}
	}
	return Kind{}, fmt.Errorf("unknown resource type %q (known: %s)", name, strings.Join(knownNames(), ", "))
}

// KindOf returns the Kind of a typed object (by its Go type, not its
// TypeMeta). It is on every encode and decode path, so it allocates nothing.
func KindOf(obj Object) (Kind, error) {
	i := -1
	switch obj.(type) {
	case *Deployment:
		i = 0
	case *SlavePool:
		i = 1
	case *Repo:
		i = 2
	case *Pipeline:
		i = 3
	case *Build:
		i = 4
	case *Event:
		i = 5
	case *Alert:
		i = 6
	}
	if i < 0 {
		return Kind{}, fmt.Errorf("%T is not a minka kind", obj)
	}
	return kinds[i], nil
}

// SetTypeMeta fills apiVersion and kind from the object's Go type; objects
// decoded from etcd or built in code carry no TypeMeta of their own.
func SetTypeMeta(obj Object) {
	k, err := KindOf(obj)
	if err != nil {
		return
	}
	obj.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Group: Group, Version: Version, Kind: k.Kind})
}

func knownNames() []string {
	var out []string
	for _, k := range kinds {
		out = append(out, k.Plural)
	}
	sort.Strings(out)
	return out
}
