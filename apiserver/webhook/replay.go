package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"minka/api/v1alpha1"
	"minka/apiserver/webhook/push"
)

// ReplayPath is the route of `minka replay delivery`: behind minka's
// tokens (creating a Build), not a sender's signature.
const ReplayPath = "POST /webhooks/git/{namespace}/{pipeline}/replay/{delivery}"

// Replay processes a recorded delivery again, as a person asks after
// fixing what made it build nothing (a branch the Pipeline did not
// follow) or to run it once more: the push recorded in
// status.deliveries (ref and sha1; the body is not kept) goes through
// the same decision against the Pipeline as it is now, except that a
// replay is never a duplicate and a [skip ci] is not honoured (a person
// asked for the build). The replay is recorded as a delivery of its own.
func (h *Handler) Replay(w http.ResponseWriter, r *http.Request) {
	ns, name, id := r.PathValue("namespace"), r.PathValue("pipeline"), r.PathValue("delivery")
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	pl, code, msg := h.pipeline(r.Context(), ns, name)
	if pl == nil {
		reply(w, code, answer{Error: msg})
		return
	}
	var d *v1alpha1.Delivery
	for i := range pl.Status.Deliveries {
		if pl.Status.Deliveries[i].ID == id {
			d = &pl.Status.Deliveries[i] // the latest record of it
		}
	}
	if d == nil {
		reply(w, http.StatusNotFound, answer{Delivery: id, Error: fmt.Sprintf("pipeline %s/%s has no record of delivery %q (the last %d within %v are kept)",
			ns, name, id, v1alpha1.MaxDeliveries, v1alpha1.DeliveryTTL)})
		return
	}
	p := push.Push{Style: push.Style(d.Style), Event: d.Event, DeliveryID: id, Ref: d.Ref, SHA1: d.SHA1}
	p.Branch, _ = strings.CutPrefix(d.Ref, "refs/heads/")
	if t, ok := strings.CutPrefix(d.Ref, "refs/tags/"); ok {
		p.Tag, p.Branch = t, ""
	}
	if !strings.HasPrefix(d.Ref, "refs/heads/") {
		p.Branch = ""
	}
	if d.SHA1 == "" {
		a := answer{Outcome: v1alpha1.DeliveryIgnored, Delivery: id, Reason: "nothing to replay: the delivery named no commit (" + d.Reason + ")"}
		reply(w, http.StatusOK, a)
		return
	}
	a, code := h.decideReplay(r.Context(), pl, p)
	p.Event = "replay of " + d.Event
	h.record(r.Context(), pl, p, a)
	reply(w, code, a)
}
