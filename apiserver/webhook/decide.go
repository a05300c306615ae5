package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/apiserver/webhook/push"
	"minka/store"
)

// decide turns an authenticated push into a Build, or says why not.
func (h *Handler) decide(ctx context.Context, pl *v1alpha1.Pipeline, p push.Push) (answer, int) {
	return h.decideAs(ctx, pl, p, false)
}

// decideReplay is decide for a replay: not deduplicated, [skip ci] not
// honoured.
func (h *Handler) decideReplay(ctx context.Context, pl *v1alpha1.Pipeline, p push.Push) (answer, int) {
	return h.decideAs(ctx, pl, p, true)
}

func (h *Handler) decideAs(ctx context.Context, pl *v1alpha1.Pipeline, p push.Push, replay bool) (answer, int) {
	ignored := func(reason string) (answer, int) {
		return answer{Outcome: v1alpha1.DeliveryIgnored, Reason: reason, Delivery: p.DeliveryID}, http.StatusOK
	}
	switch {
	case p.Ping:
		return ignored("ping: the hook reaches minka")
	case p.Deleted:
		return ignored(fmt.Sprintf("%s was deleted: nothing to build", p.Ref))
	case p.Tag != "" && !matches(pl.Spec.Source.Tags, p.Tag, false):
		return ignored(fmt.Sprintf("tag %s is not followed (spec.source.tags %v)", p.Tag, pl.Spec.Source.Tags))
	case p.Branch != "" && !matches(pl.Spec.Source.Branches, p.Branch, true):
		return ignored(fmt.Sprintf("branch %s is not followed (spec.source.branches %v)", p.Branch, pl.Spec.Source.Branches))
	case p.Branch == "" && p.Tag == "":
		return ignored(fmt.Sprintf("%s is neither a branch nor a tag", p.Ref))
	case p.SkipCI && !replay:
		return ignored(fmt.Sprintf("the head commit %s asks to skip CI (%s)", short(p.SHA1), p.SkipDirective))
	}
	kind, dedupe := "webhook", p.DeliveryID
	if replay {
		kind, dedupe = "replay", ""
	}
	b := &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Namespace: pl.Namespace},
		Spec: v1alpha1.BuildSpec{Pipeline: pl.Name, Branch: p.Branch, GitTag: p.Tag, SHA1: p.SHA1,
			Trigger: &v1alpha1.BuildTrigger{Kind: kind, Delivery: p.DeliveryID, Style: string(p.Style), Sender: v1alpha1.Shorten(p.Sender, 255)}}}
	out, created, err := h.o.Builds.Create(ctx, b, dedupe)
	switch {
	case errors.Is(err, store.ErrInvalid):
		return answer{Reason: "the push cannot be a Build", Error: err.Error(), Delivery: p.DeliveryID}, http.StatusUnprocessableEntity
	case err != nil:
		h.o.Log.Error(err, "webhook: creating the Build", "pipeline", pl.Namespace+"/"+pl.Name, "delivery", p.DeliveryID)
		return answer{Error: "creating the Build: " + err.Error(), Delivery: p.DeliveryID}, http.StatusServiceUnavailable
	case !created:
		return answer{Outcome: v1alpha1.DeliveryDuplicate, Reason: "delivery " + p.DeliveryID + " was received before", Build: out.Name, Delivery: p.DeliveryID}, http.StatusOK
	}
	return answer{Outcome: v1alpha1.DeliveryBuilt, Build: out.Name, Delivery: p.DeliveryID}, http.StatusCreated
}

// matches: globs (path.Match) against name; none matches everything
// when all is true.
func matches(globs []string, name string, all bool) bool {
	if len(globs) == 0 {
		return all
	}
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

func short(sha1 string) string {
	if len(sha1) > 12 {
		return sha1[:12]
	}
	return sha1
}

// record adds the delivery to the Pipeline's status.deliveries (the last
// MaxDeliveries within DeliveryTTL), re-reading on a conflict, and
// returns the outcome for the metrics. A failed record is logged: the
// Build, if any, stands.
func (h *Handler) record(ctx context.Context, pl *v1alpha1.Pipeline, p push.Push, a answer) string {
	outcome := a.Outcome
	if outcome == "" {
		outcome = "error"
	}
	key := pl.Namespace + "/" + pl.Name
	h.mu.Lock()
	l := h.recording[key]
	if l == nil {
		l = &sync.Mutex{}
		h.recording[key] = l
	}
	h.mu.Unlock()
	l.Lock()
	defer l.Unlock()
	now := h.o.Now()
	d := v1alpha1.Delivery{ID: v1alpha1.Shorten(p.DeliveryID, 255), Event: v1alpha1.Shorten(p.Event, 255), Style: string(p.Style),
		Ref: v1alpha1.Shorten(p.Ref, 1024), SHA1: p.SHA1, Outcome: outcome, Reason: v1alpha1.Shorten(a.Reason+a.Error, 1024),
		Build: a.Build, Time: metav1.NewTime(now.Truncate(time.Second))}
	for attempt := 0; attempt < 20; attempt++ {
		o, err := h.o.Store.Get(ctx, pipelineKind, pl.Namespace, pl.Name)
		if err != nil {
			h.o.Log.Error(err, "webhook: recording a delivery", "pipeline", pl.Namespace+"/"+pl.Name)
			return outcome
		}
		cur := o.(*v1alpha1.Pipeline)
		var keep []v1alpha1.Delivery
		for _, x := range cur.Status.Deliveries {
			if now.Sub(x.Time.Time) < v1alpha1.DeliveryTTL {
				keep = append(keep, x)
			}
		}
		keep = append(keep, d)
		if len(keep) > v1alpha1.MaxDeliveries {
			keep = keep[len(keep)-v1alpha1.MaxDeliveries:]
		}
		cur.Status.Deliveries = keep
		_, err = h.o.Store.UpdateStatus(ctx, cur)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			h.o.Log.Error(err, "webhook: recording a delivery", "pipeline", pl.Namespace+"/"+pl.Name)
		}
		return outcome
	}
	h.o.Log.Info("webhook: a delivery was not recorded: too many conflicts", "pipeline", pl.Namespace+"/"+pl.Name, "delivery", p.DeliveryID)
	return outcome
}
