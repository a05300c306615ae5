package managed

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/typed"

	"minka/api/v1alpha1"
)

// maxUpdateManagers is apimachinery's cap on Update entries: past it the
// oldest are merged, which only the field manager does.
const maxUpdateManagers = 10

var (
	// A status write's changes, as the status subresource's reset sees
	// them: nothing of spec or metadata.
	statusReset = fieldpath.NewExcludeSetFilter(fieldpath.NewSet(fieldpath.MakePathOrDie("spec"), fieldpath.MakePathOrDie("metadata")))
)

// status is the field manager's answer for a status write by manager in
// the case controllers write all day: every entry is this version's, no
// other manager owns a status field, fewer than maxUpdateManagers
// entries. Then the write changes the manager's own status entry only:
// its set loses the fields the write removed and gains those it set,
// and its time moves when anything changed. ok is false when the case
// does not hold, and the caller asks the field manager. The field
// manager's pipeline spent a third of the server's CPU per status write
// in issue 19's profile, mostly converting both objects through JSON and
// managedFields through unstructured; TestStatusMatchesTheFieldManager
// holds this to its answer.
func (c *creator) status(live, next v1alpha1.Object, manager string) (out v1alpha1.Object, ok bool, err error) {
	entries := live.GetManagedFields()
	if len(entries) >= maxUpdateManagers {
		return nil, false, nil
	}
	own := -1
	for i, e := range entries {
		if e.APIVersion != v1alpha1.APIVersion || e.FieldsType != "FieldsV1" || e.FieldsV1 == nil ||
			(e.Operation != metav1.ManagedFieldsOperationUpdate && e.Operation != metav1.ManagedFieldsOperationApply) {
			return nil, false, nil
		}
		if e.Manager == manager && e.Operation == metav1.ManagedFieldsOperationUpdate && e.Subresource == "status" {
			if own >= 0 {
				return nil, false, nil // two entries of one identity: the field manager merges them
			}
			own = i
			continue
		}
		// Another manager's set: cheap to rule out by its JSON, which
		// names status at its top level when it owns any of it.
		if bytes.Contains(e.FieldsV1.Raw, []byte(`"f:status"`)) {
			return nil, false, nil
		}
	}
	k, err := v1alpha1.KindOf(next)
	if err != nil || !k.Status {
		return nil, false, nil
	}
	cmp, err := c.compare(k, live, next)
	if err != nil {
		return nil, false, err
	}
	cmp = cmp.FilterFields(statusReset)
	changed := cmp.Modified.Union(cmp.Added).Difference(metaFields)
	set := fieldpath.NewSet()
	if own >= 0 {
		if err := set.FromJSON(bytes.NewReader(entries[own].FieldsV1.Raw)); err != nil {
			return nil, false, nil
		}
	}
	set = set.Difference(cmp.Removed).Union(changed)

	out = next.DeepCopyObject().(v1alpha1.Object)
	result := make([]metav1.ManagedFieldsEntry, 0, len(entries)+1)
	for i, e := range entries {
		if i != own {
			result = append(result, *e.DeepCopy())
		}
	}
	if !set.Empty() {
		raw, err := set.ToJSON()
		if err != nil {
			return nil, false, fmt.Errorf("encoding %s's status fields: %w", manager, err)
		}
		e := metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: v1alpha1.APIVersion,
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: raw}, Subresource: "status"}
		switch {
		case !changed.Empty():
			now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
			e.Time = &now
		case own >= 0:
			e.Time = entries[own].Time.DeepCopy()
		}
		result = append(result, e)
	}
	if len(result) == 0 {
		result = nil
	}
	sortEntries(result)
	out.SetManagedFields(result)
	return out, true, nil
}

// compare compares the statuses of live and next, on objects that hold
// nothing else: a status write's comparison is filtered down to status
// anyway, and typing and walking the rest cost most of it.
func (c *creator) compare(k v1alpha1.Kind, live, next v1alpha1.Object) (*typed.Comparison, error) {
	only := func(o v1alpha1.Object) v1alpha1.Object {
		s := k.New().(v1alpha1.SpecStatus)
		v1alpha1.SetTypeMeta(s)
		s.CopyStatusFrom(o)
		return s
	}
	lt, err := c.tc.ObjectToTyped(only(live), typed.AllowDuplicates)
	if err != nil {
		return nil, fmt.Errorf("typing the stored status of %s: %w", live.GetName(), err)
	}
	nt, err := c.tc.ObjectToTyped(only(next), typed.AllowDuplicates)
	if err != nil {
		return nil, fmt.Errorf("typing the new status of %s: %w", next.GetName(), err)
	}
	cmp, err := lt.Compare(nt)
	if err != nil {
		return nil, fmt.Errorf("comparing the status of %s with its stored version: %w", next.GetName(), err)
	}
	return cmp, nil
}

// sortEntries orders managedFields as apimachinery encodes them: by
// operation, time (seconds), manager, apiVersion, subresource.
func sortEntries(es []metav1.ManagedFieldsEntry) {
	sec := func(t *metav1.Time) int64 {
		if t == nil {
			return 0
		}
		return t.Unix()
	}
	sort.Slice(es, func(i, j int) bool {
		p, q := es[i], es[j]
		switch {
		case p.Operation != q.Operation:
			return p.Operation < q.Operation
		case sec(p.Time) != sec(q.Time):
			return sec(p.Time) < sec(q.Time)
		case p.Manager != q.Manager:
			return p.Manager < q.Manager
		case p.APIVersion != q.APIVersion:
			return p.APIVersion < q.APIVersion
		}
		return p.Subresource < q.Subresource
	})
}
