package reconcile

import (
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"minka/api/v1alpha1"
)

// cache holds the latest state of every object of one kind, indexed by
// namespace, owner uid and label pair. Objects in it are shared with every
// reader: never mutate one, DeepCopy it first (as sample-controller warns
// of its informers).
type cache struct {
	mu      sync.RWMutex
	objs    map[string]v1alpha1.Object
	byNS    map[string]sets.Set[string]
	byOwner map[types.UID]sets.Set[string]
	byLabel map[string]sets.Set[string]
}

func newCache() *cache {
	return &cache{objs: map[string]v1alpha1.Object{}, byNS: map[string]sets.Set[string]{},
		byOwner: map[types.UID]sets.Set[string]{}, byLabel: map[string]sets.Set[string]{}}
}

func keyOf(o v1alpha1.Object) string { return o.GetNamespace() + "/" + o.GetName() }

// put stores o and returns what it replaced.
func (c *cache) put(o v1alpha1.Object) v1alpha1.Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := keyOf(o)
	old := c.objs[k]
	if old != nil {
		c.unindex(k, old)
	}
	c.objs[k] = o
	add(c.byNS, o.GetNamespace(), k)
	for _, ref := range o.GetOwnerReferences() {
		add(c.byOwner, ref.UID, k)
	}
	for lk, lv := range o.GetLabels() {
		add(c.byLabel, lk+"="+lv, k)
	}
	return old
}

// remove drops the object at o's key and returns it.
func (c *cache) remove(o v1alpha1.Object) v1alpha1.Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := keyOf(o)
	old := c.objs[k]
	if old != nil {
		c.unindex(k, old)
		delete(c.objs, k)
	}
	return old
}

func (c *cache) unindex(k string, o v1alpha1.Object) {
	del(c.byNS, o.GetNamespace(), k)
	for _, ref := range o.GetOwnerReferences() {
		del(c.byOwner, ref.UID, k)
	}
	for lk, lv := range o.GetLabels() {
		del(c.byLabel, lk+"="+lv, k)
	}
}

func (c *cache) get(ns, name string) (v1alpha1.Object, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	o, ok := c.objs[ns+"/"+name]
	return o, ok
}

// list returns the objects of ns ("" = all) matching sel, sorted by key.
// The namespace and any equality requirement narrow the scan through the
// indexes before the selector is applied.
func (c *cache) list(ns string, sel labels.Selector) []v1alpha1.Object {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []v1alpha1.Object
	match := func(k string) {
		o := c.objs[k]
		if (ns == "" || o.GetNamespace() == ns) && (sel == nil || sel.Matches(labels.Set(o.GetLabels()))) {
			out = append(out, o)
		}
	}
	if keys := c.candidates(ns, sel); keys != nil {
		for k := range keys {
			match(k)
		}
	} else {
		for k := range c.objs {
			match(k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return keyOf(out[i]) < keyOf(out[j]) })
	return out
}

// candidates is the set of keys the indexes allow, or nil when they do
// not narrow anything.
func (c *cache) candidates(ns string, sel labels.Selector) sets.Set[string] {
	var keys sets.Set[string]
	narrow := func(s sets.Set[string]) {
		if keys == nil {
			keys = s.Clone()
		} else {
			keys = keys.Intersection(s)
		}
	}
	if ns != "" {
		narrow(c.byNS[ns])
	}
	if sel != nil {
		reqs, _ := sel.Requirements()
		for _, r := range reqs {
			if v, ok := singleValue(r); ok {
				narrow(c.byLabel[r.Key()+"="+v])
			}
		}
	}
	return keys
}

func (c *cache) byOwnerUID(uid types.UID) []v1alpha1.Object {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []v1alpha1.Object
	for k := range c.byOwner[uid] {
		out = append(out, c.objs[k])
	}
	sort.Slice(out, func(i, j int) bool { return keyOf(out[i]) < keyOf(out[j]) })
	return out
}

func (c *cache) all() []v1alpha1.Object { return c.list("", nil) }

func (c *cache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.objs)
}

func add[K comparable](idx map[K]sets.Set[string], k K, key string) {
	if idx[k] == nil {
		idx[k] = sets.New[string]()
	}
	idx[k].Insert(key)
}

func del[K comparable](idx map[K]sets.Set[string], k K, key string) {
	if s := idx[k]; s != nil {
		s.Delete(key)
		if s.Len() == 0 {
			delete(idx, k)
		}
	}
}

func singleValue(r labels.Requirement) (string, bool) {
	switch r.Operator() {
	case "=", "==", "in":
		if r.Values().Len() == 1 {
			return r.Values().List()[0], true
		}
	}
	return "", false
}
