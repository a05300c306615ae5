package alert_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend"
	"minka/controllers/alert"
	"minka/reconcile"
	"minka/store"
	"minka/store/storetest"
)

// sink is a Slack-compatible receiver that answers from a script (one
// status per request, then 200) and keeps what it took.
type sink struct {
	mu       sync.Mutex
	script   []int
	attempts int
	got      []map[string]any
	srv      *httptest.Server
}

func newSink(t *testing.T, script ...int) *sink {
	s := &sink{script: script}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.attempts++
		if len(s.script) > 0 {
			code := s.script[0]
			s.script = s.script[1:]
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			if code != http.StatusOK {
				http.Error(w, "scripted", code)
				return
			}
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		s.got = append(s.got, m)
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// titles are the attachments' titles, in arrival order.
func (s *sink) titles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.got {
		atts, _ := m["attachments"].([]any)
		for _, a := range atts {
			out = append(out, fmt.Sprint(a.(map[string]any)["title"]))
		}
	}
	return out
}

// run starts the Alert controller alone with one receiver, slack, whose
// URL is the sink's (read from a file, as the config has it).
func run(t *testing.T, st *store.Store, e *store.Etcd, url string) func() {
	return runWith(t, st, e, url, nil)
}

// runWith registers the controller's metrics on reg, when not nil.
func runWith(t *testing.T, st *store.Store, e *store.Etcd, url string, reg prometheus.Registerer) func() {
	t.Helper()
	f := filepath.Join(t.TempDir(), "url")
	if err := os.WriteFile(f, []byte(url+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	setup, err := alert.New(alert.Options{Log: logr.Discard(), Notifications: backend.Notifications{Receivers: []backend.Receiver{
		{Name: "slack", Type: backend.ReceiverSlack, URL: backend.Secret{File: f}, Timeout: metav1.Duration{Duration: time.Second}}}},
		Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	m := reconcile.NewManager(st, e.Client, reconcile.ManagerOptions{Controllers: []string{"all"}, Workers: 2, Log: logr.Discard()})
	m.Register(alert.Name, setup)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Start(ctx) }()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("%s: not within %v", what, timeout)
}

func getAlert(t *testing.T, st *store.Store, ns string) *v1alpha1.Alert {
	t.Helper()
	k, _ := v1alpha1.KindFor("Alert")
	o, err := st.Get(context.Background(), k, ns, "ci-slack")
	if err != nil {
		t.Fatal(err)
	}
	return o.(*v1alpha1.Alert)
}

// A receiver that answers 500, then 429 with Retry-After, then 200 gets
// every message once, in the order the events were stored; a restart of
// the controller in the middle sends nothing twice and loses nothing;
// what the Alert does not select is not sent, nor a repeat within the
// window; the Alert's status and events never show the receiver's URL.
func TestDeliveryOnceInOrder(t *testing.T) {
	st, e := storetest.Store(t)
	ctx := context.Background()
	secretURL := "/services/T0001/B0001/s3cretWebhookToken"
	sk := newSink(t, http.StatusInternalServerError, http.StatusTooManyRequests)
	url := sk.srv.URL + secretURL
	reg := prometheus.NewRegistry()
	stop := runWith(t, st, e, url, reg)

	a := &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "ci-slack"}, Spec: v1alpha1.AlertSpec{
		Receiver: "slack", Sources: []v1alpha1.AlertSource{{Kind: "Build", Name: "webapp-*"}}, Reasons: []string{"Started", "Finished"}}}
	if _, err := st.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the Alert's first pass", 10*time.Second, func() bool { return getAlert(t, st, "ci").Status.EventRevision != "" })
	b := &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "webapp-1"}, Spec: v1alpha1.BuildSpec{Pipeline: "webapp", Branch: "main"}}
	obj, err := st.Create(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	other := &v1alpha1.Build{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "other-1"}, Spec: v1alpha1.BuildSpec{Pipeline: "other", Branch: "main"}}
	otherObj, err := st.Create(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	rec := reconcile.NewRecorder(st, "pipeline", "test", logr.Discard())
	rec.Eventf(ctx, obj, v1alpha1.EventTypeNormal, "Started", "jenkins default webapp-build #1")
	rec.Eventf(ctx, otherObj, v1alpha1.EventTypeNormal, "Started", "not selected: another pipeline")
	rec.Eventf(ctx, obj, v1alpha1.EventTypeNormal, "Triggered", "not selected: a reason not listed")

	// 500, then 429 (Retry-After: 1), then taken.
	waitFor(t, "the first message", 15*time.Second, func() bool { return len(sk.titles()) == 1 })
	waitFor(t, "the first message recorded", 5*time.Second, func() bool {
		s := getAlert(t, st, "ci").Status
		c := v1alpha1.FindCondition(s.Conditions, alert.Ready)
		return s.Sent == 1 && s.FailedAttempts == 0 && c != nil && c.Status == metav1.ConditionTrue
	})
	for outcome, want := range map[string]float64{"failed": 2, "sent": 1, "rejected": 0} {
		if got := testutil.ToFloat64(metric(t, reg, "minka_notifications_total", outcome)); got != want {
			t.Errorf("minka_notifications_total{outcome=%q} = %v, want %v", outcome, got, want)
		}
	}
	stop()

	// While the controller is down: the build finishes, and its Started
	// event is recorded again (a new Event object of the same content, as
	// a restarted recorder makes): a repeat, not sent again.
	rec2 := reconcile.NewRecorder(st, "pipeline", "test", logr.Discard())
	rec2.Eventf(ctx, obj, v1alpha1.EventTypeNormal, "Started", "jenkins default webapp-build #1")
	rec2.Eventf(ctx, obj, v1alpha1.EventTypeNormal, "Finished", "Succeeded: jenkins result SUCCESS")
	stop = run(t, st, e, url)
	defer stop()
	waitFor(t, "the second message", 15*time.Second, func() bool { return len(sk.titles()) >= 2 })
	time.Sleep(500 * time.Millisecond) // anything more would come now
	want := []string{"Build ci/webapp-1 started", "Build ci/webapp-1 succeeded"}
	if titles := sk.titles(); strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("messages %q, want %q", titles, want)
	}
	if sk.attempts != 4 {
		t.Errorf("%d posts, want 4 (500, 429, then the two messages)", sk.attempts)
	}

	raw, _ := json.Marshal(getAlert(t, st, "ci"))
	evs := storetest.Events(st, "ci")
	for _, s := range []string{secretURL, "s3cretWebhookToken"} {
		if strings.Contains(string(raw), s) || strings.Contains(evs, s) {
			t.Errorf("the receiver's URL shows in the Alert or its events:\n%s\n%s", raw, evs)
		}
	}
	if !strings.Contains(evs, alert.ReasonDeliveryFailing) || !strings.Contains(evs, "receiver slack answered 500") {
		t.Errorf("no DeliveryFailing event naming the answer:\n%s", evs)
	}
}

// A receiver that refuses a message for good (404, as Slack answers for
// a removed webhook) is not retried: the message is counted as rejected,
// an event says so, and the next message goes.
func TestRejectedIsNotRetried(t *testing.T) {
	st, e := storetest.Store(t)
	ctx := context.Background()
	sk := newSink(t, http.StatusNotFound)
	stop := run(t, st, e, sk.srv.URL+"/services/T/B/x")
	defer stop()
	a := &v1alpha1.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "ci-slack"}, Spec: v1alpha1.AlertSpec{Receiver: "slack", Severity: "Warning"}}
	if _, err := st.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the Alert's first pass", 10*time.Second, func() bool { return getAlert(t, st, "ops").Status.EventRevision != "" })
	d, err := st.Create(ctx, &v1alpha1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "web"}, Spec: v1alpha1.DeploymentSpec{Image: "nginx", Cpus: 0.1, Mem: 32}})
	if err != nil {
		t.Fatal(err)
	}
	rec := reconcile.NewRecorder(st, "deployment", "test", logr.Discard())
	rec.Eventf(ctx, d, v1alpha1.EventTypeNormal, "RolloutStarted", "Normal: below the Alert's severity")
	rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, "RolloutFailed", "first: refused")
	rec.Eventf(ctx, d, v1alpha1.EventTypeWarning, "RolledBack", "second: taken")
	waitFor(t, "the second message", 10*time.Second, func() bool { return len(sk.titles()) == 1 })
	if titles := sk.titles(); titles[0] != "Deployment ops/web rolled back" {
		t.Errorf("messages %q", titles)
	}
	waitFor(t, "the Alert's counts", 5*time.Second, func() bool {
		s := getAlert(t, st, "ops").Status
		return s.Sent == 1 && s.Rejected == 1
	})
	if evs := storetest.Events(st, "ops"); !strings.Contains(evs, alert.EventDeliveryRejected) || !strings.Contains(evs, "404") {
		t.Errorf("no DeliveryRejected event:\n%s", evs)
	}
}

// metric finds the counter of the slack receiver with that outcome.
func metric(t *testing.T, g prometheus.Gatherer, name, outcome string) prometheus.Collector {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "found"})
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["receiver"] == "slack" && labels["outcome"] == outcome {
				c.Add(m.GetCounter().GetValue())
			}
		}
	}
	return c
}
