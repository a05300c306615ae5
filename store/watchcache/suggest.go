package watchcache

import "minka/api/v1alpha1"

// Suggest is the cached copy of one object, for the store's updates to
// build on (store.Suggester); false when the kind is not cached or not
// ready, or holds no such object, or once the cache is closed. The copy is shared: never modify it.
func (c *Cache) Suggest(k v1alpha1.Kind, ns, name string) (v1alpha1.Object, bool) {
	c.mu.Lock()
	kc, closed := c.kinds[k.Plural], c.closed
	c.mu.Unlock()
	if kc == nil || closed { // a closed cache no longer follows etcd
		return nil, false
	}
	if !k.Namespaced {
		ns = ""
	}
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if !kc.ready {
		return nil, false
	}
	o, ok := kc.objects[ns+"/"+name]
	if !ok {
		return nil, false
	}
	return o.obj, true
}
