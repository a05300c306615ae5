package deployment

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"minka/api/v1alpha1"
	"minka/reconcile"
)

// orphans scans each Marathon backend for apps that carry minka's
// ownership labels but whose Deployment (that uid) no longer exists: a
// Deployment deleted while minka was down, or a restored backup. They are
// reported by an event and the minka_deployment_orphaned_apps gauge, and
// deleted only when the server was started with --delete-orphaned-apps.
type orphans struct {
	r             *reconciler
	deleteOrphans bool
	every         time.Duration
	reported      map[string]bool // app id + uid already reported, this term
}

func (o *orphans) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	for _, c := range o.r.backends {
		apps, err := c.marathon.AppsLabelled(ctx, LabelUID)
		if err != nil {
			o.r.log.Info("orphan scan: listing apps failed", "marathon", c.name, "error", err)
			continue
		}
		n := 0
		for i := range apps {
			app := &apps[i]
			ns, name, uid, ok := owner(app)
			if !ok {
				continue
			}
			if obj, exists := o.r.inf.Get(ns, name); exists && string(obj.GetUID()) == uid {
				continue
			}
			n++
			ref := &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(uid)}}
			if o.deleteOrphans {
				if _, err := c.marathon.DeleteApp(ctx, app.ID); err != nil {
					o.r.log.Info("orphan scan: delete failed", "app", app.ID, "error", err)
					continue
				}
				o.r.rec.Eventf(ctx, ref, v1alpha1.EventTypeWarning, EventOrphanDeleted, "deleted app %s: its Deployment (uid %s) no longer exists (--delete-orphaned-apps)", app.ID, uid)
				continue
			}
			if key := app.ID + "/" + uid; !o.reported[key] {
				o.reported[key] = true
				o.r.rec.Eventf(ctx, ref, v1alpha1.EventTypeWarning, EventOrphanedApp, "app %s carries minka's labels but its Deployment (uid %s) no longer exists; start the server with --delete-orphaned-apps to delete such apps", app.ID, uid)
			}
		}
		o.r.metrics.orphans.WithLabelValues(c.name).Set(float64(n))
	}
	return reconcile.Result{RequeueAfter: o.every}, nil
}
