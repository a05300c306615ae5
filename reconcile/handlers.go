package reconcile

import "minka/api/v1alpha1"

// EnqueueObject is the handler of a controller's own kind: every change
// enqueues the object's key.
func EnqueueObject(c *Controller) EventHandler {
	enqueue := func(o v1alpha1.Object) { c.Enqueue(Request{Namespace: o.GetNamespace(), Name: o.GetName()}) }
	return EventHandler{
		Add:    enqueue,
		Update: func(_, o v1alpha1.Object) { enqueue(o) },
		Delete: enqueue,
	}
}

// EnqueueOwner is the handler of a secondary kind: a change of, say, a
// Build enqueues the Pipeline named in its ownerReferences (as
// controller-runtime's EnqueueRequestForOwner). Both old and new owners
// are enqueued when an update moves the object.
func EnqueueOwner(c *Controller, ownerKind string) EventHandler {
	enqueue := func(o v1alpha1.Object) {
		for _, ref := range o.GetOwnerReferences() {
			if ref.Kind == ownerKind {
				c.Enqueue(Request{Namespace: o.GetNamespace(), Name: ref.Name})
			}
		}
	}
	return EventHandler{
		Add:    enqueue,
		Update: func(old, o v1alpha1.Object) { enqueue(old); enqueue(o) },
		Delete: enqueue,
	}
}
