package deployment

import (
	"context"
	"sync"
	"time"

	marathon "github.com/gambol99/go-marathon"

	"minka/backend/readcache"
)

// appList serves the Deployments of one Marathon their apps from one
// GET /v2/apps (tasks and last task failure embedded, as GET
// /v2/apps/{id} has them) shared by all of them, instead of one GET each:
// a resync of every Deployment, or the restart of the controller, costs
// Marathon one list.
//
// A listed app is used only when nothing says it changed since the list
// was read, which the event stream tells: an app named by an event, or
// written (attempted, whatever the reply: a lost reply may have been
// applied), is read alone until a list begun after that is at hand. So
// a lost write reply is never acted on from a list that predates it.
// While the stream is down (events may be missed) every app is read
// alone, and the list is forgotten whenever the stream (re)connects.
type appList struct {
	maxAge time.Duration
	quiet  time.Duration // appQuiet
	cache  *readcache.Cache[listed]
	now    func() time.Time

	mu        sync.Mutex
	gen       uint64           // counts touches
	touched   map[string]touch // by app id, the last event or write
	all       touch            // the last touch of every app (a revert names no app)
	streaming bool             // the event stream is up
	list      func(context.Context) (map[string]*marathon.Application, error)
}

// appQuiet is how long after its last touch an app is read alone.
const appQuiet = 5 * time.Second

// touch is when an app last changed or may have: its generation orders
// it against list reads, its time bounds how long it is remembered.
type touch struct {
	gen uint64
	at  time.Time
}

// listed is a list and the generation when its read began.
type listed struct {
	apps map[string]*marathon.Application
	gen  uint64
}

func newAppList(list func(context.Context) (map[string]*marathon.Application, error), maxAge time.Duration) *appList {
	l := &appList{maxAge: maxAge, quiet: appQuiet, now: time.Now, touched: map[string]touch{}, list: list}
	l.cache = readcache.New(l.read, nil)
	return l
}

func (l *appList) read(ctx context.Context) (listed, error) {
	l.mu.Lock()
	g := l.gen
	l.mu.Unlock()
	apps, err := l.list(ctx)
	if err != nil {
		return listed{}, err
	}
	return listed{apps: apps, gen: g}, nil
}

// app returns the listed app id (nil if the list lacks it), or ok false
// when it must be read alone: while the stream is down, while the app is
// busy (touched within appQuiet: a rollout's events come seconds apart, and
// its own GET is cheaper than lists that would not stay true for it), and
// when the list at hand began before its last touch. A list is read anew
// when the one at hand predates a touch, so a resync after a rollout
// reads one list, not one app each.
func (l *appList) app(ctx context.Context, id string) (app *marathon.Application, ok bool, err error) {
	l.mu.Lock()
	t := l.lastTouch(id)
	since := l.now().Sub(t.at)
	streaming := l.streaming
	l.mu.Unlock()
	if !streaming || !t.at.IsZero() && since < l.quiet {
		return nil, false, nil
	}
	age := l.maxAge
	if !t.at.IsZero() && since < age {
		age = since // taken after the touch (begun before it, maybe: see gen)
	}
	v, _, err := l.cache.Get(ctx, age)
	if err != nil {
		return nil, false, err
	}
	if t.gen > v.gen {
		return nil, false, nil
	}
	a, found := v.apps[id]
	if !found {
		return nil, true, nil
	}
	cp := *a // the list is shared: a caller's changes stay its own
	return &cp, true, nil
}

// trusted says whether the list may be used: the event stream is up.
func (l *appList) trusted() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.streaming
}

// apps is the whole list, read at most maxAge ago.
func (l *appList) apps(ctx context.Context) (map[string]*marathon.Application, error) {
	v, _, err := l.cache.Get(ctx, l.maxAge)
	return v.apps, err
}

// lastTouch is the app's last touch: the later of its own and every
// app's by generation, its own time (every app's has none: it asks for a
// new list, not for reads alone).
func (l *appList) lastTouch(id string) touch {
	t := l.touched[id]
	t.gen = max(t.gen, l.all.gen)
	return t
}

// changed marks apps as changed (an event named them, or a write to them
// was attempted): each is read alone for a while.
func (l *appList) changed(ids ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	t := touch{gen: l.gen, at: l.now()}
	for _, id := range ids {
		l.touched[id] = t
	}
	if len(l.touched) > 1024 {
		// Forget touches that no list could predate any more.
		for id, old := range l.touched {
			if t.at.Sub(old.at) > 4*l.maxAge {
				delete(l.touched, id)
			}
		}
	}
}

// changedAll says any app may have changed (a deployment reverted, whose
// apps are not named; events missed): the next app is served from a list
// begun after now, shared by all.
func (l *appList) changedAll() {
	l.mu.Lock()
	l.gen++
	l.all = touch{gen: l.gen}
	l.mu.Unlock()
	l.cache.Forget()
}

// streamUp and streamDown follow the event stream: the list is trusted
// only while events say which apps it no longer tells the truth about.
func (l *appList) streamUp() {
	l.changedAll()
	l.mu.Lock()
	l.streaming = true
	l.mu.Unlock()
}

func (l *appList) streamDown() {
	l.mu.Lock()
	l.streaming = false
	l.mu.Unlock()
	l.cache.Forget()
}

// The event stream's hooks into the list (controller.go's followEvents),
// for a Marathon client that has one.
func (c *clients) appList() *appList {
	if mc, ok := c.marathon.(*marathonClient); ok {
		return mc.list
	}
	return nil
}

func (c *clients) streamUp() {
	if l := c.appList(); l != nil {
		l.streamUp()
	}
}

func (c *clients) streamDown() {
	if l := c.appList(); l != nil {
		l.streamDown()
	}
}

func (c *clients) appsChanged(ids []string) {
	if l := c.appList(); l != nil && len(ids) > 0 {
		l.changed(ids...)
	}
}
