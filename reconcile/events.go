package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store"
)

// EventStore is what a Recorder writes through.
type EventStore interface {
	Create(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
	Update(ctx context.Context, obj v1alpha1.Object) (v1alpha1.Object, error)
}

// Recorder writes Events about objects. Like client-go's events cache it
// aggregates: the same event (object, type, reason, message) seen again
// within aggregateWindow bumps count and lastTimestamp on one Event rather
// than making a new one; and a token bucket per object (burst 25, then one
// per 5 minutes) drops the rest, so a hot loop cannot flood etcd.
type Recorder struct {
	st        EventStore
	component string
	host      string
	log       logr.Logger
	now       func() time.Time

	// mu guards the maps only; it is never held across an etcd write,
	// so the workers of a controller do not queue behind event writes.
	// Writes of one aggregation key are serialised by its keyLock.
	mu      sync.Mutex
	seen    map[string]*v1alpha1.Event // aggregation key -> last stored event
	buckets map[string]*rate.Limiter   // involved object -> spam filter
	writing map[string]*keyLock        // aggregation key -> its writers
}

type keyLock struct {
	sync.Mutex
	waiters int
}

const (
	aggregateWindow = 10 * time.Minute
	spamBurst       = 25
	spamRefill      = 5 * time.Minute
	maxTracked      = 4096 // bounds the aggregation and spam caches
)

// NewRecorder builds a recorder for a component (e.g. "deployment-controller").
func NewRecorder(st EventStore, component, host string, log logr.Logger) *Recorder {
	return &Recorder{st: st, component: component, host: host, log: log, now: time.Now,
		seen: map[string]*v1alpha1.Event{}, buckets: map[string]*rate.Limiter{}, writing: map[string]*keyLock{}}
}

// Eventf records an event; failures are logged, never returned: an event
// is never worth failing a reconcile for.
func (r *Recorder) Eventf(ctx context.Context, obj v1alpha1.Object, typ, reason, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if err := r.record(ctx, obj, typ, reason, msg); err != nil {
		r.log.Error(err, "recording event", "reason", reason, "object", obj.GetNamespace()+"/"+obj.GetName())
	}
}

func (r *Recorder) record(ctx context.Context, obj v1alpha1.Object, typ, reason, msg string) error {
	k, err := v1alpha1.KindOf(obj)
	if err != nil {
		return err
	}
	ref := v1alpha1.ObjectReference{APIVersion: v1alpha1.APIVersion, Kind: k.Kind, Namespace: obj.GetNamespace(),
		Name: obj.GetName(), UID: string(obj.GetUID()), ResourceVersion: obj.GetResourceVersion()}
	objKey := ref.Kind + "/" + ref.Namespace + "/" + ref.Name + "/" + ref.UID
	aggKey := objKey + "/" + typ + "/" + reason + "/" + msg
	now := metav1.NewTime(r.now().UTC().Truncate(time.Second))

	r.mu.Lock()
	allowed := r.bucket(objKey).AllowN(r.now(), 1)
	r.mu.Unlock()
	if !allowed {
		return nil // the spam filter's whole point: drop quietly
	}
	unlock := r.lockKey(aggKey)
	defer unlock()
	r.mu.Lock()
	prev := r.seen[aggKey]
	r.mu.Unlock()
	if prev != nil && now.Sub(prev.LastTimestamp.Time) < aggregateWindow {
		next := prev.DeepCopy()
		next.Count++
		next.LastTimestamp = now
		next.ResourceVersion = "" // last writer wins: counts are advisory
		out, err := r.st.Update(ctx, next)
		if err == nil {
			r.remember(aggKey, out.(*v1alpha1.Event))
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("updating event %s: %w", next.Name, err)
		}
		// It expired: start a new one.
	}
	ev := &v1alpha1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: obj.GetNamespace(), Name: obj.GetName() + "." + strconv.FormatInt(r.now().UnixNano(), 16)},
		InvolvedObject: ref, Reason: reason, Message: msg, Type: typ, Count: 1,
		FirstTimestamp: now, LastTimestamp: now, Source: v1alpha1.EventSource{Component: r.component, Host: r.host},
	}
	out, err := r.st.Create(ctx, ev)
	if err != nil {
		return fmt.Errorf("creating event: %w", err)
	}
	r.remember(aggKey, out.(*v1alpha1.Event))
	return nil
}

func (r *Recorder) remember(aggKey string, ev *v1alpha1.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.seen[aggKey]; !ok && len(r.seen) >= maxTracked {
		clear(r.seen)
	}
	r.seen[aggKey] = ev
}

// lockKey serialises the writers of one aggregation key (so a repeated
// event bumps one count rather than making two Events) and returns the
// unlock; the entry goes when its last writer leaves.
func (r *Recorder) lockKey(k string) func() {
	r.mu.Lock()
	l := r.writing[k]
	if l == nil {
		l = &keyLock{}
		r.writing[k] = l
	}
	l.waiters++
	r.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		r.mu.Lock()
		if l.waiters--; l.waiters == 0 {
			delete(r.writing, k)
		}
		r.mu.Unlock()
	}
}

func (r *Recorder) bucket(objKey string) *rate.Limiter {
	b := r.buckets[objKey]
	if b == nil {
		if len(r.buckets) >= maxTracked {
			clear(r.buckets)
		}
		b = rate.NewLimiter(rate.Every(spamRefill), spamBurst)
		r.buckets[objKey] = b
	}
	return b
}
