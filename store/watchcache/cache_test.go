package watchcache_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"

	"minka/api/v1alpha1"
	"minka/store"
	"minka/store/storetest"
	"minka/store/watchcache"
)

var deployKind, _ = v1alpha1.KindFor("deployments")
var poolKind, _ = v1alpha1.KindFor("slavepools")

// world is a real store on embedded etcd and a cache over it.
type world struct {
	st    *store.Store
	src   *faultySource
	cache *watchcache.Cache
	reg   *prometheus.Registry
	ctx   context.Context
}

func newWorld(t *testing.T, opts watchcache.Options) *world {
	t.Helper()
	st, _ := storetest.Store(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	w := &world{st: st, src: &faultySource{Store: st, inject: make(chan error)}, reg: prometheus.NewRegistry(), ctx: ctx}
	opts.Registry, opts.Log = w.reg, logr.Discard()
	c, err := watchcache.New(w.src, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	c.Start(deployKind, poolKind)
	w.cache = c
	return w
}

// faultySource is the real store, with faults: Inject ends the cache's
// current etcd watch with an error, and List fails while listErr is set.
type faultySource struct {
	*store.Store
	inject  chan error
	listErr atomic.Pointer[error]
	lists   atomic.Int32
}

func (f *faultySource) List(ctx context.Context, k v1alpha1.Kind, ns string, opts store.ListOptions) (v1alpha1.ObjectList, error) {
	f.lists.Add(1)
	if err := f.listErr.Load(); err != nil {
		return nil, *err
	}
	return f.Store.List(ctx, k, ns, opts)
}

// Watch passes the store's watch through; an error on inject ends the
// Deployments' watch with that error, as a failed etcd watch ends.
func (f *faultySource) Watch(ctx context.Context, k v1alpha1.Kind, ns string, opts store.WatchOptions) (<-chan store.WatchEvent, error) {
	ctx, cancel := context.WithCancel(ctx)
	in, err := f.Store.Watch(ctx, k, ns, opts)
	if err != nil {
		cancel()
		return nil, err
	}
	inject := f.inject
	if k.Plural != deployKind.Plural {
		inject = nil // faults are for Deployments' watch
	}
	out := make(chan store.WatchEvent)
	go func() {
		defer close(out)
		defer cancel()
		for {
			select {
			case ev, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case err := <-inject:
				out <- store.WatchEvent{Type: watch.Error, Err: err}
				return
			}
		}
	}()
	return out, nil
}

func deploy(ns, name string, lbls map[string]string) *v1alpha1.Deployment {
	return &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls},
		Spec: v1alpha1.DeploymentSpec{Image: "registry.example.com/web:1", Cpus: 0.5, Mem: 512}}
}

func (w *world) create(t *testing.T, obj v1alpha1.Object) v1alpha1.Object {
	t.Helper()
	out, err := w.st.Create(w.ctx, obj)
	if err != nil {
		t.Fatalf("create %s: %v", obj.GetName(), err)
	}
	return out
}

func (w *world) relabel(t *testing.T, ns, name string, lbls map[string]string) v1alpha1.Object {
	t.Helper()
	obj, err := w.st.Get(w.ctx, deployKind, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	obj.SetLabels(lbls)
	out, err := w.st.Update(w.ctx, obj)
	if err != nil {
		t.Fatalf("update %s: %v", name, err)
	}
	return out
}

func (w *world) watch(t *testing.T, ns string, opts store.WatchOptions) *watchcache.Watcher {
	t.Helper()
	wt, err := w.cache.Watch(w.ctx, deployKind, ns, opts)
	if err != nil {
		t.Fatalf("watch %s from %q: %v", ns, opts.ResourceVersion, err)
	}
	t.Cleanup(wt.Stop)
	return wt
}

// next reads one event, failing after 10 s; ok false: the watch ended.
func next(t *testing.T, wt *watchcache.Watcher) (watchcache.Event, bool) {
	t.Helper()
	type res struct {
		ev watchcache.Event
		ok bool
	}
	got := make(chan res, 1)
	go func() { ev, ok := wt.Next(); got <- res{ev, ok} }()
	select {
	case r := <-got:
		return r.ev, r.ok
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	return watchcache.Event{}, false
}

// line is an event as "TYPE ns/name@rv".
func line(ev watchcache.Event) string {
	o := ev.Object.Object()
	return fmt.Sprintf("%s %s/%s@%s", ev.Type, o.GetNamespace(), o.GetName(), o.GetResourceVersion())
}

func expect(t *testing.T, wt *watchcache.Watcher, want ...string) {
	t.Helper()
	for i, w := range want {
		ev, ok := next(t, wt)
		if !ok {
			t.Fatalf("event %d: the watch ended, want %s", i, w)
		}
		if got := line(ev); got != w {
			t.Fatalf("event %d: %s, want %s", i, got, w)
		}
	}
}

func rvOf(o v1alpha1.Object) string { return o.GetResourceVersion() }

// TestWatchStateThenChanges: without a resourceVersion a watch gets every
// object of its namespace as ADDED, by name, then each change in order;
// the objects are encoded once, as the API sends them.
func TestWatchStateThenChanges(t *testing.T) {
	w := newWorld(t, watchcache.Options{})
	b := w.create(t, deploy("ci", "b", nil))
	a := w.create(t, deploy("ci", "a", nil))
	w.create(t, deploy("other", "x", nil))
	wt := w.watch(t, "ci", store.WatchOptions{})
	expect(t, wt, "ADDED ci/a@"+rvOf(a), "ADDED ci/b@"+rvOf(b))
	c := w.create(t, deploy("ci", "c", nil))
	w.create(t, deploy("other", "y", nil))
	a2 := w.relabel(t, "ci", "a", map[string]string{"tier": "web"})
	if _, err := w.st.Delete(w.ctx, deployKind, "ci", "b", nil); err != nil {
		t.Fatal(err)
	}
	deleted, err := w.st.Revision(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := next(t, wt)
	if got, want := line(ev), "ADDED ci/c@"+rvOf(c); got != want {
		t.Fatalf("%s, want %s", got, want)
	}
	if got := string(ev.Object.JSON()); !strings.HasPrefix(got, `{"kind":"Deployment","apiVersion":"minka.dev/v1alpha1","metadata":{"name":"c"`) {
		t.Errorf("the encoded object starts %.60s, want its TypeMeta first", got)
	}
	expect(t, wt, "MODIFIED ci/a@"+rvOf(a2), "DELETED ci/b@"+strconv.FormatInt(deleted, 10))
}

// TestWatchResumes: a watch from a resourceVersion gets exactly the
// changes after it, from the history; "0" is the state as cached.
func TestWatchResumes(t *testing.T) {
	w := newWorld(t, watchcache.Options{})
	a := w.create(t, deploy("ci", "a", nil))
	b := w.create(t, deploy("ci", "b", nil))
	a2 := w.relabel(t, "ci", "a", map[string]string{"v": "2"})
	expect(t, w.watch(t, "ci", store.WatchOptions{ResourceVersion: rvOf(a)}), "ADDED ci/b@"+rvOf(b), "MODIFIED ci/a@"+rvOf(a2))
	expect(t, w.watch(t, "ci", store.WatchOptions{ResourceVersion: rvOf(b)}), "MODIFIED ci/a@"+rvOf(a2))
	wt := w.watch(t, "ci", store.WatchOptions{ResourceVersion: rvOf(a2)})
	c := w.create(t, deploy("ci", "c", nil))
	expect(t, wt, "ADDED ci/c@"+rvOf(c))
	expect(t, w.watch(t, "", store.WatchOptions{ResourceVersion: "0"}), "ADDED ci/a@"+rvOf(a2), "ADDED ci/b@"+rvOf(b), "ADDED ci/c@"+rvOf(c))
}

// TestWatchTooOldIsGone: past History changes the oldest are dropped, and
// a watch from before them is 410 Gone (the client relists), as
// kube-apiserver's "too old resource version".
func TestWatchTooOldIsGone(t *testing.T) {
	w := newWorld(t, watchcache.Options{History: 3})
	first := w.create(t, deploy("ci", "d0", nil))
	var last v1alpha1.Object
	for i := 1; i <= 5; i++ {
		last = w.create(t, deploy("ci", fmt.Sprintf("d%d", i), nil))
	}
	waitRV(t, w, last)
	_, err := w.cache.Watch(w.ctx, deployKind, "ci", store.WatchOptions{ResourceVersion: rvOf(first)})
	if !errors.Is(err, store.ErrGone) {
		t.Fatalf("watch from %s with 3 changes kept: %v, want ErrGone", rvOf(first), err)
	}
	n, _ := strconv.ParseInt(rvOf(last), 10, 64)
	expect(t, w.watch(t, "ci", store.WatchOptions{ResourceVersion: strconv.FormatInt(n-3, 10)}),
		"ADDED ci/d3@"+strconv.FormatInt(n-2, 10), "ADDED ci/d4@"+strconv.FormatInt(n-1, 10), "ADDED ci/d5@"+rvOf(last))
}

// waitRV waits until a watch from "" has seen obj: the cache is there.
func waitRV(t *testing.T, w *world, obj v1alpha1.Object) {
	t.Helper()
	if _, err := w.cache.Watch(w.ctx, deployKind, obj.GetNamespace(), store.WatchOptions{ResourceVersion: rvOf(obj)}); err != nil {
		t.Fatal(err)
	}
}

// TestWatchSelectors: through a label selector an object that starts
// matching is ADDED, one that stops is DELETED, one that stays is
// MODIFIED, and the rest is not seen; in history replay as live.
func TestWatchSelectors(t *testing.T) {
	w := newWorld(t, watchcache.Options{})
	sel := labels.SelectorFromSet(labels.Set{"tier": "web"})
	start := w.create(t, deploy("ci", "a", nil))
	live := w.watch(t, "ci", store.WatchOptions{ResourceVersion: rvOf(start), Labels: sel})
	steps := []struct {
		lbls map[string]string
		want string // "" : not seen
	}{
		{map[string]string{"tier": "db"}, ""},
		{map[string]string{"tier": "web"}, "ADDED"},
		{map[string]string{"tier": "web", "v": "2"}, "MODIFIED"},
		{map[string]string{"tier": "db"}, "DELETED"},
		{nil, ""},
	}
	var want []string
	for _, s := range steps {
		obj := w.relabel(t, "ci", "a", s.lbls)
		if s.want != "" {
			want = append(want, s.want+" ci/a@"+rvOf(obj))
		}
	}
	b := w.create(t, deploy("ci", "b", map[string]string{"tier": "web"}))
	want = append(want, "ADDED ci/b@"+rvOf(b))
	expect(t, live, want...)
	expect(t, w.watch(t, "ci", store.WatchOptions{ResourceVersion: rvOf(start), Labels: sel}), want...)
	expect(t, w.watch(t, "ci", store.WatchOptions{Labels: sel}), "ADDED ci/b@"+rvOf(b))
}

// TestSlowWatcherIsEnded: a watcher whose queue stays full for the
// dispatch timeout is ended (its context too, so that a write blocked on
// its client gives up) and counted; a reader beside it gets every change,
// held up by at most the timeout.
func TestSlowWatcherIsEnded(t *testing.T) {
	w := newWorld(t, watchcache.Options{Buffer: 2, DispatchTimeout: 20 * time.Millisecond})
	slow := w.watch(t, "ci", store.WatchOptions{ResourceVersion: "0"})
	fast := w.watch(t, "ci", store.WatchOptions{ResourceVersion: "0"})
	var want []string
	for i := range 6 {
		obj := w.create(t, deploy("ci", fmt.Sprintf("d%d", i), nil))
		want = append(want, "ADDED ci/"+obj.GetName()+"@"+rvOf(obj))
	}
	expect(t, fast, want...)
	select {
	case <-slow.Context().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the slow watcher was not ended")
	}
	if got := metric(t, w.reg, "minka_apiserver_terminated_watchers_total"); got != 1 {
		t.Errorf("terminated watchers = %v, want 1", got)
	}
	if got := metric(t, w.reg, "minka_apiserver_registered_watchers"); got != 1 {
		t.Errorf("registered watchers = %v, want 1 (fast)", got)
	}
	for n := 0; ; n++ {
		if _, ok := next(t, slow); !ok {
			break
		}
		if n > 2 {
			t.Fatalf("the slow watcher still yields after %d events (buffer 2)", n)
		}
	}
}

// metric sums a metric's series in the registry.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	return sum
}

// TestWatchFailureResumes: when the etcd watch fails the cache resumes
// from its last revision: its watchers stay and miss nothing, and nothing
// is listed again.
func TestWatchFailureResumes(t *testing.T) {
	w := newWorld(t, watchcache.Options{})
	wt := w.watch(t, "ci", store.WatchOptions{ResourceVersion: "0"})
	a := w.create(t, deploy("ci", "a", nil))
	expect(t, wt, "ADDED ci/a@"+rvOf(a))
	lists := w.src.lists.Load()
	w.src.inject <- errors.New("etcdserver: no leader")
	b := w.create(t, deploy("ci", "b", nil))
	expect(t, wt, "ADDED ci/b@"+rvOf(b))
	if got := w.src.lists.Load(); got != lists {
		t.Errorf("%d lists after a failed watch, want none", got-lists)
	}
}

// TestCompactedWatchRelists: when the revision to resume from is gone the
// cache lists again; its watchers cannot be told what they missed, so
// they end (they resume or relist), and a new watch sees the new state.
func TestCompactedWatchRelists(t *testing.T) {
	w := newWorld(t, watchcache.Options{})
	wt := w.watch(t, "ci", store.WatchOptions{ResourceVersion: "0"})
	a := w.create(t, deploy("ci", "a", nil))
	expect(t, wt, "ADDED ci/a@"+rvOf(a))
	w.src.inject <- &store.Error{Err: store.ErrGone, Kind: "Deployment", Msg: "revision compacted"}
	if ev, ok := next(t, wt); ok {
		t.Fatalf("the watcher got %s after a relist, want its end", line(ev))
	}
	b := w.create(t, deploy("ci", "b", nil))
	expect(t, w.watch(t, "ci", store.WatchOptions{}), "ADDED ci/a@"+rvOf(a), "ADDED ci/b@"+rvOf(b))
	if got := metric(t, w.reg, "minka_apiserver_watch_cache_initializations_total"); got != 3 { // deployments twice, slavepools once
		t.Errorf("cache initializations = %v, want 3", got)
	}
}

// TestWatchWaitsToBeFresh: a revision moved only by another kind is
// reached at once (the cache asks etcd for progress, rather than waiting
// for a change of its own); a revision etcd has not reached is a
// TooLargeResourceVersionError after FreshTimeout.
func TestWatchWaitsToBeFresh(t *testing.T) {
	w := newWorld(t, watchcache.Options{FreshTimeout: 2 * time.Second})
	pool := &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "p"},
		Spec: v1alpha1.SlavePoolSpec{Labels: []string{"amd64"}, Template: v1alpha1.ServerTemplate{Image: "u", Flavor: "f"}}}
	p := w.create(t, pool)
	for _, rv := range []string{rvOf(p), ""} {
		start := time.Now()
		w.watch(t, "ci", store.WatchOptions{ResourceVersion: rv})
		if d := time.Since(start); d > time.Second {
			t.Errorf("a watch from %q (moved by a SlavePool) took %v to start", rv, d)
		}
	}
	n, _ := strconv.ParseInt(rvOf(p), 10, 64)
	_, err := w.cache.Watch(w.ctx, deployKind, "ci", store.WatchOptions{ResourceVersion: strconv.FormatInt(n+100, 10)})
	var tl *watchcache.TooLargeResourceVersionError
	if !errors.As(err, &tl) || tl.ResourceVersion != n+100 || tl.Current != n {
		t.Errorf("watch from %d (etcd at %d): %v, want TooLargeResourceVersionError with current %d", n+100, n, err, n)
	}
}

// TestBookmarksMove: a watcher that asked for bookmarks gets one at the
// revision another kind moved etcd to, without a change of its own kind.
func TestBookmarksMove(t *testing.T) {
	w := newWorld(t, watchcache.Options{ProgressInterval: 100 * time.Millisecond})
	wt := w.watch(t, "ci", store.WatchOptions{ResourceVersion: "0", Bookmarks: true})
	pool := &v1alpha1.SlavePool{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "p"},
		Spec: v1alpha1.SlavePoolSpec{Labels: []string{"amd64"}, Template: v1alpha1.ServerTemplate{Image: "u", Flavor: "f"}}}
	p := w.create(t, pool)
	want, _ := strconv.ParseInt(rvOf(p), 10, 64)
	for {
		ev, ok := next(t, wt)
		if !ok || ev.Type != watch.Bookmark {
			t.Fatalf("got %v (ok %v), want only bookmarks", ev.Type, ok)
		}
		if got, _ := strconv.ParseInt(rvOf(ev.Object.Object()), 10, 64); got >= want {
			return
		}
	}
}

// TestNotReadyUntilListed: while a kind cannot be listed a watch fails
// with NotReadyError naming the cause, within FreshTimeout; once etcd
// answers the cache fills and watches work.
func TestNotReadyUntilListed(t *testing.T) {
	st, _ := storetest.Store(t)
	src := &faultySource{Store: st, inject: make(chan error)}
	down := error(errors.New("etcdserver: no leader"))
	src.listErr.Store(&down)
	c, err := watchcache.New(src, watchcache.Options{FreshTimeout: 300 * time.Millisecond, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	start := time.Now()
	_, err = c.Watch(ctx, deployKind, "ci", store.WatchOptions{})
	var nr *watchcache.NotReadyError
	if !errors.As(err, &nr) || !strings.Contains(err.Error(), "no leader") {
		t.Fatalf("watch while etcd cannot list: %v, want NotReadyError with the cause", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the NotReadyError took %v (FreshTimeout 300ms)", d)
	}
	src.listErr.Store(nil)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		wt, err := c.Watch(ctx, deployKind, "ci", store.WatchOptions{})
		if err == nil {
			wt.Stop()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %v 15s after etcd came back", err)
		}
	}
}

// TestCloseEndsWatchers: Close ends every watch.
func TestCloseEndsWatchers(t *testing.T) {
	w := newWorld(t, watchcache.Options{})
	wt := w.watch(t, "ci", store.WatchOptions{ResourceVersion: "0"})
	w.cache.Close()
	if ev, ok := next(t, wt); ok {
		t.Fatalf("got %s after Close, want the end", line(ev))
	}
	if _, err := w.cache.Watch(w.ctx, deployKind, "ci", store.WatchOptions{}); err == nil {
		t.Error("a watch after Close started")
	}
}
