package managed

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/typed"

	"minka/api/v1alpha1"
)

// metaFields are the fields no manager owns, as apimachinery's field
// manager strips them from every set (its stripMetaManager).
var metaFields = fieldpath.NewSet(
	fieldpath.MakePathOrDie("apiVersion"),
	fieldpath.MakePathOrDie("kind"),
	fieldpath.MakePathOrDie("metadata"),
	fieldpath.MakePathOrDie("metadata", "name"),
	fieldpath.MakePathOrDie("metadata", "namespace"),
	fieldpath.MakePathOrDie("metadata", "creationTimestamp"),
	fieldpath.MakePathOrDie("metadata", "selfLink"),
	fieldpath.MakePathOrDie("metadata", "uid"),
	fieldpath.MakePathOrDie("metadata", "clusterName"),
	fieldpath.MakePathOrDie("metadata", "generation"),
	fieldpath.MakePathOrDie("metadata", "managedFields"),
	fieldpath.MakePathOrDie("metadata", "resourceVersion"),
)

// creator computes a create's managedFields without the field manager's
// pipeline. A create has no live object and no earlier managers, so the
// pipeline comes down to one typed value, its comparison with the empty
// object of its name, the status reset and the metadata strip; the rest
// (decoding and re-encoding managedFields through unstructured JSON, two
// conversions of the object) cost most of the server's CPU per create in
// issue 19's profile. TestUpdateKeepsTheObject holds it to the pipeline's
// answer for every kind.
type creator struct {
	tc     managedfields.TypeConverter
	resets map[string]fieldpath.Filter // by kind: the main resource's reset (status)
}

func newCreator(tc managedfields.TypeConverter) *creator {
	c := &creator{tc: tc, resets: map[string]fieldpath.Filter{}}
	for _, k := range v1alpha1.Kinds() {
		if k.Status {
			c.resets[k.Kind] = fieldpath.NewExcludeSetFilter(fieldpath.NewSet(fieldpath.MakePathOrDie("status")))
		}
	}
	return c
}

// create is Update's answer for a create by manager (operation Update).
func (c *creator) create(k v1alpha1.Kind, next v1alpha1.Object, manager string) (v1alpha1.Object, error) {
	out := next.DeepCopyObject().(v1alpha1.Object)
	v1alpha1.SetTypeMeta(out)
	out.SetManagedFields(nil)
	tv, err := c.tc.ObjectToTyped(out, typed.AllowDuplicates)
	if err != nil {
		return nil, fmt.Errorf("typing %s %s/%s: %w", k.Kind, next.GetNamespace(), next.GetName(), err)
	}
	// The live object of a create, as the field manager is given it: no
	// spec or status at all, not the zero values a Go struct would add.
	shape, err := toUnstructured(nil, next)
	if err != nil {
		return nil, err
	}
	empty, err := c.tc.ObjectToTyped(shape, typed.AllowDuplicates)
	if err != nil {
		return nil, fmt.Errorf("typing an empty %s: %w", k.Kind, err)
	}
	cmp, err := empty.Compare(tv)
	if err != nil {
		return nil, fmt.Errorf("comparing %s %s/%s with nothing: %w", k.Kind, next.GetNamespace(), next.GetName(), err)
	}
	set := cmp.Modified.Union(cmp.Added)
	if reset, ok := c.resets[k.Kind]; ok {
		set = reset.Filter(set)
	}
	set = set.Difference(metaFields)
	if set.Empty() {
		return out, nil
	}
	raw, err := set.ToJSON()
	if err != nil {
		return nil, fmt.Errorf("encoding the fields of %s %s/%s: %w", k.Kind, next.GetNamespace(), next.GetName(), err)
	}
	// The field manager's entry goes through JSON, which keeps seconds.
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	out.SetManagedFields([]metav1.ManagedFieldsEntry{{
		Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: v1alpha1.APIVersion,
		Time: &now, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: raw},
	}})
	return out, nil
}
