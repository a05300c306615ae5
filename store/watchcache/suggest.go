package watchcache

import "minka/api/v1alpha1"

// Suggest is the cached copy of one object, for the store's updates to
// build on (store.Suggester); false when the kind is not cached or not
// ready, or holds no such object, or once the cache is closed. It is
// decoded from the cache's encoding: the caller's own.
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
	o, ok := kc.objects[ns+"/"+name]
	ready := kc.ready
	kc.mu.Unlock()
	if !ready || !ok {
		return nil, false
	}
	return o.Object(), true
}
