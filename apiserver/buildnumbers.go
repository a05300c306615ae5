package apiserver

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/v1alpha1"
	"minka/store"
)

// BuildNumbers gives a Pipeline's Builds their numbers: monotonic, with
// no gaps and no duplicates however many arrive at once. A Build created
// with number 0 (a webhook's, `minka trigger`'s, a manifest's) gets the
// next one, and without a name the name <pipeline>-<number>; the number is the highest of the
// Pipeline's status.lastBuildNumber and its Builds' numbers, plus one,
// and the create is the arbiter: a name taken (another replica, a Build
// created by hand) moves to the next number. Requests of one Pipeline
// are serialized in this process, so that creates do not race each
// other for one name; status.lastBuildNumber is raised after each, so
// that a number is never reused even once its Build is deleted.
//
// What the Pipeline's Builds hold (their numbers, their deliveries) is
// listed once and then kept up to date by this process's own creates,
// and listed again after ledgerTTL, so that a burst of pushes costs one
// create each, not a list of every Build each.
type BuildNumbers struct {
	st Store

	mu      sync.Mutex
	ledgers map[string]*ledger
}

// ledger is one Pipeline's Builds as this process knows them; its mutex
// serializes the Pipeline's creates.
type ledger struct {
	mu       sync.Mutex
	listed   time.Time
	last     int64
	numbers  map[int64]string  // number → Build
	delivery map[string]string // delivery id → Build
}

// ledgerTTL is how long a ledger is trusted before the Builds are listed
// again (Builds created through another replica, or deleted).
const ledgerTTL = 30 * time.Second

// NewBuildNumbers numbers the Builds of st's Pipelines.
func NewBuildNumbers(st Store) *BuildNumbers {
	return &BuildNumbers{st: st, ledgers: map[string]*ledger{}}
}

var (
	buildKind    = mustKind("Build")
	pipelineKind = mustKind("Pipeline")
)

func mustKind(name string) v1alpha1.Kind {
	k, err := v1alpha1.KindFor(name)
	if err != nil {
		panic(err)
	}
	return k
}

func (n *BuildNumbers) ledger(ns, pipeline string) *ledger {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.ledgers[ns+"/"+pipeline]
	if l == nil {
		l = &ledger{}
		n.ledgers[ns+"/"+pipeline] = l
	}
	return l
}

// load lists the Pipeline's Builds into l when it is older than
// ledgerTTL. Called with l.mu held.
func (n *BuildNumbers) load(ctx context.Context, l *ledger, ns, pipeline string) error {
	if !l.listed.IsZero() && time.Since(l.listed) < ledgerTTL {
		return nil
	}
	builds, err := n.st.List(ctx, buildKind, ns, store.ListOptions{Labels: labels.SelectorFromSet(labels.Set{v1alpha1.LabelPipeline: pipeline})})
	if err != nil {
		return fmt.Errorf("listing the Builds of %s/%s: %w", ns, pipeline, err)
	}
	l.numbers, l.delivery = map[int64]string{}, map[string]string{}
	for _, it := range builds.GetItems() {
		l.add(it.(*v1alpha1.Build))
	}
	l.listed = time.Now()
	return nil
}

func (l *ledger) add(b *v1alpha1.Build) {
	l.numbers[b.Spec.Number] = b.Name
	l.last = max(l.last, b.Spec.Number)
	if b.Spec.Trigger != nil && b.Spec.Trigger.Delivery != "" && b.Spec.Trigger.Kind == "webhook" {
		l.delivery[b.Spec.Trigger.Delivery] = b.Name
	}
}

// Create stores b, numbered and named when its number is 0, owned by its
// Pipeline. With a delivery id, a Build of that delivery that exists is
// returned instead (created false): a redelivery makes no second Build.
func (n *BuildNumbers) Create(ctx context.Context, b *v1alpha1.Build, delivery string) (*v1alpha1.Build, bool, error) {
	ns := b.Namespace
	if ns == "" {
		ns = "default"
	}
	l := n.ledger(ns, b.Spec.Pipeline)
	l.mu.Lock()
	defer l.mu.Unlock()
	// A Build may be applied before its Pipeline (a directory of
	// manifests goes in name order): it is numbered from its Pipeline's
	// other Builds then, and owned by it once the Pipeline controller
	// adopts it. Only a Build the server must name needs the Pipeline.
	pl := &v1alpha1.Pipeline{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: b.Spec.Pipeline}}
	o, err := n.st.Get(ctx, pipelineKind, ns, b.Spec.Pipeline)
	exists := err == nil
	switch {
	case exists:
		pl = o.(*v1alpha1.Pipeline)
	case errors.Is(err, store.ErrNotFound) && b.Name == "":
		return nil, false, &store.InvalidError{Kind: buildKind, Errs: field.ErrorList{field.NotFound(field.NewPath("spec", "pipeline"), b.Spec.Pipeline)}}
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, fmt.Errorf("the Build's pipeline %s/%s: %w", ns, b.Spec.Pipeline, err)
	}
	manual := b.Spec.Trigger == nil || b.Spec.Trigger.Kind == "manual"
	if t := pl.Spec.Trigger; manual && t != nil && t.Manual != nil && !*t.Manual {
		return nil, false, &store.InvalidError{Kind: buildKind, Name: b.Name, Errs: field.ErrorList{field.Forbidden(field.NewPath("spec", "pipeline"),
			fmt.Sprintf("pipeline %s/%s takes no manual builds (spec.trigger.manual is false)", ns, pl.Name))}}
	}
	if err := n.load(ctx, l, ns, pl.Name); err != nil {
		return nil, false, err
	}
	if name, ok := l.delivery[delivery]; ok && delivery != "" {
		o, err := n.st.Get(ctx, buildKind, ns, name)
		if err == nil {
			return o.(*v1alpha1.Build), false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
		delete(l.delivery, delivery) // deleted since: the delivery builds again
	}
	if name, ok := l.numbers[b.Spec.Number]; ok && b.Spec.Number != 0 {
		return nil, false, &store.InvalidError{Kind: buildKind, Name: b.Name, Errs: field.ErrorList{field.Duplicate(field.NewPath("spec", "number"),
			fmt.Sprintf("%d is Build %s's (leave spec.number unset for the next one)", b.Spec.Number, name))}}
	}
	last := max(pl.Status.LastBuildNumber, l.last)
	in := b.DeepCopy()
	in.Namespace = ns
	if in.Labels == nil {
		in.Labels = map[string]string{}
	}
	in.Labels[v1alpha1.LabelPipeline] = pl.Name
	if exists {
		yes := true
		in.OwnerReferences = append(in.OwnerReferences, metav1.OwnerReference{APIVersion: v1alpha1.APIVersion, Kind: "Pipeline",
			Name: pl.Name, UID: pl.UID, Controller: &yes, BlockOwnerDeletion: &yes})
	}
	numbered, named := in.Spec.Number == 0, in.Name == ""
	for attempt := 0; ; attempt++ {
		if numbered {
			in.Spec.Number = last + 1
		}
		if named {
			in.Name = pl.Name + "-" + strconv.FormatInt(in.Spec.Number, 10)
		}
		out, err := n.st.Create(ctx, in)
		if errors.Is(err, store.ErrAlreadyExists) && numbered && named && attempt < 1000 {
			last++
			continue
		}
		if err != nil {
			return nil, false, err
		}
		created := out.(*v1alpha1.Build)
		if store.IsDryRun(ctx) {
			return created, true, nil // nothing stored: no number taken
		}
		l.add(created)
		// Should this fail the Build stands: the next allocation counts
		// it from the Builds themselves.
		if exists {
			_ = n.raise(ctx, pl, created.Spec.Number)
		}
		return created, true, nil
	}
}

// raise sets the Pipeline's lastBuildNumber to at least number, writing
// pl as it was read for this Build (no read of its own unless another
// writer got there first).
func (n *BuildNumbers) raise(ctx context.Context, pl *v1alpha1.Pipeline, number int64) error {
	pl = pl.DeepCopy()
	for attempt := 0; attempt < 20; attempt++ {
		if pl.Status.LastBuildNumber >= number {
			return nil
		}
		pl.Status.LastBuildNumber = number
		_, err := n.st.UpdateStatus(ctx, pl)
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		o, err := n.st.Get(ctx, pipelineKind, pl.Namespace, pl.Name)
		if err != nil {
			return err
		}
		pl = o.(*v1alpha1.Pipeline)
	}
	return fmt.Errorf("raising %s/%s's lastBuildNumber: too many conflicts", pl.Namespace, pl.Name)
}
