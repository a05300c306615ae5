package repo

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend/chacra"
	"minka/reconcile"
)

// place returns the Repo's node. The first pass picks one (spec.node, or
// the least recently used healthy node) and writes it to status before
// anything else, so that a crash never places the Repo twice; later
// passes keep it (a Repo created from a callback arrives with the node
// that sent it). A spec.node that differs from status.node moves the
// Repo: its distros are observed afresh there. false: there is no node
// to work on now (a condition says why).
func (r *reconciler) place(ctx context.Context, ps *reconcile.Pass[*v1alpha1.Repo], pool *chacra.Pool) (chacra.Node, bool, error) {
	rp, s := ps.Obj, &ps.Obj.Status
	if rp.Spec.Node != "" {
		n, ok := pool.Node(rp.Spec.Node)
		if !ok && s.NodeURL != "" && s.Node == rp.Spec.Node {
			// A node that called back to another replica's shaman
			// endpoints (or before a restart): learn it from the status.
			if name, err := pool.Learn(s.NodeURL + "/"); err == nil && name == rp.Spec.Node {
				n, ok = pool.Node(name)
			}
		}
		if !ok {
			r.unknownNode(ctx, rp, pool, fmt.Sprintf("spec.node %q is not a node of chacra backend %q", rp.Spec.Node, pool.Name()))
			return chacra.Node{}, false, nil
		}
		if s.Node == n.Name {
			return n, true, nil
		}
		from := s.Node
		r.assign(rp, pool.Use(n.Name))
		if from == "" {
			r.rec.Eventf(ctx, rp, v1alpha1.EventTypeNormal, EventNodeAssigned, "placed on chacra node %s (%s), as spec.node says", n.Name, n.URL)
		} else {
			// The new node builds from the binaries it has: nothing
			// observed on the old one holds there.
			s.Distros = nil
			r.rec.Eventf(ctx, rp, v1alpha1.EventTypeNormal, EventMoved, "moved from chacra node %s to %s (%s), as spec.node says; distros are observed afresh", from, n.Name, n.URL)
		}
		return n, true, ps.RecordNow(ctx)
	}
	if s.Node == "" && rp.Labels[v1alpha1.LabelDiscovered] == "true" {
		// Created from a build report: the first callback of chacra names
		// (and pins) the node that has its binaries.
		reconcile.Condition(rp, CondNodeAvailable, metav1.ConditionUnknown, ReasonAwaitingCallback,
			"discovered from a CI build report; chacra's first callback will name the node that holds its binaries")
		return chacra.Node{}, false, nil
	}
	if s.Node == "" {
		r.placing.Lock()
		n, err := pool.Next(ctx)
		r.placing.Unlock()
		if err != nil {
			msg := fmt.Sprintf("no healthy node in chacra backend %q to place the Repo on: %v", pool.Name(), err)
			if reconcile.Condition(rp, CondNodeAvailable, metav1.ConditionFalse, ReasonNoHealthyNode, msg) {
				r.rec.Eventf(ctx, rp, v1alpha1.EventTypeWarning, ReasonNoHealthyNode, "%s", msg)
			}
			return chacra.Node{}, false, fmt.Errorf("placing: %w", err)
		}
		r.assign(rp, n)
		r.rec.Eventf(ctx, rp, v1alpha1.EventTypeNormal, EventNodeAssigned, "placed on chacra node %s (%s), the least recently used healthy one", n.Name, n.URL)
		return n, true, ps.RecordNow(ctx)
	}
	n, ok := pool.Node(s.Node)
	if !ok && s.NodeURL != "" {
		// A node learned from a callback before a restart: learn it again.
		if name, err := pool.Learn(s.NodeURL + "/"); err == nil {
			n, ok = pool.Node(name)
		}
	}
	if !ok {
		r.unknownNode(ctx, rp, pool, fmt.Sprintf("status.node %q is no longer a node of chacra backend %q; set spec.node to one of its nodes to move the Repo there", s.Node, pool.Name()))
		return chacra.Node{}, false, nil
	}
	if s.NodeURL == "" {
		s.NodeURL = n.URL
		s.URL = repoURL(n.URL, rp)
	}
	return n, true, nil
}

func (r *reconciler) assign(rp *v1alpha1.Repo, n chacra.Node) {
	rp.Status.Node, rp.Status.NodeURL, rp.Status.URL = n.Name, n.URL, repoURL(n.URL, rp)
}

func repoURL(base string, rp *v1alpha1.Repo) string {
	return strings.TrimSuffix(base, "/") + "/repos/" + rp.Spec.Project + "/" + rp.Spec.Ref + "/" + rp.Spec.SHA1 + "/"
}

func (r *reconciler) unknownNode(ctx context.Context, rp *v1alpha1.Repo, pool *chacra.Pool, what string) {
	var names []string
	for _, n := range pool.Nodes() {
		names = append(names, n.Name+" ("+n.URL+")")
	}
	msg := fmt.Sprintf("%s (its nodes: %s)", what, strings.Join(names, ", "))
	if reconcile.Condition(rp, CondNodeAvailable, metav1.ConditionFalse, ReasonUnknownNode, msg) {
		r.rec.Eventf(ctx, rp, v1alpha1.EventTypeWarning, ReasonUnknownNode, "%s", msg)
	}
}
