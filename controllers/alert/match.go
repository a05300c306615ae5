package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"slices"
	"sort"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
)

// stored is an event with the etcd revision it was stored at.
type stored struct {
	ev  *v1alpha1.Event
	rev int64
}

// after lists the events stored after revision rev, oldest first: the
// order the controllers wrote them in.
func after(events []v1alpha1.Object, rev int64) []stored {
	var out []stored
	for _, o := range events {
		n, err := strconv.ParseInt(o.GetResourceVersion(), 10, 64)
		if err == nil && n > rev {
			out = append(out, stored{o.(*v1alpha1.Event), n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rev < out[j].rev })
	return out
}

// selects says whether a sends ev: its own events never (a failing
// receiver would feed itself), then severity, reasons, and the sources.
func selects(a *v1alpha1.Alert, ev *v1alpha1.Event) bool {
	o := ev.InvolvedObject
	if o.Kind == "Alert" && o.Namespace == a.Namespace && o.Name == a.Name {
		return false
	}
	s := a.Spec
	if s.Severity == v1alpha1.EventTypeWarning && ev.Type != v1alpha1.EventTypeWarning {
		return false
	}
	if (len(s.Reasons) > 0 && !slices.Contains(s.Reasons, ev.Reason)) || slices.Contains(s.ExcludeReasons, ev.Reason) {
		return false
	}
	if len(s.Sources) == 0 {
		return o.Namespace == a.Namespace
	}
	for _, src := range s.Sources {
		ns, name := src.Namespace, src.Name
		if ns == "" {
			ns = a.Namespace
		}
		if name == "" {
			name = "*"
		}
		matched, _ := path.Match(name, o.Name)
		if (src.Kind == "*" || src.Kind == o.Kind) && (ns == "*" || ns == o.Namespace) && matched {
			return true
		}
	}
	return false
}

// key names an event's content: the recorder's aggregation key (object,
// type, reason, message), so that the same event stored again, counted up
// or made anew after a restart, is known as a repeat.
func key(ev *v1alpha1.Event) string {
	o := ev.InvolvedObject
	sum := sha256.Sum256([]byte(o.Kind + "\x00" + o.Namespace + "\x00" + o.Name + "\x00" + o.UID + "\x00" + ev.Type + "\x00" + ev.Reason + "\x00" + ev.Message))
	return hex.EncodeToString(sum[:16])
}

// recent is an Alert's memory of what it sent within the repeat interval.
type recent struct {
	list   *[]v1alpha1.SentEvent
	window time.Duration
}

func recentOf(a *v1alpha1.Alert) recent {
	w := v1alpha1.DefaultRepeatInterval
	if a.Spec.RepeatInterval != nil {
		w = a.Spec.RepeatInterval.Duration
	}
	return recent{&a.Status.Recent, w}
}

// prune forgets what was sent longer ago than the window.
func (r recent) prune(now time.Time) {
	*r.list = slices.DeleteFunc(*r.list, func(s v1alpha1.SentEvent) bool { return now.Sub(s.Time.Time) >= r.window })
	if len(*r.list) == 0 {
		*r.list = nil
	}
}

// repeat says whether k was sent within the window.
func (r recent) repeat(k string, now time.Time) bool {
	for _, s := range *r.list {
		if s.Key == k && now.Sub(s.Time.Time) < r.window {
			return true
		}
	}
	return false
}

// sent remembers k, the oldest going past MaxAlertRecent.
func (r recent) sent(k string, now time.Time) {
	*r.list = slices.DeleteFunc(*r.list, func(s v1alpha1.SentEvent) bool { return s.Key == k })
	*r.list = append(*r.list, v1alpha1.SentEvent{Key: k, Time: metav1.NewTime(now.UTC().Truncate(time.Second))})
	if n := len(*r.list) - v1alpha1.MaxAlertRecent; n > 0 {
		*r.list = (*r.list)[n:]
	}
}
