package v1alpha1

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// defaultFinalizers are the finalizers Default puts on every object of a
// kind that is not being deleted, by kind name. A controller that guards
// something outside with a finalizer registers it in the server that runs
// it, so that a create stores it at once: otherwise the controller's first
// pass must store it by a second write, and wait for that synced commit,
// before it may make what the finalizer guards. Only in that server: an
// object created where no controller would ever remove the finalizer (an
// API-only server, --controllers=none) must stay deletable at once; there
// the controller, wherever it runs, adds the finalizer itself as before.
var (
	defaultFinalizersMu sync.Mutex // serialises the registrations
	defaultFinalizers   atomic.Pointer[map[string][]string]
)

// AddDefaultFinalizer makes Default put finalizer f on every object of
// kind that is not being deleted, until undo is called (tests). Default
// adds it on updates too: it is the object's as long as the controller
// runs, which the controller's own pass would restore anyway, and an
// object being deleted is never given it (the store forbids that, and the
// controller's removal must hold).
func AddDefaultFinalizer(kind, f string) (undo func()) {
	change := func(edit func(m map[string][]string)) {
		defaultFinalizersMu.Lock()
		defer defaultFinalizersMu.Unlock()
		m := map[string][]string{}
		if cur := defaultFinalizers.Load(); cur != nil {
			m = maps.Clone(*cur)
		}
		edit(m)
		defaultFinalizers.Store(&m)
	}
	change(func(m map[string][]string) {
		if !slices.Contains(m[kind], f) {
			m[kind] = append(slices.Clone(m[kind]), f)
		}
	})
	return func() {
		change(func(m map[string][]string) {
			m[kind] = slices.DeleteFunc(slices.Clone(m[kind]), func(x string) bool { return x == f })
		})
	}
}

// defaultFinalizer puts the kind's registered finalizers on obj.
func defaultFinalizer(kind string, obj Object) {
	m := defaultFinalizers.Load()
	if m == nil || obj.GetDeletionTimestamp() != nil {
		return
	}
	fs := obj.GetFinalizers()
	for _, f := range (*m)[kind] {
		if !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	if len(fs) != len(obj.GetFinalizers()) {
		obj.SetFinalizers(fs)
	}
}
