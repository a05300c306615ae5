package repoquery

import (
	"slices"
	"sync"

	"minka/api/v1alpha1"
)

// Index holds Repos by namespace/name and by project and ref, so that a
// latest query reads only the Repos of its ref. The Repos it is given
// are shared: it never modifies them, and neither may its callers.
type Index struct {
	mu     sync.RWMutex
	byName map[string]*v1alpha1.Repo
	byRef  map[refKey]map[string]*v1alpha1.Repo
}

type refKey struct{ project, ref string }

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{byName: map[string]*v1alpha1.Repo{}, byRef: map[refKey]map[string]*v1alpha1.Repo{}}
}

func nameKey(ns, name string) string { return ns + "/" + name }

// Set adds r or replaces the Repo of its namespace and name.
func (x *Index) Set(r *v1alpha1.Repo) {
	k := nameKey(r.Namespace, r.Name)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(k)
	x.byName[k] = r
	rk := refKey{r.Spec.Project, r.Spec.Ref}
	if x.byRef[rk] == nil {
		x.byRef[rk] = map[string]*v1alpha1.Repo{}
	}
	x.byRef[rk][k] = r
}

// Delete removes the Repo of that namespace and name.
func (x *Index) Delete(ns, name string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(nameKey(ns, name))
}

// Replace swaps the whole content for repos (a relist).
func (x *Index) Replace(repos []*v1alpha1.Repo) {
	n := NewIndex()
	for _, r := range repos {
		n.Set(r)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byName, x.byRef = n.byName, n.byRef
}

func (x *Index) remove(k string) {
	old := x.byName[k]
	if old == nil {
		return
	}
	delete(x.byName, k)
	rk := refKey{old.Spec.Project, old.Spec.Ref}
	delete(x.byRef[rk], k)
	if len(x.byRef[rk]) == 0 {
		delete(x.byRef, rk)
	}
}

// Len is the number of Repos held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byName)
}

// Get returns the Repo of that namespace and name.
func (x *Index) Get(ns, name string) (*v1alpha1.Repo, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	r, ok := x.byName[nameKey(ns, name)]
	return r, ok
}

// All lists every Repo, by namespace/name.
func (x *Index) All() []*v1alpha1.Repo {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return sorted(x.byName)
}

// ByRef lists the Repos of a project's ref, by namespace/name.
func (x *Index) ByRef(project, ref string) []*v1alpha1.Repo {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return sorted(x.byRef[refKey{project, ref}])
}

// Project lists the Repos of a project, by namespace/name.
func (x *Index) Project(project string) []*v1alpha1.Repo {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []*v1alpha1.Repo
	for rk, m := range x.byRef {
		if rk.project == project {
			for _, r := range m {
				out = append(out, r)
			}
		}
	}
	sortRepos(out)
	return out
}

// Find lists the Repos of a project's ref at sha1 of flavor ("" or
// "default" for the default flavor).
func (x *Index) Find(project, ref, sha1, flavor string) []*v1alpha1.Repo {
	if flavor == "" {
		flavor = "default"
	}
	var out []*v1alpha1.Repo
	for _, r := range x.ByRef(project, ref) {
		if r.Spec.SHA1 == sha1 && FlavorOf(r) == flavor {
			out = append(out, r)
		}
	}
	return out
}

// Latest is Latest over the Repos of q's project and ref only (every
// ref of the project when q names none).
func (x *Index) Latest(q Query) Result {
	if q.Ref == "" {
		return Latest(x.Project(q.Project), q)
	}
	return Latest(x.ByRef(q.Project, q.Ref), q)
}

func sorted(m map[string]*v1alpha1.Repo) []*v1alpha1.Repo {
	out := make([]*v1alpha1.Repo, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sortRepos(out)
	return out
}

func sortRepos(rs []*v1alpha1.Repo) {
	slices.SortFunc(rs, func(a, b *v1alpha1.Repo) int {
		if a.Namespace != b.Namespace {
			if a.Namespace < b.Namespace {
				return -1
			}
			return 1
		}
		if a.Name < b.Name {
			return -1
		} else if a.Name > b.Name {
			return 1
		}
		return 0
	})
}
